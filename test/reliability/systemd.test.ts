// The binary target's reliability on a REAL systemd (systemd-nspawn, see
// test/systemd/container.ts): the installer is killed with SIGKILL in the
// middle of a run (no chance to clean up: a "started" step, a lock file of a
// dead process), the same command again finishes with every unit active;
// `status` reads the units; `uninstall` stops and removes what was installed
// and keeps the data folders and the credentials; install again comes back
// with the same credentials.
//
// Fixtures as in test/systemd/install.test.ts, named as such: the OpenIM
// binaries are the openim-stand-in program; Redis and etcd are the Debian
// packages (external infrastructure); MongoDB, Kafka and MinIO are
// fake-infra TCP listeners. Needs root and the rootfs
// (`bash scripts/systemd/make-rootfs.sh`); skipped otherwise.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_MODULES, SERVER_MODULES } from '../../src/catalog/modules.js';
import { DEFAULT_CHAT_VERSION, DEFAULT_SERVER_VERSION } from '../../src/catalog/openim-versions.js';
import { unitNameOf } from '../../src/targets/binary/units.js';
import { DEFAULT_ROOTFS, SystemdContainer, type ExecResult } from '../systemd/container.js';
import { buildStandIn, packExport, serveArtifacts, type Artifact, type ArtifactServer } from '../systemd/fixtures/artifacts.js';

const ready = process.getuid?.() === 0 && existsSync(join(DEFAULT_ROOTFS, '.openim-rootfs-complete'));
const REDIS_PORT = 26391;
const REDIS_PASSWORD = 'reliability-redis-password-0815';
const ETCD_PORT = 23791;
const ETCD_PEER_PORT = 23801;
const FAKE = { mongodb: 27118, kafka: 19093, minio: 19001 };
const STATE = '/var/lib/openim-deploy/state.json';
const moduleUnits = [...SERVER_MODULES, ...CHAT_MODULES].map((m) => `${unitNameOf(m)}@0.service`);

const config = stringify({
  openim: { components: { webFront: false, adminFront: false } },
  infrastructure: {
    mongodb: { mode: 'external', address: [`127.0.0.1:${FAKE.mongodb}`], password: 'fake-mongodb-password' },
    redis: { mode: 'external', address: [`127.0.0.1:${REDIS_PORT}`], password: REDIS_PASSWORD },
    kafka: { mode: 'external', address: [`127.0.0.1:${FAKE.kafka}`], createTopics: false },
    objectStorage: { mode: 'external', endpoint: `127.0.0.1:${FAKE.minio}`, accessKey: 'fake-access-key', secretKey: 'fake-secret-key' },
    etcd: { mode: 'external', address: [`127.0.0.1:${ETCD_PORT}`] },
  },
  monitoring: { enabled: false },
  logging: { enabled: false },
});

