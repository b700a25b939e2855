import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve.js';
import { configFile, issuesOf } from '../../test/helpers/config-helpers.js';

const ALIYUN = 'registry.cn-hangzhou.aliyuncs.com/openimsdk';

describe('images.rewrite', () => {
  it('defaults to no rules', () => {
    expect(resolveConfig({ preset: 'dev' }).spec.images.rewrite).toEqual([]);
  });

  it('takes rules from a file and from --set (YAML flow)', () => {
    const cfg = configFile(
      `images:\n  rewrite:\n    - from: docker.io/openim\n      to: ${ALIYUN}\n    - { from: "localhost:5000", to: "registry.internal:5000/local" }\n`,
    );
    expect(resolveConfig({ preset: 'dev', file: cfg }).spec.images.rewrite).toEqual([
      { from: 'docker.io/openim', to: ALIYUN },
      { from: 'localhost:5000', to: 'registry.internal:5000/local' },
    ]);
    const set = resolveConfig({ preset: 'dev', sets: [`images.rewrite=[{from: quay.io, to: quay.m.daocloud.io}]`] });
    expect(set.spec.images.rewrite).toEqual([{ from: 'quay.io', to: 'quay.m.daocloud.io' }]);
  });

  it('--set images.rewrite=[] clears the rules of a preset', () => {
    expect(resolveConfig({ preset: 'china-mirror' }).spec.images.rewrite.length).toBeGreaterThan(0);
    expect(resolveConfig({ preset: 'china-mirror', sets: ['images.rewrite=[]'] }).spec.images.rewrite).toEqual([]);
  });

  it.each([
    ['a Docker Hub namespace without a registry host', 'openim'],
    ['a scheme', 'https://docker.io/openim'],
    ['a tag', 'docker.io/openim/openim-api:v3'],
    ['upper case', 'docker.io/OpenIM'],
    ['a trailing slash', 'docker.io/openim/'],
    ['an empty path element', 'docker.io//openim'],
    ['nothing', ''],
  ])('refuses %s as from or to', (_name, value) => {
    for (const [from, to] of [
      [value, ALIYUN],
      ['docker.io/openim', value],
    ]) {
      const cfg = configFile(`images:\n  rewrite:\n    - from: "${from}"\n      to: "${to}"\n`);
      const issues = issuesOf(() => resolveConfig({ preset: 'dev', file: cfg }));
      const which = from === value ? 'from' : 'to';
      expect(issues.map((i) => i.path)).toContain(`images.rewrite[0].${which}`);
      expect(issues.find((i) => i.path === `images.rewrite[0].${which}`)!.message).toMatch(/host\[:port\]\[\/path\]/);
    }
  });

  it('accepts a registry alone, with a port, localhost and a single-label host with a port', () => {
    for (const value of [
      'quay.io',
      'registry.internal:5000/a/b',
      'localhost',
      'localhost:5000/x',
      'registry:5000',
      'm.daocloud.io/docker.io',
    ]) {
      const cfg = configFile(`images:\n  rewrite:\n    - { from: "${value}", to: "${value}" }\n`);
      expect(resolveConfig({ preset: 'dev', file: cfg }).spec.images.rewrite).toEqual([{ from: value, to: value }]);
    }
  });

  it('refuses unknown keys in a rule, a missing to, and two rules for one prefix', () => {
    const extra = issuesOf(() =>
      resolveConfig({
        preset: 'dev',
        file: configFile(`images:\n  rewrite:\n    - { from: docker.io/openim, to: ${ALIYUN}, prefix: true }\n`),
      }),
    );
    expect(extra.map((i) => i.path)).toContain('images.rewrite[0].prefix');
    const missing = issuesOf(() =>
      resolveConfig({ preset: 'dev', file: configFile('images:\n  rewrite:\n    - { from: docker.io/openim }\n') }),
    );
    expect(missing.map((i) => i.path)).toContain('images.rewrite[0].to');
    const twice = issuesOf(() =>
      resolveConfig({
        preset: 'dev',
        file: configFile(
          `images:\n  rewrite:\n    - { from: docker.io/openim, to: ${ALIYUN} }\n    - { from: docker.io/openim, to: m.daocloud.io }\n`,
        ),
      }),
    );
    expect(twice).toContainEqual(
      expect.objectContaining({ path: 'images.rewrite[1].from', message: expect.stringMatching(/earlier rule/) }),
    );
  });
});

describe('kubernetes.helmRepoMirrors', () => {
  it('defaults to none and takes a map of repository URLs', () => {
    expect(resolveConfig({ preset: 'dev' }).spec.kubernetes.helmRepoMirrors).toEqual({});
    const cfg = configFile(
      'kubernetes:\n  helmRepoMirrors:\n    https://traefik.github.io/charts: https://charts.internal/traefik\n    oci://registry-1.docker.io/bitnamicharts: oci://registry.internal:5000/charts\n',
    );
    expect(resolveConfig({ preset: 'dev', file: cfg }).spec.kubernetes.helmRepoMirrors).toEqual({
      'https://traefik.github.io/charts': 'https://charts.internal/traefik',
      'oci://registry-1.docker.io/bitnamicharts': 'oci://registry.internal:5000/charts',
    });
  });

  it('refuses a key or value that is not a repository URL, and a mirror of another kind', () => {
    const bad = issuesOf(() =>
      resolveConfig({
        preset: 'dev',
        file: configFile(
          'kubernetes:\n  helmRepoMirrors:\n    https://traefik.github.io/charts: charts.internal/traefik\n',
        ),
      }),
    );
    expect(
      bad.some((i) => i.path.startsWith('kubernetes.helmRepoMirrors') && /chart repository URL/.test(i.message)),
    ).toBe(true);
    const badKey = issuesOf(() =>
      resolveConfig({
        preset: 'dev',
        file: configFile('kubernetes:\n  helmRepoMirrors:\n    traefik: https://charts.internal/traefik\n'),
      }),
    );
    expect(badKey.some((i) => i.path.startsWith('kubernetes.helmRepoMirrors'))).toBe(true);
    const kind = issuesOf(() =>
      resolveConfig({
        preset: 'dev',
        file: configFile(
          'kubernetes:\n  helmRepoMirrors:\n    https://traefik.github.io/charts: oci://registry.internal/charts\n',
        ),
      }),
    );
    expect(kind).toContainEqual(
      expect.objectContaining({
        path: 'kubernetes.helmRepoMirrors.https://traefik.github.io/charts',
        message: expect.stringMatching(/same kind/),
      }),
    );
  });
});

describe('china-mirror preset', () => {
  it('sends the OpenIM images to the Aliyun namespace and everything else through the mirror', () => {
    const { images } = resolveConfig({ preset: 'china-mirror' }).spec;
    expect(images.registry).toBe('docker.io');
    expect(images.rewrite).toEqual([{ from: 'docker.io/openim', to: ALIYUN }]);
    expect(images.mirror).toBe('m.daocloud.io');
  });
});
