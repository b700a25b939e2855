import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, PreflightError, UserAbort } from '../errors.js';
import { ok } from '../../test/helpers/recording-runner.js';
import type { SelectQuestion } from './prompter.js';
import { ScriptedPrompter, ScriptError, type ScriptStep } from './scripted-prompter.js';
import {
  fakeMachine,
  KUBERNETES_DEFAULTS,
  removeTempDirs,
  replayCommand,
  runScript,
  tempDir,
} from '../../test/helpers/wizard-helpers.js';
import { runWizard } from './wizard.js';
import { buildPlan } from '../targets/build-plan.js';
import { unprobedFacts } from '../facts/types.js';

afterAll(removeTempDirs);

/** The printed command line as one line (it is wrapped with `\` to the terminal width). */
const oneLine = (output: string) => output.replace(/ \\\n\s+/g, ' ');

/** A script with some steps replaced (by key) or removed (answer 'SKIP'). */
function edit(script: ScriptStep[], changes: Record<string, Partial<ScriptStep> | 'SKIP'>): ScriptStep[] {
  return script.flatMap((step) => {
    const change = changes[step.key];
    if (change === 'SKIP') return [];
    return [change ? { ...step, ...change } : step];
  });
}

describe('Enter through every prompt', () => {
  it('kubernetes (no cluster, no systemd): reaches a valid spec with only light probes', async () => {
    const run = await runScript({}, KUBERNETES_DEFAULTS);
    const { spec, confirmed, facts, findings } = run.result;
    expect(confirmed).toBe(true);
    expect(spec.target).toBe('kubernetes');
    expect(spec.profile).toBe('dev');
    expect(spec.openim.domain).toBe('openim.localhost');
    expect(spec.kubernetes.ingress.controller).toBe('traefik');
    expect(facts.probed).toBe(false);
    expect(findings.map((f) => f.id)).toEqual(['cluster.unreachable']);
    // Light probes only: nothing beyond the context, storage classes and PID 1.
    expect(
      run.runner
        .argvs()
        .map((a) => a.join(' '))
        .sort(),
    ).toEqual(['cat /proc/1/comm', 'kubectl config current-context']);
    expect(run.output).toMatch(/Summary/);
    expect(run.output).toMatch(/Storage\s+local-path/);
    expect(replayCommand(run)).toEqual(spec);
    expect(oneLine(run.output)).toMatch(
      /openim-deploy install --target kubernetes --profile dev --domain openim\.localhost --set monitoring\.enabled=false --set logging\.enabled=false --yes\n/,
    );
  });

  it('binary (systemd host): asks etcd, downloads and the export tarballs, not ingress, storage, images or fronts', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'server.tar.gz'), 'export tarball');
    const sha = 'a'.repeat(64);
    const script: ScriptStep[] = [
      { key: 'target', default: 'binary', help: /this host runs systemd/ },
      { key: 'profile' },
      { key: 'openim.domain' },
      { key: 'binary.proxy.enabled', default: false, help: /one HTTPS endpoint|raw ports/ },
      { key: 'infrastructure.objectStorage.provider', choices: ['minio', 's3', 'cos', 'oss', 'kodo'] },
      { key: 'infrastructure.objectStorage.mode' },
      { key: 'infrastructure.objectStorage.externalAddress' },
      { key: 'infrastructure.mongodb.mode' },
      { key: 'infrastructure.redis.mode' },
      { key: 'infrastructure.kafka.mode' },
      { key: 'infrastructure.etcd.mode', help: /find each other/ },
      { key: 'binary.mirror', rejects: ['ftp://mirror'] },
      { key: 'offline.bundle' },
      { key: 'openim.components.chat' },
      { key: 'openim.allowRegister', default: true },
      {
        key: 'binary.source',
        choices: ['build', 'archive'],
        default: 'build',
        answer: 'archive',
        help: /builds them with its Go toolchain/,
      },
      {
        key: 'binary.artifacts.server',
        rejects: ['missing.tar.gz'],
        answer: 'server.tar.gz',
        help: /publishes no binaries/,
      },
      { key: 'binary.artifacts.server.sha256', rejects: ['abc'], answer: sha.toUpperCase() },
      { key: 'binary.artifacts.chat', answer: 'https://files.example.com/exported_chat.tar.gz' },
      { key: 'binary.artifacts.chat.sha256', answer: sha },
      { key: 'monitoring.enabled' },
      { key: 'logging.enabled' },
      { key: 'wizard.save' },
      { key: '--yes' },
    ];
    const run = await runScript({}, script, { machine: { init: 'systemd' }, cwd });
    const spec = run.result.spec;
    expect(spec.target).toBe('binary');
    expect(spec.openim.components).toEqual({ chat: true, webFront: false, adminFront: false });
    expect(spec.binary.artifacts.server).toEqual({ url: '', file: join(cwd, 'server.tar.gz'), sha256: sha });
    expect(spec.binary.artifacts.chat).toMatchObject({
      url: 'https://files.example.com/exported_chat.tar.gz',
      sha256: sha,
    });
    const ids = run.result.findings.map((f) => f.id);
    expect(ids.filter((id) => /^artifact\.(server|chat)\./.test(id))).toEqual([]);
    expect(ids).not.toContain('binary.fronts');
    expect(ids).not.toContain('host.systemd');
    expect(run.output).toMatch(/etcd\s+bundled/);
    expect(run.output).toMatch(/Downloads\s+upstream/);
    expect(replayCommand(run)).toEqual(spec);
  });

  it('binary chosen on a host without systemd: Enter everywhere still plans; the findings say what is missing', async () => {
    const run = await runScript({ flags: { target: 'binary' } }, [
      { key: 'profile' },
      { key: 'openim.domain' },
      { key: 'binary.proxy.enabled' },
      ...KUBERNETES_DEFAULTS.slice(8, 11),
      ...KUBERNETES_DEFAULTS.slice(11, 14),
      { key: 'infrastructure.etcd.mode' },
      { key: 'binary.mirror' },
      { key: 'offline.bundle' },
      { key: 'openim.components.chat' },
      { key: 'openim.allowRegister' },
      // Enter: build from source, so no tarball is asked for.
      { key: 'binary.source' },
      { key: 'monitoring.enabled' },
      { key: 'logging.enabled' },
      { key: 'wizard.save' },
      { key: '--yes' },
    ]);
    const ids = run.result.findings.map((f) => f.id);
    expect(ids).toContain('host.systemd');
    expect(run.result.spec.binary.source).toBe('build');
    expect(ids.filter((id) => id.startsWith('artifact.server') || id.startsWith('artifact.chat'))).toEqual([]);
    expect(run.runner.argvs()).toEqual([['cat', '/proc/1/comm']]);
  });
});

