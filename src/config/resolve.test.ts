import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { presetsDir } from '../util/package-root.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envNameFor, listPresets, resolveConfig, sourceOf } from './resolve.js';
import { givenSecrets } from '../secrets/secrets.js';
import { configFile, issuesOf } from '../../test/helpers/config-helpers.js';
import { MIRROR_SET, NFS_SERVER_SET, requiredSets } from '../../test/helpers/config-presets.js';

describe('resolution order: defaults < preset < file < env < flags/--set', () => {
  const cfg = configFile('openim:\n  domain: from-file.example.com\nkubernetes:\n  namespace: filens\n');

  const cases: {
    name: string;
    input: Parameters<typeof resolveConfig>[0];
    expect: { domain: string; namespace: string; source: string };
  }[] = [
    {
      name: 'preset only',
      input: { preset: 'dev' },
      expect: { domain: 'openim.localhost', namespace: 'openim', source: 'preset:dev' },
    },
    {
      name: 'file beats preset',
      input: { preset: 'dev', file: cfg },
      expect: { domain: 'from-file.example.com', namespace: 'filens', source: `file:${cfg}` },
    },
    {
      name: 'env beats file',
      input: { preset: 'dev', file: cfg, env: { OPENIM_DEPLOY_OPENIM__DOMAIN: 'from-env.example.com' } },
      expect: { domain: 'from-env.example.com', namespace: 'filens', source: 'env:OPENIM_DEPLOY_OPENIM__DOMAIN' },
    },
    {
      name: 'flag beats env',
      input: {
        preset: 'dev',
        file: cfg,
        env: { OPENIM_DEPLOY_OPENIM__DOMAIN: 'from-env.example.com' },
        flags: { openim: { domain: 'from-flag.example.com' } },
      },
      expect: { domain: 'from-flag.example.com', namespace: 'filens', source: 'flag' },
    },
    {
      name: '--set beats flags',
      input: {
        preset: 'dev',
        flags: { openim: { domain: 'from-flag.example.com' } },
        sets: ['openim.domain=from-set.example.com'],
      },
      expect: { domain: 'from-set.example.com', namespace: 'openim', source: 'flag:--set' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = resolveConfig(c.input);
      expect(r.spec.openim.domain).toBe(c.expect.domain);
      expect(r.spec.kubernetes.namespace).toBe(c.expect.namespace);
      expect(sourceOf(r.sources, 'openim.domain')).toBe(c.expect.source);
    });
  }

  it('defaults the namespace to openim for every server version (discovery runs through etcd in the cluster)', () => {
    expect(resolveConfig({ preset: 'dev' }).spec.kubernetes.namespace).toBe('openim');
    expect(
      resolveConfig({ preset: 'dev', sets: ['openim.serverVersion=v3.8.3-patch.16'] }).spec.kubernetes.namespace,
    ).toBe('openim');
    expect(resolveConfig({ preset: 'dev', sets: ['kubernetes.namespace=im'] }).spec.kubernetes.namespace).toBe('im');
  });

  it('reports values nobody set as defaults', () => {
    const r = resolveConfig({ preset: 'dev' });
    expect(sourceOf(r.sources, 'openim.serverVersion')).toBe('default');
    expect(r.spec.openim.serverVersion).toBe('v3.8.3');
  });

  it('types --set and env values by the schema', () => {
    const r = resolveConfig({
      preset: 'dev',
      env: { OPENIM_DEPLOY_MONITORING__ENABLED: 'true', OPENIM_DEPLOY_OPENIM__SECRET: '12345678' },
      sets: [
        'openim.replicas.openim-push=3',
        'infrastructure.redis.mode=external',
        'infrastructure.redis.address=r1:6379,r2:6379',
      ],
    });
    expect(r.spec.monitoring.enabled).toBe(true);
    expect(r.spec.openim.secret).toBe('12345678');
    expect(r.spec.openim.replicas['openim-push']).toBe(3);
    expect(r.spec.infrastructure.redis.address).toEqual(['r1:6379', 'r2:6379']);
  });

  it('maps config paths to env names', () => {
    expect(envNameFor('kubernetes.ingress.controller')).toBe('OPENIM_DEPLOY_KUBERNETES__INGRESS__CONTROLLER');
    expect(envNameFor('openim.serverVersion')).toBe('OPENIM_DEPLOY_OPENIM__SERVER_VERSION');
  });
});

