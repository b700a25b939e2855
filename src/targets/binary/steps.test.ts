import { parseUnit } from './systemd-ini.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolve.js';
import { DEFAULT_SERVER_VERSION } from '../../catalog/openim-versions.js';
import { renderPlan } from '../../render/render.js';
import type { ExecAction, Plan, WaitAction } from '../../plan/types.js';
import {
  allExternal,
  ancestors,
  byId,
  FAKE_SHA,
  plan,
  probedHost,
  singleHost,
} from '../../../test/helpers/binary-specs.js';
import { KAFKA_CONSUMER_GROUPS, KAFKA_TOPICS } from '../../catalog/modules.js';
import { REGISTER_GROUP_SCRIPT } from './kafka-groups.js';

describe('binary plan', () => {
  it('fetches and verifies every artifact before anything touches the host', () => {
    const p = plan();
    const fetches = p.steps.filter((s) => s.id.startsWith('binary.fetch.')).map((s) => s.id);
    // Grafana too: single-host runs monitoring, and every download is verified before the host changes.
    expect(fetches).toEqual([
      'binary.fetch.server',
      'binary.fetch.chat',
      'binary.fetch.mongodb',
      'binary.fetch.mongosh',
      'binary.fetch.kafka',
      'binary.fetch.minio',
      'binary.fetch.grafana',
    ]);
    for (const step of p.steps) {
      if (step.id.startsWith('binary.fetch.')) {
        // Fetches write only into the work dir.
        expect(
          step.actions.every((a) => a.kind === 'fetch' && !a.to.startsWith('/')),
          step.id,
        ).toBe(true);
        continue;
      }
      const changesHost = step.actions.some(
        (a) => a.kind === 'write' || a.kind === 'extract' || (a.kind === 'exec' && a.mutates),
      );
      if (changesHost) expect([...ancestors(p, step.id)], step.id).toEqual(expect.arrayContaining(fetches));
    }
  });

  it('binary.source build (no archive given): builds server and chat with go into the export layout, then unpacks them as usual', () => {
    const p = plan(
      resolveConfig({
        preset: 'single-host',
        sets: ['binary.build.goproxy=https://goproxy.example,direct', 'binary.build.gonosumdb=github.com/openimsdk'],
      }).spec,
    );
    const steps = byId(p);
    expect(steps.has('binary.fetch.server')).toBe(false);
    const build = steps.get('binary.build.server')!;
    expect(build.actions).toEqual([
      expect.objectContaining({
        kind: 'go-build',
        module: 'github.com/openimsdk/open-im-server/v3',
        version: DEFAULT_SERVER_VERSION,
        arch: 'amd64',
        services: expect.arrayContaining(['cmd/openim-api', 'cmd/openim-rpc/openim-rpc-user']),
        tools: ['tools/check-component', 'tools/check-free-memory', 'tools/seq'],
        env: { GOPROXY: 'https://goproxy.example,direct', GONOSUMDB: 'github.com/openimsdk' },
        cacheDir: '/var/lib/openim-deploy/build-cache',
        to: `artifacts/exported_open-im-server_${DEFAULT_SERVER_VERSION}_linux_amd64.tar.gz`,
      }),
    ]);
    expect((steps.get('binary.build.chat')!.actions[0] as { services: string[] }).services).toEqual([
      'cmd/api/chat-api',
      'cmd/api/admin-api',
      'cmd/rpc/chat-rpc',
      'cmd/rpc/admin-rpc',
    ]);
    expect(steps.get('binary.extract.server')!.needs).toEqual(['binary.dirs', 'binary.build.server']);
    expect(steps.get('binary.extract.server')!.actions[0]).toMatchObject({
      kind: 'extract',
      archive: `artifacts/exported_open-im-server_${DEFAULT_SERVER_VERSION}_linux_amd64.tar.gz`,
    });
    // Nothing on the host changes before the builds succeeded.
    expect(steps.get('binary.user')!.needs).toEqual(
      expect.arrayContaining(['binary.build.server', 'binary.build.chat']),
    );
    // A tarball given (mirror) means no build.
    expect(byId(plan()).has('binary.build.server')).toBe(false);
  });

  it('runs in order: user, dirs, units, infrastructure, server, its health, chat, summary', () => {
    const ids = plan().steps.map((s) => s.id);
    const order = [
      'binary.user',
      'binary.dirs',
      'binary.units',
      'binary.start.infra',
      'binary.infra.ready',
      'binary.start.server',
      'binary.health.server',
      'binary.start.chat',
      'binary.health.chat',
      'binary.summary',
    ];
    const positions = order.map((id) => ids.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const p = plan();
    expect(ancestors(p, 'binary.start.chat')).toContain('binary.health.server');
    expect([...ancestors(p, 'binary.start.server')]).toEqual(
      expect.arrayContaining([
        'binary.infra.ready',
        'binary.switch.server',
        'binary.config.server',
        'binary.infra.mongodb.users',
        'binary.infra.kafka.topics',
      ]),
    );
  });

  it('downloads from the mirror with the pins from the config', () => {
    const fetch = byId(plan()).get('binary.fetch.server')!.actions[0]!;
    expect(fetch).toEqual({
      kind: 'fetch',
      url: 'http://mirror.example/openim/exported_open-im-server_v3.8.3_linux_amd64.tar.gz',
      sha256: FAKE_SHA,
      to: 'artifacts/exported_open-im-server_v3.8.3_linux_amd64.tar.gz',
    });
  });

  it('prefers a local file, then an explicit URL, then the offline bundle, then the mirror', () => {
    const server = (...sets: string[]) => byId(plan(singleHost(...sets))).get('binary.fetch.server')!.actions[0]!;
    expect(
      server('binary.artifacts.server.file=/srv/x.tar.gz', 'binary.artifacts.server.url=http://u/y.tar.gz'),
    ).toMatchObject({ file: '/srv/x.tar.gz', to: 'artifacts/x.tar.gz' });
    expect(server('binary.artifacts.server.url=http://u/y.tar.gz', 'offline.bundle=/b.tar')).toMatchObject({
      url: 'http://u/y.tar.gz',
    });
    // Offline: the file `install --bundle` staged after verifying the bundle; its checksum list is the pin when none is given.
    expect(server('offline.bundle=/b.tar')).toEqual({
      kind: 'fetch',
      file: 'bundle/files/exported_open-im-server_v3.8.3_linux_amd64.tar.gz',
      sha256: FAKE_SHA,
      to: 'artifacts/exported_open-im-server_v3.8.3_linux_amd64.tar.gz',
    });
    expect(byId(plan(singleHost('offline.bundle=/b.tar'))).get('binary.fetch.kafka')!.actions[0]).toEqual({
      kind: 'fetch',
      file: 'bundle/files/kafka_2.13-3.9.1.tgz_linux_amd64',
      sha256: '',
      verifiedBy: 'offline-bundle',
      to: 'artifacts/kafka_2.13-3.9.1.tgz_linux_amd64',
    });
    // Infrastructure archives come from the mirror too, else from the vendor URL in the catalog.
    expect(byId(plan()).get('binary.fetch.kafka')!.actions[0]).toMatchObject({
      url: 'http://mirror.example/openim/kafka_2.13-3.9.1.tgz',
      sha256: '',
    });
    expect(
      byId(
        plan(
          singleHost(
            'binary.mirror=',
            'binary.artifacts.server.url=http://u/s.tar.gz',
            'binary.artifacts.chat.url=http://u/c.tar.gz',
          ),
        ),
      ).get('binary.fetch.kafka')!.actions[0],
    ).toMatchObject({
      url: 'https://archive.apache.org/dist/kafka/3.9.1/kafka_2.13-3.9.1.tgz',
    });
    expect(
      byId(plan(singleHost(), probedHost({ arch: 'arm64' }))).get('binary.fetch.server')!.actions[0],
    ).toMatchObject({ to: expect.stringContaining('linux_arm64') });
  });

  it('unpacks bin/ and tools/ of the export layout into the version folder and switches current atomically', () => {
    const steps = byId(plan());
    expect(steps.get('binary.extract.server')!.actions[0]).toEqual({
      kind: 'extract',
      archive: 'artifacts/exported_open-im-server_v3.8.3_linux_amd64.tar.gz',
      to: '/opt/openim/v3.8.3',
      select: [
        { from: '_output/bin/platforms/linux/amd64', to: 'bin' },
        { from: '_output/bin/tools/linux/amd64', to: 'tools' },
      ],
    });
    expect(steps.get('binary.switch.server')!.actions.map((a) => (a.kind === 'exec' ? a.argv : []))).toEqual([
      ['ln', '-sfn', 'v3.8.3', '/opt/openim/current.new'],
      ['mv', '-T', '-f', '/opt/openim/current.new', '/opt/openim/current'],
    ]);
    expect(steps.get('binary.extract.chat')!.actions[0]).toMatchObject({ to: '/opt/openim/chat/v1.8.4' });
  });

  it('writes config files 0640 with placeholders, owned by root:openim, and renders them', () => {
    const p = plan();
    const config = byId(p).get('binary.config.server')!;
    const writes = config.actions.filter((a) => a.kind === 'write');
    expect(writes.length).toBe(22);
    for (const w of writes) {
      expect(w.mode).toBe(0o640);
      expect(w.render).toMatch(/^config\/server\/[a-z-]+\.yml$/);
    }
    expect(writes.find((w) => w.path.endsWith('/share.yml'))!.content).toContain('«secret:openim.secret»');
    expect(writes.find((w) => w.path.endsWith('/log.yml'))!.content).toContain('isStdout: true');
    expect(config.actions.at(-1)).toMatchObject({
      kind: 'exec',
      argv: expect.arrayContaining(['chown', 'root:openim', '/etc/openim/server/share.yml']),
    });
    const chatWrites = byId(p)
      .get('binary.config.chat')!
      .actions.filter((a) => a.kind === 'write');
    expect(chatWrites.map((w) => w.render)).toContain('config/chat/chat-api-chat.yml');
    // Logs go to the journal; file logs only when asked for.
    expect(writes.find((w) => w.path.endsWith('/log.yml'))!.content).toContain('storageLocation: ""');
    const fileLogs = byId(plan(singleHost('binary.fileLogs=true')));
    const logYml = (id: string) =>
      fileLogs.get(id)!.actions.find((a) => a.kind === 'write' && a.path.endsWith('/log.yml'));
    expect(logYml('binary.config.server')).toMatchObject({
      content: expect.stringContaining('storageLocation: /var/lib/openim/server/logs'),
    });
    expect(logYml('binary.config.chat')).toMatchObject({
      content: expect.stringContaining('storageLocation: /var/lib/openim/chat/logs'),
    });
    // No secret value anywhere: the plan is pure and only has placeholders.
    expect(JSON.stringify(p)).not.toMatch(/openIM123|chat123/);
  });

  it('writes every unit, renders it under systemd/, then reloads systemd', () => {
    const units = byId(plan()).get('binary.units')!;
    const writes = units.actions.filter((a) => a.kind === 'write');
    expect(
      writes.every(
        (w) => w.render === `systemd/${w.path.split('/').pop()}` && w.path.startsWith('/etc/systemd/system/'),
      ),
    ).toBe(true);
    expect(units.actions.at(-1)).toEqual({ kind: 'exec', argv: ['systemctl', 'daemon-reload'], mutates: true });
  });

  it('enables every instance and restarts the product target', () => {
    const p = plan(singleHost('openim.replicas.openim-push=3'));
    const start = byId(p).get('binary.start.server')!;
    const [enable, restart, ...rest] = start.actions.filter((a) => a.kind === 'exec');
    expect(rest).toEqual([]);
    expect(byId(p).get('binary.start.chat')!.actions.at(-1)).toMatchObject({
      argv: ['systemctl', 'start', 'openim.target'],
    });
    expect(enable!.argv).toEqual(
      expect.arrayContaining([
        'systemctl',
        'enable',
        'openim.target',
        'openim-server.target',
        'openim-server-check.service',
        'openim-api@0.service',
        'openim-push@2.service',
      ]),
    );
    expect(enable!.argv).not.toContain('openim-push@3.service');
    expect(restart!.argv).toEqual(['systemctl', 'restart', 'openim-server.target']);
  });

  it('restarts a product only when its config, units or binaries change', () => {
    const note = (p: Plan, id: string) => JSON.stringify(byId(p).get(id)!.actions[0]);
    const a = plan();
    expect(note(plan(), 'binary.start.server')).toBe(note(a, 'binary.start.server'));
    const changed = plan(singleHost('openim.replicas.openim-push=2'));
    expect(note(changed, 'binary.start.server')).not.toBe(note(a, 'binary.start.server'));
    const newTarball = plan(singleHost(`binary.artifacts.server.sha256=${'b'.repeat(64)}`));
    expect(note(newTarball, 'binary.start.server')).not.toBe(note(a, 'binary.start.server'));
    expect(note(newTarball, 'binary.start.chat')).toBe(note(a, 'binary.start.chat'));
  });

  it('waits for every instance port and an admin token, then runs the verify checks last', () => {
    const health = byId(plan(singleHost('openim.replicas.openim-push=2'))).get('binary.health.server')!;
    const waits = health.actions as WaitAction[];
    const ports = waits.filter((w) => w.probe.kind === 'tcp').map((w) => (w.probe as { port: number }).port);
    expect(ports).toEqual(expect.arrayContaining([10001, 10002, 10140, 10170, 10171, 10320]));
    expect(ports).not.toContain(12002); // metrics are not health
    expect(waits.at(-1)!.probe).toEqual({
      kind: 'openim-admin-token',
      apiUrl: 'http://127.0.0.1:10002',
      secret: '«secret:openim.secret»',
      adminUserID: 'imAdmin',
    });
    const verify = byId(plan()).get('binary.verify')!;
    expect(verify.needs).toEqual(['binary.health.server', 'binary.health.chat', 'binary.chat.admin-password']);
    expect((verify.actions[0] as WaitAction).probe).toMatchObject({
      kind: 'openim-verify',
      endpoints: {
        api: 'http://127.0.0.1:10002',
        ws: 'ws://127.0.0.1:10001',
        chat: 'http://127.0.0.1:10008',
        admin: 'http://127.0.0.1:10009',
      },
      secret: '«secret:openim.secret»',
      superCode: '«secret:chat.superCode»',
      deliveryTimeoutSeconds: 90,
    });
    expect(byId(plan()).get('binary.summary')!.needs).toEqual(['binary.verify', 'binary.chat.admin-password']);
    // Every instance running, ports or not (crontask has none).
    const active = waits.find((w) => w.probe.kind === 'exec')!.probe as { argv: string[] };
    expect(active.argv).toEqual(
      expect.arrayContaining([
        'systemctl',
        'is-active',
        '--quiet',
        'openim-crontask@0.service',
        'openim-push@1.service',
      ]),
    );
    const chat = byId(plan()).get('binary.health.chat')!.actions as WaitAction[];
    expect(chat.filter((w) => w.probe.kind === 'tcp').map((w) => (w.probe as { port: number }).port)).toEqual([
      10008, 10009, 30200, 30300,
    ]);
  });

  it('with external infrastructure: no infrastructure fetch, package or unit, and probes the given addresses', () => {
    const p = plan(allExternal());
    const ids = p.steps.map((s) => s.id);
    expect(ids.filter((id) => id.startsWith('binary.fetch.'))).toEqual([
      'binary.fetch.server',
      'binary.fetch.chat',
      'binary.fetch.grafana',
    ]);
    expect(ids.some((id) => id.startsWith('binary.infra.') && id !== 'binary.infra.ready')).toBe(false);
    expect(ids).not.toContain('binary.start.infra');
    const probes = (byId(p).get('binary.infra.ready')!.actions as WaitAction[]).map((w) => w.probe);
    expect(probes).toEqual([
      { kind: 'tcp', host: '127.0.0.1', port: 27017 },
      { kind: 'tcp', host: '127.0.0.1', port: 6379 },
      { kind: 'tcp', host: '127.0.0.1', port: 9092 },
      { kind: 'tcp', host: '127.0.0.1', port: 9000 },
      { kind: 'tcp', host: '127.0.0.1', port: 2379 },
    ]);
    const units = byId(p)
      .get('binary.units')!
      .actions.filter((a) => a.kind === 'write')
      .map((w) => w.path);
    expect(units.some((u) => /openim-(redis|mongodb|kafka|minio|etcd)\.service/.test(u))).toBe(false);
  });

  it('creates Kafka topics on an external Kafka with the Kafka tools', () => {
    const p = plan(allExternal('infrastructure.kafka.createTopics=true'));
    const topics = byId(p).get('binary.infra.kafka.topics')!;
    expect(p.steps.map((s) => s.id)).toContain('binary.fetch.kafka');
    const execs = topics.actions.filter(
      (a): a is ExecAction => a.kind === 'exec' && a.argv.some((x) => x.endsWith('/kafka-topics.sh')),
    );
    expect(execs.map((e) => e.argv[e.argv.indexOf('--topic') + 1])).toEqual([
      'toRedis',
      'toMongo',
      'toPush',
      'toOfflinePush',
    ]);
    expect(execs[0]!.argv).toEqual(
      expect.arrayContaining(['--bootstrap-server', '127.0.0.1:9092', '--partitions', '8', '--if-not-exists']),
    );
  });

  it("then registers OpenIM's consumer groups at the earliest offsets, each only if it does not exist (the program is run for real by test:helm)", () => {
    const topics = byId(plan(singleHost(), probedHost())).get('binary.infra.kafka.topics')!;
    const execs = topics.actions.filter((a): a is ExecAction => a.kind === 'exec');
    const groups = execs.filter((e) => e.argv.includes(REGISTER_GROUP_SCRIPT));
    // After every topic exists.
    expect(execs.indexOf(groups[0]!)).toBe(4);
    expect(groups.map((e) => e.argv.slice(e.argv.indexOf(REGISTER_GROUP_SCRIPT) + 2))).toEqual([
      ['/opt/openim/infra/kafka-3.9.1/bin/kafka-consumer-groups.sh', '127.0.0.1:9092', 'redis', 'toRedis'],
      ['/opt/openim/infra/kafka-3.9.1/bin/kafka-consumer-groups.sh', '127.0.0.1:9092', 'mongo', 'toMongo'],
      ['/opt/openim/infra/kafka-3.9.1/bin/kafka-consumer-groups.sh', '127.0.0.1:9092', 'push', 'toPush'],
      ['/opt/openim/infra/kafka-3.9.1/bin/kafka-consumer-groups.sh', '127.0.0.1:9092', 'offlinePush', 'toOfflinePush'],
    ]);
    // The group names come from the catalog, as OpenIM's kafka.yml gets them.
    expect(groups.map((e) => e.argv.at(-2))).toEqual(KAFKA_TOPICS.map((t) => KAFKA_CONSUMER_GROUPS[t]));
    // An existing group is never moved; the text takes its values as arguments, never spliced in.
    expect(REGISTER_GROUP_SCRIPT).toMatch(
      /grep -qxF "\$group"; then echo "group \$group: exists, offsets left alone"; exit 0; fi/,
    );
    expect(REGISTER_GROUP_SCRIPT).not.toMatch(/redis|toRedis/);
  });

  it('bundled infrastructure: packages for Redis and etcd, archives for the rest, a unit each, generated credentials', () => {
    const p = plan(singleHost(), probedHost());
    const steps = byId(p);
    expect(steps.get('binary.infra.packages')!.actions.map((a) => (a.kind === 'exec' ? a.argv.join(' ') : ''))).toEqual(
      [
        'apt-get update',
        'env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server etcd-server',
        'systemctl disable --now redis-server.service etcd.service',
      ],
    );
    expect(
      byId(plan(singleHost(), probedHost({ packageManager: 'dnf' }))).get('binary.infra.packages')!.actions[0],
    ).toMatchObject({ argv: ['dnf', 'install', '-y', 'redis', 'etcd'] });
    const redisConf = steps.get('binary.infra.redis')!.actions.find((a) => a.kind === 'write')!;
    expect(redisConf).toMatchObject({
      path: '/etc/openim/redis/redis.conf',
      mode: 0o640,
      content: expect.stringContaining('requirepass "«secret:redis.password|redis»"'),
    });
    const users = steps.get('binary.infra.mongodb.users')!.actions.find((a) => a.kind === 'exec')!;
    // Passwords go through stdin, never argv.
    expect(users.argv.join(' ')).not.toContain('secret');
    expect(users.input).toContain('«secret:mongodb.password|js»');
    expect(users.input).toContain('role: \'readWrite\', db: "openim_v3"');
    expect(steps.get('binary.start.infra')!.actions.at(-1)).toMatchObject({
      argv: [
        'systemctl',
        'restart',
        'openim-mongodb.service',
        'openim-redis.service',
        'openim-kafka.service',
        'openim-minio.service',
        'openim-etcd.service',
      ],
    });
  });

  it('bundled infrastructure units see all of /proc (MinIO exits on a hidden /proc/mounts), OpenIM units only their own processes', () => {
    const p = plan(singleHost(), probedHost());
    const writes = [...byId(p).values()].flatMap((s) => s.actions).filter((a) => a.kind === 'write');
    const unit = (name: string) => parseUnit(writes.find((w) => w.path.endsWith(`/${name}`))!.content);
    for (const name of [
      'openim-minio.service',
      'openim-mongodb.service',
      'openim-kafka.service',
      'openim-redis.service',
      'openim-etcd.service',
    ]) {
      expect(unit(name).Service!.ProcSubset, name).toEqual(['all']);
    }
    expect(unit('openim-api@.service').Service!.ProcSubset).toEqual(['pid']);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(plan())).toBe(JSON.stringify(plan()));
  });

  it('render writes systemd/*, config/server/*.yml and config/chat/*.yml, placeholders kept', async () => {
    const out = mkdtempSync(join(tmpdir(), 'binary-render-'));
    try {
      await renderPlan(plan(), { outDir: out, templatesDir: '/nonexistent' });
      expect(readdirSync(join(out, 'systemd'))).toEqual(
        expect.arrayContaining([
          'openim.target',
          'openim-api@.service',
          'openim-chat-api@.service',
          'openim-redis.service',
        ]),
      );
      expect(readdirSync(join(out, 'config/server'))).toHaveLength(22);
      expect(readdirSync(join(out, 'config/chat'))).toEqual(expect.arrayContaining(['share.yml', 'chat-api-chat.yml']));
      expect(readFileSync(join(out, 'config/server/redis.yml'), 'utf8')).toContain('«secret:redis.password»');
      // Credential-only files are not rendered.
      expect(readdirSync(join(out, 'config'))).not.toContain('minio');
      // Monitoring: its config under monitoring/, its units beside the others.
      expect(readdirSync(join(out, 'monitoring'))).toEqual(
        expect.arrayContaining(['prometheus.yml', 'rules', 'grafana']),
      );
      expect(readFileSync(join(out, 'monitoring/grafana/grafana.env'), 'utf8')).toContain(
        '«secret:grafana.adminPassword|env»',
      );
      expect(readdirSync(join(out, 'systemd'))).toEqual(
        expect.arrayContaining([
          'openim-monitoring.target',
          'openim-prometheus.service',
          'openim-node-exporter.service',
        ]),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