describe('defaults from facts', () => {
  it('a reachable context suggests kubernetes and offers its StorageClasses', async () => {
    const machine = {
      context: 'k3d-dev',
      init: 'systemd',
      storageClasses: [
        { name: 'local-path', provisioner: 'rancher.io/local-path', isDefault: true },
        { name: 'fast', provisioner: 'ebs.csi.aws.com' },
      ],
    };
    const script = edit(KUBERNETES_DEFAULTS, {
      target: { default: 'kubernetes', help: /k3d-dev answers/ },
      'kubernetes.storage.backend': {
        choices: ['class:local-path', 'class:fast', 'local-path', 'nfs', 'rook-ceph'],
        default: 'local-path',
        answer: 'class:fast',
      },
    });
    const run = await runScript({}, script, { machine });
    expect(run.result.spec.kubernetes.storage).toMatchObject({ backend: 'existing', storageClass: 'fast' });
    expect(run.result.findings).toEqual([]);
    expect(run.output).toMatch(/Storage\s+StorageClass fast/);
    expect(run.output).toMatch(/Target\s+Kubernetes \(current kubectl context, k3d-dev\)/);
  });

  it('production suggests the cluster default StorageClass, cert-manager, monitoring and logging', async () => {
    const machine = {
      context: 'prod',
      storageClasses: [{ name: 'ceph-rbd', provisioner: 'rbd.csi.ceph.com', isDefault: true }],
    };
    const script = edit(KUBERNETES_DEFAULTS, {
      profile: { answer: 'production' },
      'openim.domain': {
        default: '',
        rejects: ['', 'IM.Example.com', 'https://im.example.com', 'im.example.com:443'],
        answer: 'im.example.com',
      },
      'kubernetes.ingress.controller': { help: /retired in March 2026/ },
      'kubernetes.ingress.tls.mode': { default: 'cert-manager' },
      'kubernetes.storage.backend': {
        default: 'class:ceph-rbd',
        choices: ['class:ceph-rbd', 'local-path', 'nfs', 'rook-ceph'],
      },
      'infrastructure.objectStorage.externalAddress': {
        rejects: ['ftp://x', 'http://external_ip:10005', 'http://minio.openim.svc:9000'],
      },
      // Open registration: a question, off by default in production.
      'openim.allowRegister': { default: false },
      'monitoring.enabled': { default: true },
      'logging.enabled': { default: true },
      '--yes': { message: /dry run/ },
    });
    const withIssuer = script.flatMap((s) =>
      s.key === 'kubernetes.ingress.tls.mode'
        ? [
            s,
            { key: 'kubernetes.ingress.tls.issuer', default: 'letsencrypt' },
            { key: 'kubernetes.ingress.tls.issuerKind', default: 'ClusterIssuer' },
          ]
        : [s],
    );
    const run = await runScript({}, withIssuer, { machine });
    const spec = run.result.spec;
    expect(spec.profile).toBe('production');
    expect(spec.kubernetes.ingress.tls).toMatchObject({
      mode: 'cert-manager',
      issuer: 'letsencrypt',
      issuerKind: 'ClusterIssuer',
    });
    expect(spec.kubernetes.storage).toMatchObject({ backend: 'existing', storageClass: 'ceph-rbd' });
    expect(spec.monitoring.enabled).toBe(true);
    expect(spec.openim.allowRegister).toBe(false);
    expect(run.output).toMatch(/Registration\s+closed: accounts are made by the admin/);
    expect(replayCommand(run)).toEqual(spec);
  });
});