describe.skipIf(!ready)('binary target on real systemd: killed installer, resume, status, uninstall', () => {
  let workDir: string;
  let server: Artifact;
  let chat: Artifact;
  let mirror: ArtifactServer;
  let c: SystemdContainer;

  const cli = (command: string[], extra: string[] = []): Promise<ExecResult> =>
    c.exec([
      'node', '/repo/bin/openim-deploy.js', ...command, '--target', 'binary', '--preset', 'single-host', '-c', '/root/openim.yaml',
      '--set', `binary.mirror=${mirror.base}/good`,
      '--set', `binary.artifacts.server.sha256=${server.sha256}`,
      '--set', `binary.artifacts.chat.sha256=${chat.sha256}`,
      ...extra,
    ]);
  const show = async (unit: string) => Object.fromEntries((await c.execOk(['systemctl', 'show', '-p', 'ActiveState,UnitFileState,LoadState', unit])).trim().split('\n').map((l) => l.split('=') as [string, string]));
  const state = async () => JSON.parse(await c.readFile(STATE)) as { secrets: Record<string, string>; steps: Record<string, { status: string }> };

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'openim-reliability-'));
    const standIn = buildStandIn();
    server = packExport('server', DEFAULT_SERVER_VERSION, standIn, workDir);
    chat = packExport('chat', DEFAULT_CHAT_VERSION, standIn, workDir);
    mirror = await serveArtifacts([server, chat]);
    c = await SystemdContainer.start({ name: `openim-reliability-${process.pid}`, rootfs: DEFAULT_ROOTFS, bindRo: [{ host: standIn, container: '/fixtures' }] });
    await c.writeFile('/root/openim.yaml', config, 0o600);
    const redisConf = await c.readFile('/etc/redis/redis.conf');
    await c.writeFile('/etc/redis/redis.conf', `${redisConf}\nport ${REDIS_PORT}\nrequirepass ${REDIS_PASSWORD}\n`, 0o640);
    await c.writeFile(
      '/etc/default/etcd',
      [`ETCD_NAME=r`, `ETCD_LISTEN_CLIENT_URLS=http://127.0.0.1:${ETCD_PORT}`, `ETCD_ADVERTISE_CLIENT_URLS=http://127.0.0.1:${ETCD_PORT}`, `ETCD_LISTEN_PEER_URLS=http://127.0.0.1:${ETCD_PEER_PORT}`, `ETCD_INITIAL_ADVERTISE_PEER_URLS=http://127.0.0.1:${ETCD_PEER_PORT}`, `ETCD_INITIAL_CLUSTER=r=http://127.0.0.1:${ETCD_PEER_PORT}`, ''].join('\n'),
    );
    await c.writeFile('/etc/systemd/system/fixture-fake-infra.service', ['[Unit]', 'Description=TEST FIXTURE: fake MongoDB, Kafka and MinIO listeners', '', '[Service]', `ExecStart=/fixtures/fake-infra ${FAKE.mongodb} ${FAKE.kafka} ${FAKE.minio}`, ''].join('\n'));
    await c.execOk(['systemctl', 'daemon-reload']);
    await c.execOk(['systemctl', 'start', 'redis-server.service', 'etcd.service', 'fixture-fake-infra.service']);
  }, 600_000);

  afterAll(async () => {
    await c?.stop();
    await mirror?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('SIGKILL mid-run, then the same command: resumes past the dead lock and ends with every unit active', async () => {
    const first = cli(['install', '--yes']);
    // Kill once the units are written and some have started: a half-installed host.
    const deadline = Date.now() + 300_000;
    for (;;) {
      const s = await c.exec(['cat', STATE]);
      const steps = s.exitCode === 0 ? (JSON.parse(s.stdout) as { steps: Record<string, { status: string }> }).steps : {};
      if (steps['binary.units']?.status === 'done') break;
      if (Date.now() > deadline) throw new Error(`the install never reached binary.units: ${JSON.stringify(steps)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await c.execOk(['pkill', '-KILL', '-f', 'openim-deploy.js install']);
    const killed = await first;
    expect(killed.exitCode).not.toBe(0);
    const cut = await state();
    const secrets = cut.secrets;
    expect(Object.values(cut.steps).some((e) => e.status !== 'done') || Object.keys(cut.steps).length < 20).toBe(true);
    // The dead run's lock file is still there; the next run must take it over, not refuse.
    expect((await c.exec(['test', '-e', '/var/lib/openim-deploy/lock'])).exitCode).toBe(0);

    const again = await cli(['install', '--yes', '--json']);
    expect(again.exitCode, again.stderr.slice(-2000)).toBe(0);
    const events = again.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; id: string; status?: string });
    const doneBefore = Object.entries(cut.steps).filter(([, e]) => e.status === 'done').map(([id]) => id);
    // Resumed: what was done before the kill is not redone.
    const rerun = events.filter((e) => e.type === 'step' && e.status === 'started' && doneBefore.includes(e.id)).map((e) => e.id);
    expect(rerun).toEqual([]);
    for (const unit of [...moduleUnits, 'openim.target']) expect((await show(unit)).ActiveState, unit).toBe('active');
    expect((await state()).secrets).toEqual(secrets);
    expect(Object.values((await state()).steps).every((e) => e.status === 'done')).toBe(true);
  }, 900_000);

  it('status reads every unit: healthy, versions from the current links', async () => {
    const r = await cli(['status', '--json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { healthy: boolean; components: { name: string; version: string; ready: number; desired: number }[] };
    expect(report.healthy).toBe(true);
    expect(report.components.find((x) => x.name === 'openim-api')).toMatchObject({ version: DEFAULT_SERVER_VERSION, ready: 1, desired: 1 });
    // A stopped unit makes it unhealthy, exit 4.
    await c.execOk(['systemctl', 'stop', 'openim-rpc-user@0.service']);
    const down = await cli(['status']);
    expect(down.exitCode).toBe(4);
    expect(down.stdout).toContain('openim-rpc-user');
    await c.execOk(['systemctl', 'start', 'openim-rpc-user@0.service']);
  }, 120_000);

  it('uninstall stops and removes the units and releases, keeps the data folders and credentials; install brings it back', async () => {
    const secrets = (await state()).secrets;
    const r = await cli(['uninstall', '--yes']);
    expect(r.exitCode, r.stderr.slice(-2000)).toBe(0);
    for (const unit of ['openim-api@0.service', 'openim.target']) expect((await show(unit)).LoadState, unit).toBe('not-found');
    expect((await c.exec(['sh', '-c', 'ls /etc/systemd/system/openim* 2>/dev/null'])).stdout).toBe('');
    expect((await c.exec(['test', '-e', `/opt/openim/${DEFAULT_SERVER_VERSION}`])).exitCode).not.toBe(0);
    // Data stays.
    await c.execOk(['test', '-d', '/var/lib/openim/server']);
    expect((await state()).secrets).toEqual(secrets);

    const back = await cli(['install', '--yes']);
    expect(back.exitCode, back.stderr.slice(-2000)).toBe(0);
    for (const unit of moduleUnits) expect((await show(unit)).ActiveState, unit).toBe('active');
    expect((await state()).secrets).toEqual(secrets);
  }, 900_000);
});
