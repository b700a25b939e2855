// `openim-deploy install --target binary` on a real systemd (systemd-nspawn,
// see container.ts), run by the CLI inside the container.
//
// Real: systemd, the installer, the downloads over HTTP, Redis and etcd
// (Debian packages, run as EXTERNAL infrastructure on non-default ports),
// and monitoring: Prometheus and node_exporter from the Debian packages
// (preinstalled in the rootfs, as on a host without a reachable mirror) run
// by the installer's own units, scraping the stand-ins and reading systemd.
// Grafana, Loki and Alloy are upstream archives this machine cannot
// download: Grafana is set to an external URL and logging stays off.
// Fixtures, named as such (fixtures/binary-host.ts): the OpenIM binaries are
// the openim-stand-in Go program (fixtures/openim-stand-in) packed as
// exported_*.tar.gz; MongoDB, Kafka and MinIO (no Debian packages) are
// `fake-infra` TCP listeners, and Kafka topic creation is off because there is
// no real Kafka to create them in.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITORING } from '../../src/catalog/infrastructure.js';
import { CHAT_MODULES, SERVER_MODULES } from '../../src/catalog/modules.js';
import { DEFAULT_CHAT_VERSION, DEFAULT_SERVER_VERSION } from '../../src/catalog/openim-versions.js';
import { openimAdminToken } from '../../src/execute/probes.js';
import { unitNameOf } from '../../src/targets/binary/units.js';
import { REPO_ROOT, until, type ExecResult, type SystemdContainer } from './container.js';
import { serveArtifacts, type ArtifactServer } from './fixtures/artifacts.js';
import {
  bootHost,
  cliArgv,
  installerConfig,
  packStandIns,
  startExternalInfra,
  type ExternalInfra,
  type StandInArtifacts,
} from './fixtures/binary-host.js';

const INFRA: ExternalInfra = {
  redisPort: 26390,
  redisPassword: 'e2e-redis-password-4711',
  etcdPort: 23790,
  etcdPeerPort: 23800,
  fake: { mongodb: 27117, kafka: 19092, minio: 19000 },
};

/** Where install keeps its state and the generated credentials (binary.stateDir). */
const STATE = '/var/lib/openim-deploy/state.json';
const PROMETHEUS = `http://127.0.0.1:${MONITORING.hostPorts.prometheus}`;
const NODE_EXPORTER = `http://127.0.0.1:${MONITORING.hostPorts.nodeExporter}`;
const MONITORING_UNITS = ['openim-node-exporter.service', 'openim-prometheus.service'];
const moduleUnits = [...SERVER_MODULES, ...CHAT_MODULES].map((m) => `${unitNameOf(m)}@0.service`);

let workDir: string;
let artifacts: StandInArtifacts;
let mirror: ArtifactServer;