describe('flags, files, presets and env skip their prompts', () => {
  it('--preset production with --domain asks only what the preset leaves open, the NFS server among them (#19 Medium 9)', async () => {
    const run = await runScript({ preset: 'production', flags: { openim: { domain: 'im.example.com' } } }, [
      { key: 'kubernetes.namespace' },
      { key: 'kubernetes.ingress.install' },
      // The preset names no NFS server (every site has its own): asked, and an empty answer refused.
      { key: 'kubernetes.storage.nfs.server', message: /NFS server/, rejects: [''], answer: '10.0.0.5' },
      ...KUBERNETES_DEFAULTS.slice(8, 15),
      { key: 'offline.bundle' },
      ...KUBERNETES_DEFAULTS.slice(16, 19),
      { key: 'openim.allowRegister', default: false },
      { key: 'wizard.save' },
      { key: '--yes' },
    ]);
    expect(run.result.spec.kubernetes.storage.nfs).toEqual({ server: '10.0.0.5', path: '/srv/nfs/openim' });
    // No light probe needed: target and storage were given.
    expect(run.runner.calls).toHaveLength(1);
    expect(run.output).toMatch(/Storage\s+nfs 10\.0\.0\.5:\/srv\/nfs\/openim\s+\(from preset:production\)/);
    expect(oneLine(run.output)).toMatch(/openim-deploy install --preset production --domain im\.example\.com /);
    expect(oneLine(run.output)).toMatch(/ --set kubernetes\.storage\.nfs\.server=10\.0\.0\.5 /);
    expect(replayCommand(run)).toEqual(run.result.spec);
  });

  it('--preset offline asks for the private registry the preset leaves open (#19 Medium 9)', async () => {
    const run = await runScript({ preset: 'offline', flags: { openim: { domain: 'im.example.com' } } }, [
      { key: 'kubernetes.namespace' },
      ...KUBERNETES_DEFAULTS.slice(8, 15),
      { key: 'images.mirror', message: /bundle’s images are pushed/, rejects: [''], answer: 'registry.example:5000' },
      ...KUBERNETES_DEFAULTS.slice(16, 19),
      { key: 'openim.allowRegister', default: false },
      { key: 'wizard.save' },
      { key: '--yes' },
    ]);
    expect(run.result.spec.images.mirror).toBe('registry.example:5000');
    expect(oneLine(run.output)).toMatch(/ --mirror registry\.example:5000 /);
    expect(replayCommand(run)).toEqual(run.result.spec);
  });

  it('a config file, env and --set answer their keys', async () => {
    const dir = tempDir();
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      'target: kubernetes\nprofile: dev\nopenim:\n  domain: chat.example.org\nkubernetes:\n  ingress:\n    controller: none\n',
    );
    const run = await runScript(
      {
        file,
        env: { OPENIM_DEPLOY_KUBERNETES__STORAGE__BACKEND: 'local-path', OPENIM_DEPLOY_MONITORING__ENABLED: 'false' },
        sets: ['logging.enabled=false', 'images.registry=ghcr.io'],
      },
      [
        { key: 'kubernetes.namespace' },
        ...KUBERNETES_DEFAULTS.slice(8, 14),
        { key: 'offline.bundle' },
        ...KUBERNETES_DEFAULTS.slice(16, 20),
        { key: 'wizard.save' },
        { key: '--yes' },
      ],
    );
    expect(run.result.spec.kubernetes.ingress.controller).toBe('none');
    expect(run.result.spec.images.registry).toBe('ghcr.io');
    expect(run.result.spec.logging.enabled).toBe(false);
    expect(run.output).toMatch(/Monitoring\s+no\s+\(from env:OPENIM_DEPLOY_MONITORING__ENABLED\)/);
    // Env layers are not repeated on the command line: it runs in the same environment.
    expect(
      replayCommand(run, {
        OPENIM_DEPLOY_KUBERNETES__STORAGE__BACKEND: 'local-path',
        OPENIM_DEPLOY_MONITORING__ENABLED: 'false',
      }),
    ).toEqual(run.result.spec);
  });

  it('a complete config asks nothing but the confirmation', async () => {
    const dir = tempDir();
    const file = join(dir, 'full.yaml');
    const run0 = await runScript({}, edit(KUBERNETES_DEFAULTS, { 'wizard.save': { answer: true } }), { cwd: dir });
    expect(run0.result.saved).toBe(join(dir, 'openim-deploy.yaml'));
    writeFileSync(file, readFileSync(run0.result.saved!, 'utf8'));
    const run = await runScript(
      { file },
      [{ key: 'wizard.save', message: /exists here: overwrite/ }, { key: '--yes' }],
      { cwd: dir },
    );
    expect(run.result.spec).toEqual(run0.result.spec);
  });

  it('bad input is refused before the first question', async () => {
    await expect(runScript({ flags: { target: 'cloud' } }, [])).rejects.toBeInstanceOf(ConfigError);
    await expect(runScript({ preset: 'prod' }, [])).rejects.toThrow(/unknown preset "prod"/);
  });
});