describe('errors: every problem at once, with path and hint', () => {
  it('lists each bad path of a file', () => {
    const bad = configFile('target: cloud\nprofile: prod\nopenim:\n  domian: x\nkubernetes:\n  namespace: Bad_NS\n');
    const issues = issuesOf(() => resolveConfig({ file: bad }));
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['target', 'profile', 'openim.domian', 'kubernetes.namespace']));
    expect(issues.find((i) => i.path === 'openim.domian')?.hint).toBe('did you mean domain?');
  });

  it('reports unknown presets, env variables and --set keys together', () => {
    const issues = issuesOf(() =>
      resolveConfig({ preset: 'prod', env: { OPENIM_DEPLOY_OPENIM__DOMIAN: 'x' }, sets: ['openim.domian=x', 'nokey'] }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      '--preset',
      'OPENIM_DEPLOY_OPENIM__DOMIAN',
      '--set openim.domian',
      '--set nokey',
      'openim.domain',
    ]);
    expect(issues[0]!.hint).toBe('did you mean production?');
    expect(issues[1]!.hint).toBe('did you mean OPENIM_DEPLOY_OPENIM__DOMAIN?');
  });

  it('reports YAML syntax errors and unreadable files', () => {
    expect(issuesOf(() => resolveConfig({ file: configFile('target: [') }))[0]!.message).toMatch(/not valid YAML/);
    expect(issuesOf(() => resolveConfig({ file: '/nonexistent/x.yaml' }))[0]!.message).toMatch(/cannot read .*ENOENT/);
  });
});

describe('cross-field rules', () => {
  const table: { name: string; sets: string[]; preset?: string; path: string }[] = [
    {
      name: 'nfs needs a server',
      preset: 'dev',
      sets: ['kubernetes.storage.backend=nfs'],
      path: 'kubernetes.storage.nfs.server',
    },
    {
      name: 'existing needs a class',
      preset: 'dev',
      sets: ['kubernetes.storage.backend=existing'],
      path: 'kubernetes.storage.storageClass',
    },
    {
      name: 'istio only on kubernetes',
      preset: 'single-host',
      sets: ['kubernetes.ingress.controller=istio'],
      path: 'kubernetes.ingress.controller',
    },
    {
      name: 'gateway-api only on kubernetes',
      preset: 'single-host',
      sets: ['kubernetes.ingress.controller=gateway-api'],
      path: 'kubernetes.ingress.controller',
    },
    {
      name: 'external mongo needs an address',
      preset: 'dev',
      sets: ['infrastructure.mongodb.mode=external', 'infrastructure.mongodb.password=pw123456'],
      path: 'infrastructure.mongodb.address',
    },
    {
      name: 'external kafka needs an address',
      preset: 'dev',
      sets: ['infrastructure.kafka.mode=external'],
      path: 'infrastructure.kafka.address',
    },
    { name: 'production needs a domain', sets: ['profile=production'], path: 'openim.domain' },
    {
      name: 'internal MinIO address refused',
      preset: 'dev',
      sets: ['infrastructure.objectStorage.externalAddress=http://minio.openim.svc:9000'],
      path: 'infrastructure.objectStorage.externalAddress',
    },
    {
      name: 'placeholder MinIO address refused',
      preset: 'dev',
      sets: ['infrastructure.objectStorage.externalAddress=http://external_ip:10005'],
      path: 'infrastructure.objectStorage.externalAddress',
    },
    {
      name: 'admin front needs chat',
      preset: 'dev',
      sets: ['openim.components.chat=false'],
      path: 'openim.components.adminFront',
    },
    {
      name: 'crontask is a singleton',
      preset: 'dev',
      sets: ['openim.replicas.openim-crontask=2'],
      path: 'openim.replicas.openim-crontask',
    },
    {
      name: 'msgtransfer at most 8',
      preset: 'dev',
      sets: ['openim.replicas.openim-msgtransfer=9'],
      path: 'openim.replicas.openim-msgtransfer',
    },
    {
      name: 'well-known chat admin password refused in production',
      preset: 'production',
      sets: ['openim.domain=im.example.com', NFS_SERVER_SET, 'openim.chatAdminPassword=chatAdmin'],
      path: 'openim.chatAdminPassword',
    },
    {
      name: 'default super code refused in production',
      preset: 'production',
      sets: ['openim.domain=im.example.com', NFS_SERVER_SET, 'openim.superCode=666666'],
      path: 'openim.superCode',
    },
    {
      name: 'cloud storage must be external',
      preset: 'dev',
      sets: ['infrastructure.objectStorage.provider=cos'],
      path: 'infrastructure.objectStorage.mode',
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const issues = issuesOf(() => resolveConfig({ ...(row.preset ? { preset: row.preset } : {}), sets: row.sets }));
      expect(issues.map((i) => i.path)).toContain(row.path);
    });
  }

  it('warns (does not fail) for production without TLS', () => {
    const r = resolveConfig({
      preset: 'production',
      sets: ['openim.domain=im.example.com', NFS_SERVER_SET, 'kubernetes.ingress.tls.mode=none'],
    });
    expect(r.warnings.map((w) => w.path)).toContain('kubernetes.ingress.tls.mode');
  });

  it('takes a given chat admin password as the secret it applies, without a warning', () => {
    const given = resolveConfig({ preset: 'dev', sets: ['openim.chatAdminPassword=Str0ng-admin-pw'] });
    expect(given.warnings.map((w) => w.path)).not.toContain('openim.chatAdminPassword');
    expect(givenSecrets(given.spec)['chat.adminPassword']).toBe('Str0ng-admin-pw');
  });
});

