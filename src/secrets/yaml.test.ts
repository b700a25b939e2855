import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { materialise, secretRef } from './secrets.js';
import { toYaml } from './yaml.js';

describe('toYaml', () => {
  it('keeps any one-line secret a string once materialised', () => {
    const text = toYaml({ a: { password: secretRef('redis.password') }, superCode: secretRef('chat.superCode') });
    for (const value of ['012345', 'true', 'a: b # c', '"quoted"', "it's", '- x', '[1]']) {
      const parsed = parse(materialise(text, { 'redis.password': value, 'chat.superCode': value }));
      expect(parsed.a.password).toBe(value);
      expect(parsed.superCode).toBe(value);
    }
  });
});