describe('external services', () => {
  let open: Server;
  let openPort = 0;
  let closedPort = 0;
  beforeAll(async () => {
    open = createServer((s) => s.destroy());
    await new Promise<void>((r) => open.listen(0, '127.0.0.1', r));
    openPort = (open.address() as { port: number }).port;
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
  });
  afterAll(() => open.close());

  it('external MongoDB, Redis and Kafka: addresses checked live, credentials never shown or saved', async () => {
    const script = edit(KUBERNETES_DEFAULTS, {
      'infrastructure.mongodb.mode': { answer: 'external', help: /stores users, groups/ },
      'infrastructure.redis.mode': { answer: 'external' },
      'infrastructure.kafka.mode': { answer: 'external' },
      'wizard.save': { answer: true },
    }).flatMap((s): ScriptStep[] => {
      if (s.key === 'infrastructure.mongodb.mode')
        return [
          s,
          {
            key: 'infrastructure.mongodb.address',
            rejects: ['', 'mongo:notaport', 'a b:1'],
            answer: `127.0.0.1:${openPort}`,
          },
          { key: 'infrastructure.mongodb.database', default: 'openim_v3' },
          { key: 'infrastructure.mongodb.username', default: 'openIM' },
          { key: 'infrastructure.mongodb.password', rejects: [''], answer: 'Mongo-Pa55word' },
          { key: 'infrastructure.mongodb.authSource', answer: 'admin' },
        ];
      if (s.key === 'infrastructure.redis.mode')
        return [
          s,
          // Unreachable: the user corrects it instead of keeping it.
          { key: 'infrastructure.redis.address', answer: `127.0.0.1:${closedPort}` },
          { key: 'check:infrastructure.redis.address', default: false, answer: false },
          { key: 'infrastructure.redis.address', answer: `127.0.0.1:${openPort}` },
          { key: 'infrastructure.redis.password', answer: '' },
          { key: 'infrastructure.redis.clusterMode', default: false },
        ];
      if (s.key === 'infrastructure.kafka.mode')
        return [
          s,
          // A host without a port gets Kafka's usual one; unreachable from here, kept anyway.
          { key: 'infrastructure.kafka.address', answer: 'kafka-0.invalid' },
          { key: 'check:infrastructure.kafka.address', answer: true, help: /only the cluster can reach/ },
          { key: 'infrastructure.kafka.username', answer: 'openim' },
          { key: 'infrastructure.kafka.password', answer: 'Kafka-Secret-1' },
          { key: 'infrastructure.kafka.tls', answer: true },
        ];
      return [s];
    });
    const run = await runScript({}, script);
    const infra = run.result.spec.infrastructure;
    expect(infra.mongodb).toMatchObject({
      mode: 'external',
      address: [`127.0.0.1:${openPort}`],
      password: 'Mongo-Pa55word',
      authSource: 'admin',
    });
    expect(infra.redis).toMatchObject({ mode: 'external', address: [`127.0.0.1:${openPort}`] });
    expect(infra.redis.password).toBeUndefined();
    expect(infra.kafka.address).toEqual(['kafka-0.invalid:9092']);
    expect(run.output).toMatch(new RegExp(`NOT reachable: 127\\.0\\.0\\.1:${closedPort} ECONNREFUSED`));
    expect(run.output).toMatch(/MongoDB\s+external 127\.0\.0\.1:\d+, db openim_v3, user openIM, password set/);
    for (const secret of ['Mongo-Pa55word', 'Kafka-Secret-1']) {
      expect(run.output).not.toContain(secret);
      expect(readFileSync(run.result.saved!, 'utf8')).not.toContain(secret);
    }
    expect(run.output).toMatch(/OPENIM_DEPLOY_INFRASTRUCTURE__MONGODB__PASSWORD=…/);
    const saved = parse(readFileSync(run.result.saved!, 'utf8'));
    expect(replayCommand(run)).toEqual(run.result.spec);
    expect(saved.infrastructure.mongodb).toEqual({
      mode: 'external',
      address: [`127.0.0.1:${openPort}`],
      database: 'openim_v3',
      username: 'openIM',
      authSource: 'admin',
    });
  });

  it('cloud object storage is external by nature: endpoint checked, keys required', async () => {
    const script = edit(KUBERNETES_DEFAULTS, {
      'infrastructure.objectStorage.provider': { answer: 's3', choices: ['minio', 's3', 'cos', 'oss', 'kodo'] },
      'infrastructure.objectStorage.mode': 'SKIP',
      'infrastructure.objectStorage.externalAddress': 'SKIP',
    }).flatMap((s): ScriptStep[] =>
      s.key === 'infrastructure.objectStorage.provider'
        ? [
            s,
            {
              key: 'infrastructure.objectStorage.endpoint',
              rejects: ['', 'not a url'],
              answer: `http://127.0.0.1:${openPort}`,
            },
            { key: 'infrastructure.objectStorage.bucket', default: 'openim' },
            { key: 'infrastructure.objectStorage.region', answer: 'us-east-1' },
            { key: 'infrastructure.objectStorage.accessKey', rejects: [''], answer: 'AKIAEXAMPLE' },
            { key: 'infrastructure.objectStorage.secretKey', answer: 'wJalrXUtnFEMI' },
          ]
        : [s],
    );
    const run = await runScript({}, script);
    expect(run.result.spec.infrastructure.objectStorage).toMatchObject({
      provider: 's3',
      mode: 'external',
      endpoint: `http://127.0.0.1:${openPort}`,
      region: 'us-east-1',
    });
    expect(run.output).not.toContain('wJalrXUtnFEMI');
    expect(replayCommand(run)).toEqual(run.result.spec);
    expect(oneLine(run.output)).toMatch(
      /--set infrastructure\.objectStorage\.provider=s3 --set infrastructure\.objectStorage\.mode=external --set infrastructure\.objectStorage\.endpoint=http:\/\/127\.0\.0\.1:\d+ /,
    );
  });
});