describe('presets', () => {
  it('ships the required presets', () => {
    expect(listPresets()).toEqual(expect.arrayContaining(['dev', 'production', 'offline', 'single-host']));
  });
  for (const name of listPresets()) {
    it(`${name} is a valid config (with a domain where production needs one, and the values the preset leaves to the operator)`, () => {
      const r = resolveConfig({ preset: name, sets: ['openim.domain=im.example.com', ...requiredSets(name)] });
      const file = parse(readFileSync(join(presetsDir(), `${name}.yaml`), 'utf8')) as {
        target: string;
        profile: string;
      };
      expect([r.spec.target, r.spec.profile]).toEqual([file.target, file.profile]);
    });
  }
  it('production preset asks for the domain and the NFS server, and only those', () => {
    const issues = issuesOf(() => resolveConfig({ preset: 'production' }));
    expect(issues.map((i) => i.path).sort()).toEqual(['kubernetes.storage.nfs.server', 'openim.domain']);
  });

  it('offline preset asks for the domain and the private registry, and only those', () => {
    const issues = issuesOf(() => resolveConfig({ preset: 'offline' }));
    expect(issues.map((i) => i.path).sort()).toEqual(['images.mirror', 'openim.domain']);
  });
});

// #19 Medium 9: production used to ship nfs.server: nfs.internal and offline
// images.mirror: registry.internal:5000, so a forgotten NFS server or registry
// passed validation and failed on the cluster. The presets leave them empty; the
// rule names the key and the --set that fixes it.
describe('presets leave the operator’s own NFS server and registry empty (#19 Medium 9)', () => {
  const issueAt = (issues: { path: string; message: string; hint?: string }[], path: string) =>
    issues.find((i) => i.path === path);

  it('production preset with nfs storage and no server: an issue at kubernetes.storage.nfs.server with the --set fix', () => {
    const issue = issueAt(
      issuesOf(() => resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com'] })),
      'kubernetes.storage.nfs.server',
    );
    expect(issue?.message).toBe('required when kubernetes.storage.backend is nfs');
    expect(issue?.hint).toMatch(/--set kubernetes\.storage\.nfs\.server=/);
  });

  it('offline preset without a registry: an issue at images.mirror with the --set fix', () => {
    const issue = issueAt(
      issuesOf(() => resolveConfig({ preset: 'offline', sets: ['openim.domain=im.example.com'] })),
      'images.mirror',
    );
    expect(issue?.message).toMatch(/offline install on Kubernetes needs the private registry/);
    expect(issue?.hint).toMatch(/--set images\.mirror=/);
  });

  it('with the values given, both presets are valid and keep them', () => {
    const production = resolveConfig({
      preset: 'production',
      sets: ['openim.domain=im.example.com', 'kubernetes.storage.nfs.server=10.0.0.5'],
    }).spec;
    expect(production.kubernetes.storage.nfs).toEqual({ server: '10.0.0.5', path: '/srv/nfs/openim' });
    const offline = resolveConfig({
      preset: 'offline',
      sets: ['openim.domain=im.example.com', 'images.mirror=registry.example:5000/openim'],
    }).spec;
    expect(offline.images.mirror).toBe('registry.example:5000/openim');
    expect(() =>
      resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }),
    ).not.toThrow();
    expect(() =>
      resolveConfig({ preset: 'offline', sets: ['openim.domain=im.example.com', MIRROR_SET] }),
    ).not.toThrow();
  });

  it('production on other storage needs no NFS server', () => {
    expect(() =>
      resolveConfig({
        preset: 'production',
        sets: [
          'openim.domain=im.example.com',
          'kubernetes.storage.backend=existing',
          'kubernetes.storage.storageClass=fast',
        ],
      }),
    ).not.toThrow();
  });

  it('no preset file holds a value that stands in for the operator’s own NFS server or registry', () => {
    for (const name of listPresets()) {
      const doc = parse(readFileSync(join(presetsDir(), `${name}.yaml`), 'utf8')) as {
        kubernetes?: { storage?: { nfs?: { server?: string } } };
        images?: { mirror?: string };
        offline?: unknown;
      };
      expect(doc.kubernetes?.storage?.nfs?.server ?? '', name).toBe('');
      if (doc.offline) expect(doc.images?.mirror ?? '', name).toBe('');
    }
  });
});

describe('open registration (openim.allowRegister)', () => {
  it('is off by default in production and on in dev; an explicit value wins', () => {
    expect(
      resolveConfig({
        preset: 'production',
        sets: ['openim.domain=im.example.com', 'kubernetes.storage.nfs.server=10.0.0.5'],
      }).spec.openim.allowRegister,
    ).toBe(false);
    expect(resolveConfig({ sets: ['openim.domain=im.example.com'] }).spec.openim.allowRegister).toBe(false);
    expect(resolveConfig({ preset: 'dev' }).spec.openim.allowRegister).toBe(true);
    expect(
      resolveConfig({
        preset: 'production',
        sets: ['openim.domain=im.example.com', 'kubernetes.storage.nfs.server=10.0.0.5', 'openim.allowRegister=true'],
      }).spec.openim.allowRegister,
    ).toBe(true);
    expect(resolveConfig({ preset: 'dev', sets: ['openim.allowRegister=false'] }).spec.openim.allowRegister).toBe(
      false,
    );
  });
});
