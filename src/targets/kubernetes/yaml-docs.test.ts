import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { materialise, secretRef } from '../../secrets/secrets.js';
import { yamlDocuments } from './yaml-docs.js';

describe('yamlDocuments', () => {
  it('keeps every materialised secret a string (found by the cluster e2e: a 6-digit superCode became a number)', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { code: secretRef('chat.superCode'), pw: secretRef('redis.password') },
    };
    const text = yamlDocuments([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }, secret]);
    for (const value of ['123456', 'true', 'null', 'a"b\\c', "it's #1", '- x: {y}']) {
      const docs = parseAllDocuments(materialise(text, { 'chat.superCode': value, 'redis.password': value })).map((d) =>
        d.toJS(),
      );
      expect(docs[1].stringData).toEqual({ code: value, pw: value });
    }
  });

  it('quotes the strings YAML 1.1 (kubectl, helm) would read as booleans', () => {
    const annotations = { a: 'off', b: 'on', c: 'yes', d: 'no', e: 'y', f: 'true', g: '3600' };
    const text = yamlDocuments([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', annotations } }]);
    for (const v of Object.values(annotations)) expect(text).toContain(`"${v}"`);
    expect(parseAllDocuments(text, { version: '1.1' })[0]!.toJS().metadata.annotations).toEqual(annotations);
  });
});