describe('branches', () => {
  it('nfs storage asks server and path; a TLS secret asks its name', async () => {
    const script = edit(KUBERNETES_DEFAULTS, {
      'kubernetes.ingress.tls.mode': { answer: 'secret' },
      'kubernetes.storage.backend': { answer: 'nfs' },
    }).flatMap((s): ScriptStep[] => {
      if (s.key === 'kubernetes.ingress.tls.mode')
        return [s, { key: 'kubernetes.ingress.tls.secretName', default: 'openim-tls', rejects: ['Bad_Name'] }];
      if (s.key === 'kubernetes.storage.backend')
        return [
          s,
          { key: 'kubernetes.storage.nfs.server', rejects: ['', 'nfs://x', 'x:/srv'], answer: '10.0.0.5' },
          { key: 'kubernetes.storage.nfs.path', rejects: ['srv/nfs'], answer: '/srv/nfs/openim' },
        ];
      return [s];
    });
    const run = await runScript({}, script);
    expect(run.result.spec.kubernetes.storage.nfs).toEqual({ server: '10.0.0.5', path: '/srv/nfs/openim' });
    expect(replayCommand(run)).toEqual(run.result.spec);
    expect(run.result.spec.kubernetes.ingress.tls.secretName).toBe('openim-tls');
  });

  it('ingress none skips install and TLS; no chat skips the admin console', async () => {
    const script = edit(KUBERNETES_DEFAULTS, {
      'kubernetes.ingress.controller': { answer: 'none' },
      'kubernetes.ingress.install': 'SKIP',
      'kubernetes.ingress.tls.mode': 'SKIP',
      'openim.components.chat': { answer: false },
      'openim.components.adminFront': 'SKIP',
      // Registration is chat's: not asked without it.
      'openim.allowRegister': 'SKIP',
    });
    const run = await runScript({}, script);
    expect(run.result.spec.openim.components).toEqual({ chat: false, webFront: true, adminFront: false });
    expect(run.output).toMatch(/Components\s+server, web client\n/);
  });

  it('a custom registry asks the mirror and pull secret; an offline bundle must exist and needs a registry', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'bundle.tar'), 'not really a bundle');
    const script = edit(KUBERNETES_DEFAULTS, {
      'images.registry': { answer: 'custom' },
      'offline.bundle': { rejects: ['missing.tar'], answer: 'bundle.tar' },
    }).flatMap((s): ScriptStep[] =>
      s.key === 'images.registry'
        ? [
            s,
            { key: 'images.mirror', rejects: ['', 'https://registry.internal'], answer: 'registry.internal:5000' },
            { key: 'images.pullSecret', answer: 'regcred' },
          ]
        : [s],
    );
    const run = await runScript({}, script, { cwd });
    expect(run.result.spec.images).toMatchObject({ mirror: 'registry.internal:5000', pullSecret: 'regcred' });
    expect(run.result.spec.offline.bundle).toBe(join(cwd, 'bundle.tar'));
  });

  it('an offline bundle without a registry asks for the private registry', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'b.tar'), 'x');
    const script = edit(KUBERNETES_DEFAULTS, { 'offline.bundle': { answer: 'b.tar' } }).flatMap((s): ScriptStep[] =>
      s.key === 'offline.bundle'
        ? [s, { key: 'images.mirror', message: /bundle’s images are pushed/, answer: 'registry.internal:5000' }]
        : [s],
    );
    const run = await runScript({}, script, { cwd });
    expect(run.result.spec.images.mirror).toBe('registry.internal:5000');
  });

  it('saying no at the end changes nothing', async () => {
    const run = await runScript({}, edit(KUBERNETES_DEFAULTS, { '--yes': { answer: false } }));
    expect(run.result.confirmed).toBe(false);
    expect(existsSync(join(run.cwd, 'openim-deploy.yaml'))).toBe(false);
  });
});

