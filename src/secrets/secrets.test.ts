import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { Redactor } from './redact.js';
import { materialise, resolveSecrets, SECRET_IDS, secretRef } from './secrets.js';

describe('secrets', () => {
  const spec = resolveConfig({ preset: 'dev' }).spec;

  it('generates every secret once, strong and distinct', () => {
    const { values, generated } = resolveSecrets(spec, {});
    // mongodb.uri is only ever given (a URI with a password), never generated.
    expect(generated).toEqual(SECRET_IDS.filter((id) => id !== 'mongodb.uri'));
    expect(values['mongodb.uri']).toBeUndefined();
    expect(values['openim.secret']).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(values['chat.superCode']).toMatch(/^[1-9]\d{5}$/);
    expect(new Set(Object.values(values)).size).toBe(SECRET_IDS.length - 1);
  });

  it('reuses stored values: a re-run never changes a secret', () => {
    const first = resolveSecrets(spec, {}).values;
    const second = resolveSecrets(spec, first);
    expect(second.values).toEqual(first);
    expect(second.generated).toEqual([]);
  });

  it('a value given in the config wins over the stored one', () => {
    const given = resolveConfig({ preset: 'dev', sets: ['infrastructure.redis.password=given-password'] }).spec;
    const stored = resolveSecrets(spec, {}).values;
    expect(resolveSecrets(given, stored).values['redis.password']).toBe('given-password');
  });

  it('materialises placeholders and refuses unknown ones', () => {
    expect(materialise(`a ${secretRef('redis.password')} b`, { 'redis.password': 'x' })).toBe('a x b');
    expect(() => materialise(secretRef('redis.password'), {})).toThrow(/no value for secret redis.password/);
  });

  it('redacts every value, longest first', () => {
    const r = new Redactor(['abcdef', 'abcdefgh', 'no']);
    expect(r.redact('x abcdefgh y abcdef z no')).toBe('x «redacted» y «redacted» z no');
  });
});
