import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { identityIssues, identityOf } from './identity.js';

const spec = (sets: string[], preset = 'dev') => resolveConfig({ preset, sets }).spec;

describe('identity: values that cannot change after install', () => {
  it('records the target and its immutable places', () => {
    expect(identityOf(spec(['kubernetes.namespace=im']))).toMatchObject({
      target: 'kubernetes',
      'kubernetes.namespace': 'im',
      'infrastructure.mongodb.database': 'openim_v3',
    });
    expect(identityOf(spec([], 'single-host'))).toMatchObject({
      target: 'binary',
      'binary.prefix': '/opt/openim',
      'binary.dataDir': '/var/lib/openim',
    });
  });

  it('refuses a changed namespace, naming the path, both values and why', () => {
    const before = identityOf(spec(['kubernetes.namespace=im']));
    const issues = identityIssues(before, spec(['kubernetes.namespace=other']));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('kubernetes.namespace');
    expect(issues[0]!.message).toContain('"im"');
    expect(issues[0]!.message).toContain('"other"');
    expect(issues[0]!.message).toContain('PVCs');
    expect(issues[0]!.hint).toContain('kubernetes.namespace back to im');
  });

  it('reports a target switch once, by target', () => {
    const issues = identityIssues(identityOf(spec([])), spec([], 'single-host'));
    expect(issues.map((i) => i.path)).toEqual(['target']);
  });

  it('accepts every other change, and anything when nothing is stored', () => {
    const before = identityOf(spec([]));
    expect(
      identityIssues(before, spec(['openim.domain=im.example.com', 'kubernetes.ingress.controller=traefik'])),
    ).toEqual([]);
    expect(identityIssues(undefined, spec(['kubernetes.namespace=x']))).toEqual([]);
  });
});