describe('a real install (not a dry run)', () => {
  const machine = {
    context: 'k3d-dev',
    storageClasses: [{ name: 'local-path', provisioner: 'rancher.io/local-path', isDefault: true }],
    other: (argv: readonly string[]) => {
      const line = argv.join(' ');
      if (line === 'helm version --short') return ok('v3.18.0+g1234\n');
      if (line === 'kubectl version --client -o json')
        return ok(JSON.stringify({ clientVersion: { gitVersion: 'v1.33.0' } }));
      if (line === 'kubectl version -o json') return ok(JSON.stringify({ serverVersion: { gitVersion: 'v1.33.1' } }));
      if (line.startsWith('kubectl get ingressclass'))
        return ok(JSON.stringify({ items: [{ metadata: { name: 'traefik' } }] }));
      if (line.startsWith('kubectl get crd')) return ok(JSON.stringify({ items: [] }));
      if (line.startsWith('kubectl get namespace')) return { exitCode: 1, stdout: '', stderr: 'NotFound' };
      if (line.startsWith('kubectl get nodes')) {
        return ok(
          JSON.stringify({
            items: [
              {
                metadata: { name: 'n1' },
                status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '4', memory: '8Gi' } },
              },
            ],
          }),
        );
      }
      return undefined;
    },
  };

  it('gathers full facts, shows the findings and asks "Install OpenIM on …?"', async () => {
    const script = edit(KUBERNETES_DEFAULTS, {
      target: { help: /k3d-dev answers/ },
      'kubernetes.ingress.controller': { answer: 'none' },
      'kubernetes.ingress.install': 'SKIP',
      'kubernetes.ingress.tls.mode': 'SKIP',
      'kubernetes.storage.backend': { choices: ['class:local-path', 'local-path', 'nfs', 'rook-ceph'] },
      '--yes': { message: 'Install OpenIM on Kubernetes namespace openim?' },
    });
    const run = await runScript({}, script, { machine, wizard: { dryRun: false } });
    expect(run.result.facts.probed).toBe(true);
    expect(run.result.confirmed).toBe(true);
    expect(run.runner.argvs().some((a) => a.join(' ') === 'kubectl get nodes -o json')).toBe(true);
  });

  it('preflight errors stop before the confirmation (after offering to save)', async () => {
    const script = edit(KUBERNETES_DEFAULTS, {
      'kubernetes.ingress.tls.mode': { answer: 'cert-manager' },
      'kubernetes.storage.backend': { choices: ['class:local-path', 'local-path', 'nfs', 'rook-ceph'] },
      '--yes': 'SKIP',
    }).flatMap((s): ScriptStep[] =>
      s.key === 'kubernetes.ingress.tls.mode'
        ? [s, { key: 'kubernetes.ingress.tls.issuer' }, { key: 'kubernetes.ingress.tls.issuerKind' }]
        : [s],
    );
    const error = await runScript({}, script, { machine, wizard: { dryRun: false } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as PreflightError).findings.map((f) => f.id)).toContain('crd.certificates.cert-manager.io');
  });
});

