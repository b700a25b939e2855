// Production refuses every upstream default password in every credential field
// (issue #19: `openIM123`, Grafana's `admin` were accepted), without echoing it.
import { describe, expect, it } from 'vitest';
import { WELL_KNOWN_SECRETS } from '../catalog/openim-versions.js';
import { secretPaths } from './json-schema.js';
import { resolveConfig } from './resolve.js';
import { issuesOf } from '../../test/helpers/config-helpers.js';

const production = (...sets: string[]) =>
  resolveConfig({
    preset: 'production',
    sets: ['openim.domain=im.example.com', 'kubernetes.storage.nfs.server=10.0.0.5', ...sets],
  });

describe('production refuses upstream default secrets', () => {
  const cases: [path: string, value: string][] = [
    ['openim.secret', 'openIM123'],
    ['monitoring.grafanaAdminPassword', 'admin'],
    ['monitoring.grafanaAdminPassword', 'prom-operator'],
    ['infrastructure.mongodb.password', 'openIM123'],
    ['infrastructure.redis.password', 'openIM123'],
    ['infrastructure.objectStorage.secretKey', 'minioadmin'],
    ['openim.superCode', '666666'],
    ['openim.chatAdminPassword', 'chatAdmin'],
  ];
  for (const [path, value] of cases) {
    it(`${path}=${value}`, () => {
      const issues = issuesOf(() => production(`${path}=${value}`));
      const issue = issues.find((i) => i.path === path);
      expect(issue?.message).toMatch(/upstream default.*refused in production/);
      // Named by where it comes from; the value itself (maybe the user's real password) is not repeated.
      expect(issue!.message).not.toContain(` ${value} `);
    });
  }

  it('every secret field is covered, and the dev profile keeps accepting them', () => {
    for (const path of secretPaths()) {
      const issues = issuesOf(() => production(`${path}=openIM123`));
      expect(
        issues.map((i) => i.path),
        path,
      ).toContain(path);
    }
    expect(() =>
      resolveConfig({ preset: 'dev', sets: ['openim.secret=openIM123', 'monitoring.grafanaAdminPassword=admin'] }),
    ).not.toThrow();
  });

  it("a value of the operator's own is accepted", () => {
    expect(() =>
      production('openim.secret=a-long-secret-of-ours', 'monitoring.grafanaAdminPassword=Gr4fana-own'),
    ).not.toThrow();
    expect(WELL_KNOWN_SECRETS.map((w) => w.value)).toContain('openIM123');
  });
});