/** The CLI runs from dist/ inside the container: refuse to test a stale build. */
function assertBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory()
          ? newest(join(dir, e.name))
          : e.name.endsWith('.test.ts')
            ? 0
            : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  const built = statSync(join(REPO_ROOT, 'dist/main.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (newest(join(REPO_ROOT, 'src')) > built)
    throw new Error('dist/ is older than src/: run `npm run build` first (npm run test:systemd does)');
}

beforeAll(() => {
  assertBuilt();
  workDir = mkdtempSync(join(tmpdir(), 'openim-e2e-'));
  artifacts = packStandIns(workDir);
}, 300_000);

beforeAll(async () => {
  mirror = await serveArtifacts([artifacts.server, artifacts.chat]);
});

afterAll(async () => {
  await mirror?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// No Grafana archive here (no internet): Grafana is "yours"; Prometheus and node_exporter run for real.
const config = installerConfig(INFRA, { grafanaUrl: 'http://grafana.e2e.invalid:3000/' });

function install(
  c: SystemdContainer,
  mirrorPath: 'good' | 'tampered' = 'good',
  extra: string[] = [],
): Promise<ExecResult> {
  return c.exec([...cliArgv(['install', '--yes'], mirror, artifacts, mirrorPath), ...extra]);
}

const boot = (name: string) => bootHost(name, artifacts.standIn, config);

async function show(c: SystemdContainer, unit: string, props: string[]): Promise<Record<string, string>> {
  const out = await c.execOk(['systemctl', 'show', '-p', props.join(','), unit]);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function diagnostics(c: SystemdContainer): Promise<string> {
  const failed = await c.exec(['systemctl', 'list-units', '--failed', '--no-legend', '--plain']);
  const journal = await c.exec(['journalctl', '--no-pager', '-n', '80', '-u', 'openim*']);
  return `failed units:\n${failed.stdout}\njournal:\n${journal.stdout}`;
}

describe('a tampered tarball', () => {
  let c: SystemdContainer;
  beforeAll(async () => {
    c = await boot(`openim-tamper-${process.pid}`);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('is refused before anything is installed', async () => {
    const r = await install(c, 'tampered');
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /SHA-256 mismatch for http:\/\/127\.0\.0\.1:\d+\/tampered\/exported_open-im-server_/,
    );
    expect(mirror.requests).toContain(`GET /tampered/${artifacts.server.name}`);
    // Nothing on the host changed: no user, no folders, no config, no units, no download left.
    expect((await c.exec(['id', 'openim'])).exitCode).not.toBe(0);
    expect((await c.exec(['id', 'openim-monitoring'])).exitCode).not.toBe(0);
    for (const path of ['/opt/openim', '/etc/openim', '/var/lib/openim'])
      expect((await c.exec(['test', '-e', path])).exitCode, path).not.toBe(0);
    expect((await c.exec(['sh', '-c', 'ls /etc/systemd/system/openim* 2>/dev/null'])).stdout).toBe('');
    const downloads = await c.exec(['ls', '/var/lib/openim-deploy/work/artifacts']);
    expect(downloads.stdout).not.toContain(artifacts.server.name);
  });
});

describe('install --target binary --preset single-host on real systemd', () => {
  let c: SystemdContainer;
  beforeAll(async () => {
    c = await boot(`openim-install-${process.pid}`);
    // External infrastructure: Redis and etcd from Debian, on their own ports, Redis with a password.
    await startExternalInfra(c, INFRA);
  });
  afterAll(async () => {
    await c?.stop();
  });

  let firstRun: ExecResult;
  it('installs: exit 0, the server answers', async () => {
    const t0 = Date.now();
    firstRun = await install(c);
    console.log(
      `[install] first run ${((Date.now() - t0) / 1000).toFixed(1)} s; last lines:\n${firstRun.stderr.trim().split('\n').slice(-3).join('\n')}`,
    );
    if (firstRun.exitCode !== 0) console.log(`${firstRun.stdout}\n${firstRun.stderr}\n${await diagnostics(c)}`);
    expect(firstRun.exitCode).toBe(0);
    // The installer's own health step got an admin token; its verify step is off here (the stand-ins
    // serve no messages or files: the real checks run against real OpenIM in npm run test:openim).
    expect(firstRun.stdout).toMatch(/http:\/\/127\.0\.0\.1:10002 gave an admin token/);
    expect(firstRun.stdout).toMatch(/verify after install is off/);
    // The seeded chatAdmin/chatAdmin console login was replaced through admin-api (stand-in modelled on chat).
    expect(firstRun.stdout).toMatch(/admin chatAdmin: seeded password replaced by the configured one/);
  }, 600_000);

  it('leaves every unit active and enabled, under openim.target', async () => {
    for (const unit of [
      ...moduleUnits,
      'openim-server-check.service',
      'openim-chat-check.service',
      'openim-server.target',
      'openim-chat.target',
      'openim.target',
    ]) {
      const s = await show(c, unit, ['ActiveState', 'UnitFileState']);
      expect(s.ActiveState, unit).toBe('active');
      if (!unit.endsWith('.target') || unit === 'openim.target')
        expect(['enabled', 'static'], unit).toContain(s.UnitFileState);
    }
    expect((await c.execOk(['systemctl', 'is-enabled', 'openim-api@0.service'])).trim()).toBe('enabled');
    const failed = await c.execOk(['systemctl', 'list-units', '--failed', '--no-legend', '--plain', 'openim*']);
    expect(failed.trim()).toBe('');
  });

  it('lays out the release, config and data as designed', async () => {
    expect((await c.execOk(['readlink', '/opt/openim/current'])).trim()).toBe(DEFAULT_SERVER_VERSION);
    expect((await c.execOk(['readlink', '/opt/openim/chat/current'])).trim()).toBe(DEFAULT_CHAT_VERSION);
    await c.execOk(['test', '-x', `/opt/openim/${DEFAULT_SERVER_VERSION}/bin/openim-rpc-user`]);
    await c.execOk(['test', '-x', `/opt/openim/${DEFAULT_SERVER_VERSION}/tools/check-component`]);
    await c.execOk(['test', '-x', `/opt/openim/chat/${DEFAULT_CHAT_VERSION}/bin/admin-api`]);
    expect(
      (
        await c.execOk([
          'stat',
          '-c',
          '%a %U:%G',
          '/etc/openim/server/share.yml',
          '/etc/openim/chat/share.yml',
          '/var/lib/openim/server',
        ])
      )
        .trim()
        .split('\n'),
    ).toEqual(['640 root:openim', '640 root:openim', '750 openim:openim']);
    // Secrets were substituted on the host; the placeholders are gone and the value is the stored one.
    const share = await c.readFile('/etc/openim/server/share.yml');
    const secret = JSON.parse(await c.readFile(STATE)).secrets['openim.secret'] as string;
    expect(share).not.toContain('«secret:');
    expect((parse(share) as { secret: string }).secret).toBe(secret);
    expect(await c.readFile('/etc/openim/server/redis.yml')).toContain(INFRA.redisPassword);
    expect((await c.execOk(['stat', '-c', '%a', STATE])).trim()).toBe('600');
  });

  it('answers the admin token from outside the container too', async () => {
    const secret = JSON.parse(await c.readFile(STATE)).secrets['openim.secret'] as string;
    const result = await openimAdminToken('http://127.0.0.1:10002', secret, 'imAdmin');
    expect(result).toMatchObject({ ok: true });
    expect((await openimAdminToken('http://127.0.0.1:10002', 'wrong-secret', 'imAdmin')).ok).toBe(false);
  });

  it('runs each process hardened, as openim, logging to the journal', async () => {
    const s = await show(c, 'openim-api@0.service', [
      'MainPID',
      'ProtectSystem',
      'NoNewPrivileges',
      'User',
      'LimitNOFILE',
      'Restart',
    ]);
    expect(s).toMatchObject({
      ProtectSystem: 'strict',
      NoNewPrivileges: 'yes',
      User: 'openim',
      LimitNOFILE: '100000',
      Restart: 'always',
    });
    expect((await c.execOk(['ps', '-o', 'user=', '-p', s.MainPID!])).trim()).toBe('openim');
    const journal = await c.execOk(['journalctl', '--no-pager', '-u', 'openim-api@0.service']);
    expect(journal).toMatch(/openim-stand-in openim-api -i 0\] listening on 10002/);
    const security = await c.execOk(['systemd-analyze', 'security', '--no-pager', 'openim-api@0.service']);
    const score = Number(/Overall exposure level for \S+: (\d+\.\d+)/.exec(security)?.[1]);
    expect(score).toBeLessThanOrEqual(4.0);
  });

  it('restarts a killed process (new PID)', async () => {
    const before = await show(c, 'openim-rpc-user@0.service', ['MainPID', 'NRestarts']);
    await c.execOk(['kill', '-KILL', before.MainPID!]);
    const after = await until('a new MainPID', async () => {
      const s = await show(c, 'openim-rpc-user@0.service', ['MainPID', 'NRestarts', 'ActiveState']);
      return s.ActiveState === 'active' && s.MainPID !== '0' && s.MainPID !== before.MainPID ? s : undefined;
    });
    expect(Number(after.NRestarts)).toBe(Number(before.NRestarts) + 1);
    await until('port 10320 again', async () =>
      (await c.exec(['sh', '-c', 'ss -Hltn | grep -q ":10320 "'])).exitCode === 0 ? true : undefined,
    );
  });

  it("runs Prometheus and node_exporter from the Debian packages as openim-monitoring, the packages' own services off", async () => {
    for (const unit of [...MONITORING_UNITS, 'openim-monitoring.target']) {
      expect(await show(c, unit, ['ActiveState', 'UnitFileState']), unit).toEqual({
        ActiveState: 'active',
        UnitFileState: 'enabled',
      });
    }
    for (const unit of MONITORING_UNITS) {
      const s = await show(c, unit, ['MainPID', 'User', 'ProtectSystem']);
      expect(s, unit).toMatchObject({ User: 'openim-monitoring', ProtectSystem: 'strict' });
      expect((await c.execOk(['ps', '-o', 'user=', '-p', s.MainPID!])).trim(), unit).toBe('openim-monitoring');
      const security = await c.execOk(['systemd-analyze', 'security', '--no-pager', unit]);
      expect(Number(/Overall exposure level for \S+: (\d+\.\d+)/.exec(security)?.[1]), unit).toBeLessThanOrEqual(4.0);
    }
    for (const unit of ['prometheus.service', 'prometheus-node-exporter.service']) {
      expect(await show(c, unit, ['ActiveState', 'UnitFileState']), unit).toEqual({
        ActiveState: 'inactive',
        UnitFileState: 'disabled',
      });
    }
    // The unit regex reached node_exporter as one argument, backslash intact (ExecStart quoting).
    const ne = await show(c, 'openim-node-exporter.service', ['MainPID']);
    expect((await c.execOk(['cat', `/proc/${ne.MainPID}/cmdline`])).split('\0')).toContain(
      '--collector.systemd.unit-include=openim.+\\.service',
    );
    // The monitoring user reads its config but not OpenIM's credentials; the OpenIM user cannot read the monitoring config.
    await c.execOk(['runuser', '-u', 'openim-monitoring', '--', 'cat', '/etc/openim/monitoring/prometheus.yml']);
    expect(
      (await c.exec(['runuser', '-u', 'openim-monitoring', '--', 'cat', '/etc/openim/server/share.yml'])).exitCode,
    ).not.toBe(0);
    expect(
      (await c.exec(['runuser', '-u', 'openim', '--', 'cat', '/etc/openim/monitoring/prometheus.yml'])).exitCode,
    ).not.toBe(0);
  });

  it('tracks every OpenIM unit: node_exporter exports state and restarts, Prometheus scrapes each instance and loads the alert rules', async () => {
    const metrics = await c.execOk(['curl', '-fsS', `${NODE_EXPORTER}/metrics`]);
    expect(metrics).toMatch(/node_systemd_unit_state\{name="openim-api@0\.service",state="active",type="simple"\} 1/);
    // The sandbox leaves node_exporter what it reads: D-Bus (systemd), /proc (cpu, meminfo, loadavg), mounts (filesystem).
    for (const collector of ['systemd', 'cpu', 'meminfo', 'loadavg', 'filesystem', 'diskstats']) {
      expect(metrics, collector).toContain(`node_scrape_collector_success{collector="${collector}"} 1`);
    }
    // Only openim* units are exported.
    expect(metrics).not.toMatch(/node_systemd_unit_state\{name="dbus\.service"/);
    // The process killed above counts as a restart: what OpenIMCrashLooping / OpenIMRestartsHigh alert on.
    expect(
      Number(/node_systemd_service_restart_total\{name="openim-rpc-user@0\.service"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(1);

    const query = async (q: string) =>
      JSON.parse(
        await c.execOk(['curl', '-fsS', '--get', `${PROMETHEUS}/api/v1/query`, '--data-urlencode', `query=${q}`]),
      ).data.result as { metric: Record<string, string>; value: [number, string] }[];
    const withMetrics = [...SERVER_MODULES, ...CHAT_MODULES]
      .filter((m) => m.ports.some((p) => p.name === 'metrics'))
      .map((m) => `${unitNameOf(m)}@0.service`);
    expect(withMetrics.length).toBeGreaterThanOrEqual(11);
    // Scrapes run every 30 s: wait for a round where every target answered.
    const up = await until(
      'every scrape target up',
      async () => {
        const r = await query('up');
        return r.length === withMetrics.length + 2 && r.every((x) => x.value[1] === '1') ? r : undefined;
      },
      120_000,
    );
    expect(
      up
        .filter((x) => x.metric.job!.startsWith('openim-'))
        .map((x) => x.metric.unit)
        .sort(),
    ).toEqual([...withMetrics].sort());
    expect(up.map((x) => x.metric.job)).toEqual(expect.arrayContaining(['node', 'prometheus']));
    // Prometheus may hold a sample scraped before the kill: wait until a scrape after it arrives.
    const restarts = await until(
      'the restart in Prometheus',
      async () => {
        const sample = (await query('node_systemd_service_restart_total{name="openim-rpc-user@0.service"}'))[0];
        return sample && Number(sample.value[1]) >= 1 ? sample : undefined;
      },
      60_000,
    );
    expect(Number(restarts.value[1])).toBeGreaterThanOrEqual(1);

    const rules = JSON.parse(await c.execOk(['curl', '-fsS', `${PROMETHEUS}/api/v1/rules`])).data.groups as {
      rules: { name: string; lastError?: string }[];
    }[];
    const loaded = rules.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name)).toEqual(
      expect.arrayContaining(['OpenIMModuleDown', 'OpenIMCrashLooping', 'OpenIMRestartsHigh', 'OpenIMUnitFailed']),
    );
    expect(loaded.filter((r) => r.lastError)).toEqual([]);
  }, 240_000);

  it('changes nothing on a second run', async () => {
    const pids = async () =>
      Object.fromEntries(
        await Promise.all(moduleUnits.map(async (u) => [u, (await show(c, u, ['MainPID'])).MainPID] as const)),
      );
    const unitTimes = async () =>
      (await c.execOk(['sh', '-c', 'stat -c "%n %Y" /etc/systemd/system/openim* /etc/openim/server/*.yml'])).trim();
    const pidsBefore = await pids();
    const timesBefore = await unitTimes();
    const r = await install(c, 'good', ['--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; id: string; status?: string });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.length).toBeGreaterThan(10);
    // The verify step is off in this suite (stand-ins): reported not-applicable, never unchanged or done.
    expect(
      steps.filter((e) => e.status !== 'unchanged' && !(e.id === 'binary.verify' && e.status === 'not-applicable')),
    ).toEqual([]);
    expect(r.stderr).toMatch(/done: 0 steps applied, \d+ unchanged/);
    expect(await pids()).toEqual(pidsBefore);
    expect(await unitTimes()).toBe(timesBefore);
  }, 300_000);

  it('applies only what changed: a second push instance restarts the server, not chat', async () => {
    const chatUnits = moduleUnits.filter((u) => /openim-(chat|admin)-/.test(u));
    const pid = async (u: string) => (await show(c, u, ['MainPID'])).MainPID;
    const chatBefore = await Promise.all(chatUnits.map(pid));
    const apiBefore = await pid('openim-api@0.service');
    const r = await install(c, 'good', ['--json', '--set', 'openim.replicas.openim-push=2']);
    expect(r.exitCode, r.stderr).toBe(0);
    const done = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; id: string; status?: string })
      .filter((e) => e.type === 'step' && e.status === 'done')
      .map((e) => e.id);
    expect(done).toEqual(
      expect.arrayContaining([
        'binary.config.server',
        'binary.start.server',
        'binary.health.server',
        'binary.monitoring.config',
        'binary.monitoring.start',
      ]),
    );
    expect(done).not.toContain('binary.start.chat');
    expect(done.some((id) => id.startsWith('binary.fetch.') || id.startsWith('binary.extract.'))).toBe(false);
    expect(await show(c, 'openim-push@1.service', ['ActiveState', 'UnitFileState'])).toEqual({
      ActiveState: 'active',
      UnitFileState: 'enabled',
    });
    expect(await pid('openim-api@0.service')).not.toBe(apiBefore);
    expect(await Promise.all(chatUnits.map(pid))).toEqual(chatBefore);
    // Prometheus follows: the new instance is a scrape target, and it answers.
    await until(
      'openim-push@1 scraped',
      async () => {
        const r = await c.exec([
          'curl',
          '-fsS',
          '--get',
          `${PROMETHEUS}/api/v1/query`,
          '--data-urlencode',
          'query=up{unit="openim-push@1.service"}',
        ]);
        return r.exitCode === 0 &&
          (JSON.parse(r.stdout).data.result as { value: [number, string] }[])[0]?.value[1] === '1'
          ? true
          : undefined;
      },
      90_000,
    );
  }, 300_000);
});