describe('Ctrl-C and the script itself', () => {
  it('Ctrl-C at a prompt is a UserAbort and writes nothing', async () => {
    const cwd = tempDir();
    const abortAt = (key: string): ScriptStep[] =>
      KUBERNETES_DEFAULTS.slice(
        0,
        KUBERNETES_DEFAULTS.findIndex((s) => s.key === key),
      );
    // Ctrl-C in inquirer becomes UserAbort in InquirerPrompter; here the prompt throws it directly.
    class CtrlC extends ScriptedPrompter {
      override async select<T extends string>(q: SelectQuestion<T>): Promise<T> {
        if (q.key === 'infrastructure.mongodb.mode') throw new UserAbort('cancelled at a prompt');
        return super.select(q);
      }
    }
    const prompter = new CtrlC(abortAt('infrastructure.mongodb.mode'));
    await expect(
      runWizard({}, { prompter, runner: fakeMachine({ init: 'x' }), err: () => {}, cwd }, { dryRun: true }),
    ).rejects.toBeInstanceOf(UserAbort);
    expect(existsSync(join(cwd, 'openim-deploy.yaml'))).toBe(false);
  });

  it('an aborted signal (SIGINT between prompts) stops before the next question', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runScript({}, [], { signal: controller.signal })).rejects.toBeInstanceOf(UserAbort);
  });

  it('fails on an unexpected prompt, a refused answer, and unused steps', async () => {
    await expect(runScript({}, [{ key: 'profile' }])).rejects.toThrow(
      /unexpected prompt #1 \(select target.*expected profile/,
    );
    await expect(
      runScript({}, [...KUBERNETES_DEFAULTS.slice(0, 2), { key: 'openim.domain', answer: 'Not A Domain' }]),
    ).rejects.toThrow(/answer "Not A Domain" refused: must be a lower-case DNS name/);
    await expect(runScript({}, [...KUBERNETES_DEFAULTS, { key: 'extra' }])).rejects.toBeInstanceOf(ScriptError);
  });
});

describe('the summary shows the URLs the plan writes (issue #19: it said https while the plan said http)', () => {
  /** MinIO's externalAddress as the plan writes it into the config files. */
  const planFilesUrl = (spec: Parameters<typeof buildPlan>[0]): string => {
    const text = JSON.stringify(buildPlan(spec, unprobedFacts(spec.target)));
    const found = /externalAddress: (\S+?)\\n/.exec(text);
    if (!found) throw new Error('no externalAddress in the plan');
    return found[1]!;
  };

  it('kubernetes without TLS: http, as the ingress serves it; the question offers the same', async () => {
    const run = await runScript(
      {},
      edit(KUBERNETES_DEFAULTS, {
        'infrastructure.objectStorage.externalAddress': {
          message: /empty: http:\/\/openim\.localhost\/im-minio-api\)/,
        },
      }),
    );
    const url = planFilesUrl(run.result.spec);
    expect(url).toBe('http://openim.localhost/im-minio-api');
    expect(run.output).toContain(`files at ${url}`);
    expect(run.output).not.toContain('https://');
  });

  it('kubernetes with TLS from a Secret: https', async () => {
    const script = edit(KUBERNETES_DEFAULTS, { 'kubernetes.ingress.tls.mode': { answer: 'secret' } }).flatMap(
      (s): ScriptStep[] =>
        s.key === 'kubernetes.ingress.tls.mode'
          ? [s, { key: 'kubernetes.ingress.tls.secretName', answer: 'openim-tls' }]
          : [s],
    );
    const run = await runScript({}, script);
    expect(planFilesUrl(run.result.spec)).toBe('https://openim.localhost/im-minio-api');
    expect(run.output).toContain('files at https://openim.localhost/im-minio-api');
  });

  it("binary with a domain: the host's MinIO port", async () => {
    const run = await runScript({ flags: { target: 'binary', openim: { domain: '10.0.0.5' } } }, [
      { key: 'profile' },
      { key: 'binary.proxy.enabled' },
      { key: 'infrastructure.objectStorage.provider' },
      { key: 'infrastructure.objectStorage.mode' },
      { key: 'infrastructure.objectStorage.externalAddress', message: /empty: http:\/\/10\.0\.0\.5:10005\)/ },
      ...KUBERNETES_DEFAULTS.slice(11, 14),
      { key: 'infrastructure.etcd.mode' },
      { key: 'binary.mirror' },
      { key: 'offline.bundle' },
      { key: 'openim.components.chat' },
      { key: 'openim.allowRegister' },
      { key: 'binary.source' },
      { key: 'monitoring.enabled' },
      { key: 'logging.enabled' },
      { key: 'wizard.save' },
      { key: '--yes' },
    ]);
    expect(planFilesUrl(run.result.spec)).toBe('http://10.0.0.5:10005');
    expect(run.output).toContain('files at http://10.0.0.5:10005');
  });
});
