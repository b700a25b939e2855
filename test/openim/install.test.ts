// The real OpenIM server v3.8.3 and chat v1.8.4, installed by the product on a
// real systemd (systemd-nspawn, test/systemd/container.ts) and proven by the
// product's own `verify` against a real client path (HTTP API, WebSocket push,
// presigned object upload and download, chat and admin login).
//
// Real: systemd; the installer CLI; OpenIM built by the product itself with
// `binary.source: build` (the host's Go toolchain, module cache and build cache
// bound into the container, so a repeat run reuses them); Redis and etcd from
// the Debian packages and MinIO built from its Go module, all three BUNDLED
// (the product writes their config and units and starts them); Kafka 3.9 from
// Maven Central's jars (external, on the host: the rootfs has no JRE).
// Stand-in, named: FerretDB for MongoDB (host-infra.ts), with its known gaps.
// In front: the product's reverse proxy (binary.proxy, Caddy built from its Go module,
// packed as its release archive) with TLS self-signed; `verify` goes through it over https
// trusting the CA the product wrote.
// Then the backup round trip on the same container: data made through the client API, `backup`
// (encrypted; to a folder and to S3, the install's own MinIO), `uninstall --purge`, an empty
// MongoDB, a fresh install, `restore`, and the data looked up again (mongodump and mongorestore
// built from their Go module, given to install as binary.artifacts.mongotools).
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { homedir, networkInterfaces, tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_MODULES, SERVER_MODULES } from '../../src/catalog/modules.js';
import { DEFAULT_CHAT_VERSION, DEFAULT_SERVER_VERSION } from '../../src/catalog/openim-versions.js';
import { ApiCallError, callApi } from '../../src/verify/api.js';
import { openBackupArchive } from '../../src/backup/archive.js';
import { S3Client } from '../../src/backup/s3.js';
import { readPassphrase } from '../../src/day2/backup.js';
import { failureKind } from '../../src/verify/classify.js';
import type { VerifyReport } from '../../src/verify/types.js';
import { unitNameOf } from '../../src/targets/binary/units.js';
import { DEFAULT_ROOTFS, REPO_ROOT, SystemdContainer, until, type ExecResult } from '../systemd/container.js';
import { buildPath, startHostInfra, type HostInfra } from './host-infra.js';

const CONFIG_PATH = '/root/openim.yaml';
const STATE = '/var/lib/openim-deploy/state.json';
const API = 'http://127.0.0.1:10002';
/** Ports of the host-side infrastructure (apart from every default, so nothing else on the host collides). */
const PORTS = { ferretdb: 37017, kafka: 39092, kafkaController: 39093 };
const MONGO_PASSWORD = 'openim-e2e-mongo-4711';
/** The product's build cache (binary.build.cacheDir), shared with the host so a repeat run is fast. */
const BUILD_CACHE = join(homedir(), '.cache/openim-deploy/openim-build');
const BENCH = join(homedir(), '.cache/openim-deploy/bench/test-openim-install.json');
/** The public endpoint (binary.proxy, TLS self-signed) and the CA the product writes for clients. */
const DOMAIN = 'openim.localhost';
const PROXY_CA = '/etc/openim/tls/ca.crt';
const CADDY_ARCHIVE = 'caddy_2.11.9_linux_amd64.tar.gz';

const moduleUnits = [...SERVER_MODULES, ...CHAT_MODULES].map((m) => `${unitNameOf(m)}@0.service`);
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** The CA bundle the host's Go trusts (SSL_CERT_FILE, else Debian's), bound into the container. */
const hostCaFile = [process.env.SSL_CERT_FILE, '/etc/ssl/certs/ca-certificates.crt'].find(
  (f): f is string => !!f && existsSync(f),
);
const goEnv = (name: string) => execFileSync('go', ['env', name], { encoding: 'utf8' }).trim();

let workDir: string;
let infra: HostInfra;
let c: SystemdContainer;
const bench: Record<string, unknown> = {};

/** The CLI runs from dist/ inside the container: refuse a build older than src/. */
function assertBuilt(): void {
  const built = existsSync(join(REPO_ROOT, 'dist/main.js'));
  if (!built) throw new Error('dist/ missing: run `npm run build` first (npm run test:openim does)');
}

/** The environment the CLI runs with inside: the host's Go toolchain and its proxy settings, nothing else. */
function cliEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    GOMODCACHE: goEnv('GOMODCACHE'),
    GOCACHE: goEnv('GOCACHE'),
    GOFLAGS: '-buildvcs=false',
  };
  // The host's trust store: on a machine that reaches the module proxy through a TLS-inspecting gateway,
  // its CA is only there (the container's Debian store does not have it).
  if (hostCaFile) env.SSL_CERT_FILE = '/usr/local/share/openim-e2e/host-ca.crt';
  for (const name of ['GOPROXY', 'GOSUMDB', 'GONOSUMDB', 'GOPRIVATE', 'GOINSECURE', 'GOTOOLCHAIN']) {
    const value = goEnv(name);
    if (value) env[name] = value;
  }
  return env;
}

function cli(args: string[]): Promise<ExecResult> {
  return c.exec(
    ['node', '/repo/bin/openim-deploy.js', ...args, '--target', 'binary', '--preset', 'single-host', '-c', CONFIG_PATH],
    { env: cliEnv() },
  );
}

async function show(unit: string, props: string[]): Promise<Record<string, string>> {
  const out = await c.execOk(['systemctl', 'show', '-p', props.join(','), unit]);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function diagnostics(): Promise<string> {
  const failed = await c.exec(['systemctl', 'list-units', '--failed', '--no-legend', '--plain']);
  const journal = await c.exec(['journalctl', '--no-pager', '-n', '120', '-u', 'openim*']);
  return `failed units:\n${failed.stdout}\njournal:\n${journal.stdout}`;
}

async function verify(): Promise<VerifyReport> {
  const r = await cli(['verify', '--json']);
  try {
    return JSON.parse(r.stdout) as VerifyReport;
  } catch {
    throw new Error(`verify printed no report (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
}

const failedChecks = (r: VerifyReport) =>
  r.checks.filter((x) => x.status !== 'passed').map((x) => `${x.id}: ${x.status} ${x.detail}`);

async function adminToken(): Promise<string> {
  const secret = JSON.parse(await c.readFile(STATE)).secrets['openim.secret'] as string;
  const answer = await callApi<{ token: string }>(API, '/auth/get_admin_token', { secret, userID: 'imAdmin' });
  return answer.data.token;
}

/** Unit properties that change when systemd (re)starts a unit. */
async function startMarks(): Promise<Record<string, string>> {
  const marks: Record<string, string> = {};
  for (const unit of moduleUnits) {
    const s = await show(unit, ['NRestarts', 'ActiveEnterTimestamp', 'MainPID']);
    marks[unit] = `${s.NRestarts} ${s.ActiveEnterTimestamp} ${s.MainPID}`;
  }
  return marks;
}

/**
 * The installer config of both hosts: web fronts, monitoring and logging off; MongoDB (FerretDB) and Kafka
 * external on the host; Redis, etcd and MinIO bundled. `source`: binary.source (none: the offline bundle decides).
 */
function installerConfig(o: { source?: 'build'; cacheDir?: string; minioFile?: string; caddyFile?: string }): string {
  const minio = join(buildPath('minio'), 'minio');
  const caddy = join(buildPath('caddy'), CADDY_ARCHIVE);
  return stringify({
    // Given, not generated: chat keeps its admin account in MongoDB, which both hosts share here.
    openim: { components: { webFront: false, adminFront: false }, chatAdminPassword: 'e2e-Chat-Admin-4711' },
    infrastructure: {
      mongodb: {
        mode: 'external',
        address: [infra.mongodb.address],
        database: infra.mongodb.database,
        username: infra.mongodb.username,
        password: infra.mongodb.password,
      },
      // External: the broker runs on the host (the rootfs has no JRE); the harness created OpenIM's topics.
      kafka: { mode: 'external', address: [infra.kafka.address], createTopics: false },
    },
    binary: {
      ...(o.source ? { source: o.source } : {}),
      ...(o.cacheDir ? { build: { cacheDir: o.cacheDir } } : {}),
      ...(o.minioFile || o.caddyFile
        ? {
            artifacts: {
              ...(o.minioFile ? { minio: { file: o.minioFile, sha256: sha256(minio) } } : {}),
              ...(o.caddyFile ? { caddy: { file: o.caddyFile, sha256: sha256(caddy) } } : {}),
            },
          }
        : {}),
      // One public HTTPS endpoint: Caddy in front, its internal CA, OpenIM's own ports on loopback.
      proxy: { enabled: true, tls: { mode: 'self-signed' } },
    },
    monitoring: { enabled: false },
    logging: { enabled: false },
  });
}

/** `install --json` with each progress line prefixed by its arrival time (epoch seconds), as the steps run. */
function timedInstall(): Promise<ExecResult> {
  const cmd = `node /repo/bin/openim-deploy.js install --yes --json --target binary --preset single-host -c ${CONFIG_PATH} | while IFS= read -r line; do printf '%s %s\\n' "$(date +%s.%N)" "$line"; done; exit \${PIPESTATUS[0]}`;
  return c.exec(['bash', '-c', cmd], { env: cliEnv() });
}

/** Seconds each step ran (its `started` to its `done` event). */
function stepSeconds(out: string): Map<string, number> {
  const started = new Map<string, number>();
  const took = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^(\d+\.\d+) (\{.*\})$/.exec(line);
    if (!m) continue;
    const event = JSON.parse(m[2]!) as { type?: string; id?: string; status?: string };
    if (event.type !== 'step' || !event.id) continue;
    if (event.status === 'started') started.set(event.id, Number(m[1]));
    if (event.status === 'done' && started.has(event.id)) took.set(event.id, Number(m[1]) - started.get(event.id)!);
  }
  return took;
}

/** The chain of steps, following `needs`, whose run times add up the most: what no concurrency can beat. */
function slowestChain(
  steps: { id: string; needs: string[] }[],
  took: Map<string, number>,
): { seconds: number; steps: string[] } {
  const best = new Map<string, { seconds: number; steps: string[] }>();
  const byId = new Map(steps.map((x) => [x.id, x]));
  const visit = (id: string): { seconds: number; steps: string[] } => {
    const known = best.get(id);
    if (known) return known;
    const before = (byId.get(id)?.needs ?? []).map(visit).sort((a, b) => b.seconds - a.seconds)[0] ?? {
      seconds: 0,
      steps: [],
    };
    const own = took.get(id) ?? 0;
    const result = {
      seconds: before.seconds + own,
      steps: own > 0 ? [...before.steps, `${id} ${own.toFixed(1)} s`] : before.steps,
    };
    best.set(id, result);
    return result;
  };
  return steps.map((x) => visit(x.id)).sort((a, b) => b.seconds - a.seconds)[0] ?? { seconds: 0, steps: [] };
}

beforeAll(async () => {
  assertBuilt();
  workDir = mkdtempSync(join(tmpdir(), 'openim-real-'));
  mkdirSync(BUILD_CACHE, { recursive: true });
  infra = await startHostInfra(join(workDir, 'infra'), PORTS, MONGO_PASSWORD);
  const goroot = goEnv('GOROOT');
  c = await SystemdContainer.start({
    name: `openim-real-${process.pid}`,
    rootfs: DEFAULT_ROOTFS,
    bindRo: [
      { host: goroot, container: '/usr/local/go' },
      { host: buildPath('minio'), container: '/artifacts/minio' },
      { host: buildPath('caddy'), container: '/artifacts/caddy' },
      ...(hostCaFile ? [{ host: hostCaFile, container: '/usr/local/share/openim-e2e/host-ca.crt' }] : []),
    ],
    bind: [
      { host: goEnv('GOMODCACHE'), container: goEnv('GOMODCACHE') },
      { host: goEnv('GOCACHE'), container: goEnv('GOCACHE') },
      { host: BUILD_CACHE, container: '/root/.cache/openim-deploy/openim-build' },
    ],
  });
  // What the operator's DNS does for the domain the clients use (dev profile: a name on this host).
  await c.execOk(['sh', '-c', 'echo "127.0.0.1 openim.localhost" >> /etc/hosts']);
  await c.writeFile(
    CONFIG_PATH,
    installerConfig({
      source: 'build',
      cacheDir: '/root/.cache/openim-deploy/openim-build',
      minioFile: '/artifacts/minio/minio',
      caddyFile: `/artifacts/caddy/${CADDY_ARCHIVE}`,
    }),
    0o600,
  );
}, 3_600_000);

afterAll(async () => {
  await c?.stop();
  await infra?.stop();
  if (Object.keys(bench).length) {
    mkdirSync(join(BENCH, '..'), { recursive: true });
    writeFileSync(BENCH, `${JSON.stringify({ ...bench, measuredAt: new Date().toISOString() }, null, 2)}\n`);
    console.log(`[bench] ${BENCH}:\n${JSON.stringify(bench, null, 2)}`);
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('real OpenIM server v3.8.3 + chat v1.8.4 on real systemd', () => {
  let firstInstall: ExecResult;
  it('install --target binary --preset single-host builds OpenIM with Go, starts every unit and its verify step passes', async () => {
    const t0 = Date.now();
    firstInstall = await cli(['install', '--yes']);
    bench.installSeconds = Math.round((Date.now() - t0) / 100) / 10;
    console.log(
      `[install] ${bench.installSeconds} s; last lines:\n${firstInstall.stdout.trim().split('\n').slice(-25).join('\n')}`,
    );
    if (firstInstall.exitCode !== 0)
      console.log(`${firstInstall.stdout}\n${firstInstall.stderr}\n${await diagnostics()}`);
    expect(firstInstall.exitCode).toBe(0);
    // The product's build: its stamp (seconds of the build that made the cached tarball) and whether this run reused it.
    for (const product of ['server', 'chat']) {
      const stamp = JSON.parse(
        readFileSync(
          join(
            BUILD_CACHE,
            product,
            `${product === 'server' ? DEFAULT_SERVER_VERSION : DEFAULT_CHAT_VERSION}-linux-amd64`,
            'stamp.json',
          ),
          'utf8',
        ),
      ) as { seconds: number; go: string };
      bench[`build.${product}`] = {
        seconds: stamp.seconds,
        go: stamp.go,
        reusedThisRun: new RegExp(`cached build \\S+/${product}/`).test(firstInstall.stdout),
      };
    }
    // The harness's own builds (scripts/openim/build.sh), first build on this machine.
    for (const name of ['minio', 'ferretdb', 'kafka'] as const) {
      const file = join(buildPath(name), 'build-seconds');
      if (existsSync(file)) bench[`build.${name}`] = { seconds: Number(readFileSync(file, 'utf8').trim()) };
    }
    // The build really ran through Go (or its cache) and its tarball is recorded with a sha256.
    expect(firstInstall.stdout).toMatch(/exported_open-im-server_v3\.8\.3_linux_amd64\.tar\.gz/);
    for (const unit of [
      ...moduleUnits,
      'openim-redis.service',
      'openim-etcd.service',
      'openim-minio.service',
      'openim-proxy.service',
    ]) {
      expect((await show(unit, ['ActiveState'])).ActiveState, unit).toBe('active');
    }
  });

  let verified: VerifyReport | undefined;
  it('verify --json: every check ran and passed against real OpenIM', async () => {
    const report = await verify();
    verified = report;
    console.log(`[verify] ${report.checks.map((x) => `${x.id}=${x.status}(${x.ms} ms)`).join(' ')}`);
    expect(failedChecks(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.map((x) => x.id)).toEqual(
      expect.arrayContaining([
        'admin-token',
        'push-frame',
        'message-stored',
        'object-upload',
        'object-download',
        'chat-login',
        'admin-login',
      ]),
    );
    bench.verifySeconds = Math.round(report.totalMs / 100) / 10;
    bench.verifyCheckMs = Object.fromEntries(report.checks.map((x) => [x.id, x.ms]));
    // What the message path logged meanwhile (errors and warnings), for the note on slow checks.
    const logs = await c.exec([
      'sh',
      '-c',
      "journalctl --no-pager -o cat --since=-3min -u 'openim-rpc-msg@*' -u 'openim-api@*' -u 'openim-msgtransfer@*' | grep -iE 'error|warn|timeout' | cut -c1-400 | tail -n 15",
    ]);
    console.log(`[verify] message path warnings:\n${logs.stdout}`);
  });

  it('verify went through the proxy over https: its addresses, the certificate signed by the CA the product wrote, HTTP redirected', async () => {
    // The report of the test above (one verify run takes about a minute on FerretDB).
    const report = verified ?? (await verify());
    expect(report.endpoints).toMatchObject({
      api: `https://${DOMAIN}/api`,
      ws: `wss://${DOMAIN}/msg_gateway`,
      chat: `https://${DOMAIN}/chat`,
      admin: `https://${DOMAIN}/complete_admin`,
      objectStorage: `https://${DOMAIN}/im-minio-api`,
      caFile: PROXY_CA,
    });
    expect(failedChecks(report)).toEqual([]);
    // From the host (same network namespace): the served chain verifies against that CA for the domain.
    const ca = await c.readFile(PROXY_CA);
    const peer = await new Promise<{ authorized: boolean; subject: string; issuer: string }>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: 443, servername: DOMAIN, ca }, () => {
        const cert = socket.getPeerCertificate();
        resolve({
          authorized: socket.authorized,
          subject: String(cert.subjectaltname),
          issuer: String(cert.issuer?.CN),
        });
        socket.end();
      });
      socket.once('error', reject);
    });
    console.log(`[proxy] certificate ${peer.subject} issued by ${peer.issuer}`);
    expect(peer).toMatchObject({ authorized: true, subject: `DNS:${DOMAIN}` });
    const redirect = await new Promise<{ status?: number; location?: string }>((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port: 80, path: '/api/auth/get_admin_token', headers: { host: DOMAIN } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, location: res.headers.location });
      }).once('error', reject);
    });
    expect(redirect).toEqual({ status: 308, location: `https://${DOMAIN}/api/auth/get_admin_token` });
  });

  it('a WebSocket to wss://<domain>/msg_gateway through the proxy stays connected for more than 60 s', async () => {
    const token = await adminToken();
    const userID = `e2ews${Date.now()}`;
    await callApi(API, '/user/user_register', { users: [{ userID, nickname: userID, faceURL: '' }] }, { token });
    // Web: msggateway pings every 27 s and closes a connection that has not answered within 30 s
    // (internal/msggateway/client.go@v3.8.3 activeHeartbeat, constant.go pongWait); ws answers pings by itself.
    const platformID = 5;
    const user = await callApi<{ token: string }>(API, '/auth/get_user_token', { platformID, userID }, { token });
    const query = new URLSearchParams({
      sendID: userID,
      token: user.data.token,
      platformID: String(platformID),
      operationID: `e2e${Date.now()}`,
      isMsgResp: 'true',
      sdkType: 'js',
    });
    // Connected to 127.0.0.1 with the domain as Host and server name: what a client resolving the domain to this host does.
    const socket = new WebSocket(`wss://127.0.0.1/msg_gateway?${query.toString()}`, {
      ca: await c.readFile(PROXY_CA),
      servername: DOMAIN,
      headers: { host: DOMAIN },
      handshakeTimeout: 15_000,
    } as WebSocket.ClientOptions);
    let closed: string | undefined;
    socket.on('close', (code, reason) => (closed = `closed ${code} ${reason.toString()}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} instead of 101`)));
    });
    const opened = Date.now();
    let pings = 0;
    socket.on('ping', () => pings++);
    await new Promise((r) => setTimeout(r, 65_000));
    const heldSeconds = (Date.now() - opened) / 1000;
    console.log(
      `[proxy] WebSocket held ${heldSeconds.toFixed(1)} s, ${pings} pings from msggateway, ${closed ?? 'still open'}`,
    );
    expect(closed).toBeUndefined();
    expect(socket.readyState).toBe(WebSocket.OPEN);
    // The heartbeat crossed the proxy both ways (pings in, pongs out), or msggateway would have closed it.
    expect(pings).toBeGreaterThanOrEqual(2);
    // msggateway still counts the user online on that connection.
    const online = await callApi<{ userID: string; status: number }[]>(
      API,
      '/user/get_users_online_status',
      { userIDs: [userID] },
      { token },
    );
    expect(online.data).toEqual([expect.objectContaining({ userID, status: 1 })]);
    socket.close();
    bench.websocketHeldSeconds = Math.round(heldSeconds);
  });

  it("OpenIM's raw ports are not reachable on the non-loopback address; the proxy is", async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    expect(address, 'a non-loopback IPv4 address on this host').toBeDefined();
    const reach = (port: number) =>
      new Promise<'connected' | 'refused' | 'dropped'>((resolve) => {
        const s = tcpConnect({ host: address!, port });
        const done = (r: 'connected' | 'refused' | 'dropped') => {
          s.destroy();
          resolve(r);
        };
        s.setTimeout(3000, () => done('dropped'));
        s.once('connect', () => done('connected'));
        s.once('error', () => done('refused'));
      });
    // Bound to 127.0.0.1 by their config (openim-api listenIP, MinIO --address).
    const bound = { 10002: await reach(10002), 10005: await reach(10005) };
    // Bound on every interface by upstream's code: systemd's IP filter (needs the unified cgroup hierarchy).
    const filtered = { 10001: await reach(10001), 10008: await reach(10008), 10009: await reach(10009) };
    const unified = (await c.exec(['test', '-e', '/sys/fs/cgroup/cgroup.controllers'])).exitCode === 0;
    const proxy = { 443: await reach(443), 80: await reach(80) };
    console.log(
      `[proxy] from ${address}: ${JSON.stringify({ bound, filtered, proxy })}; container cgroup hierarchy ${unified ? 'unified' : 'not unified (systemd cannot load its IP filter)'}`,
    );
    bench.rawPorts = { address, bound, filtered, unifiedCgroups: unified };
    expect(bound).toEqual({ 10002: 'refused', 10005: 'refused' });
    expect(proxy).toEqual({ 443: 'connected', 80: 'connected' });
    if (unified) for (const [port, r] of Object.entries(filtered)) expect(r, `port ${port}`).not.toBe('connected');
    // The filter is in the units either way.
    expect((await show('openim-msggateway@0.service', ['IPAddressDeny'])).IPAddressDeny).not.toBe('');
  });

  it('friend and group writes fail on FerretDB as test-database gaps, for that reason and no other (never counted as passed)', async () => {
    const token = await adminToken();
    const ids = [`e2egapa${Date.now()}`, `e2egapb${Date.now()}`];
    await callApi(
      API,
      '/user/user_register',
      { users: ids.map((userID) => ({ userID, nickname: userID, faceURL: '' })) },
      { token },
    );
    const gaps: Record<string, string> = {};
    const attempts: [string, string, unknown][] = [
      ['friend', '/friend/import_friend', { ownerUserID: ids[0], friendUserIDs: [ids[1]] }],
      [
        'group',
        '/group/create_group',
        {
          memberUserIDs: [ids[1]],
          adminUserIDs: [],
          ownerUserID: ids[0],
          groupInfo: { groupName: 'e2e', groupType: 2 },
        },
      ],
    ];
    for (const [name, path, body] of attempts) {
      const outcome = await callApi(API, path, body, { token }).then(
        () => 'passed',
        (e: unknown) =>
          e instanceof ApiCallError
            ? `${failureKind(e.errCode, e.errMsg, e.errDlt)}: ${e.message}`
            : `error: ${String(e)}`,
      );
      gaps[name] = outcome;
    }
    console.log(`[test-database gaps] ${JSON.stringify(gaps, null, 2)}`);
    for (const [name, outcome] of Object.entries(gaps)) expect(outcome, name).toMatch(/^test-database-gap: /);
  });

  it('kill -9 of an RPC service, msggateway and chat-rpc: systemd restarts each, verify is green again within 60 s, status counts the restarts', async () => {
    const victims = ['openim-rpc-user@0.service', 'openim-msggateway@0.service', 'openim-chat-rpc@0.service'];
    for (const unit of victims) {
      const before = await show(unit, ['MainPID', 'NRestarts']);
      // `kill -KILL 0` would hit the caller's own process group: only ever a real main PID.
      expect(Number(before.MainPID), `${unit} main PID`).toBeGreaterThan(1);
      await c.execOk(['kill', '-KILL', before.MainPID!]);
      const after = await until(`${unit} restarted`, async () => {
        const s = await show(unit, ['MainPID', 'NRestarts', 'ActiveState']);
        return s.ActiveState === 'active' && s.MainPID !== '0' && s.MainPID !== before.MainPID ? s : undefined;
      });
      expect(Number(after.NRestarts), unit).toBe(Number(before.NRestarts) + 1);
    }
    // Green within 60 s: a verify run that starts within 60 s of the last kill passes. (One run takes about
    // 60 s on FerretDB by itself: the message pull waits on it, see README.)
    const killedAt = Date.now();
    const attempts: string[] = [];
    let green: number | undefined;
    while (green === undefined && Date.now() - killedAt < 60_000) {
      const startedAt = Date.now();
      const report = await verify();
      if (report.passed) green = (startedAt - killedAt) / 1000;
      else {
        attempts.push(failedChecks(report).join('; '));
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    expect(green, `no passing verify started within 60 s of the kills: ${attempts.join(' | ')}`).toBeDefined();
    bench.greenAfterKillSeconds = Math.round(green! * 10) / 10;
    const status = await cli(['status', '--json']);
    const report = JSON.parse(status.stdout) as {
      components: { name: string; restarts: number; lastRestart?: string }[];
    };
    for (const name of ['openim-rpc-user', 'openim-msggateway', 'chat-rpc']) {
      const component = report.components.find((x) => x.name === name);
      expect(component, `${name} in ${report.components.map((x) => x.name).join(', ')}`).toBeDefined();
      expect(component!.restarts, name).toBe(1);
      expect(component!.lastRestart, name).toMatch(/killed by signal 9/);
    }
  });

  it('a re-run of install with the same config restarts nothing', async () => {
    const before = await startMarks();
    const t0 = Date.now();
    const again = await cli(['install', '--yes']);
    bench.rerunSeconds = Math.round((Date.now() - t0) / 100) / 10;
    if (again.exitCode !== 0) console.log(`${again.stdout}\n${again.stderr}`);
    expect(again.exitCode).toBe(0);
    expect(await startMarks()).toEqual(before);
  });

  it('records the resident memory of each OpenIM process at idle', async () => {
    const rss: Record<string, number> = {};
    for (const unit of moduleUnits) {
      const pid = (await show(unit, ['MainPID'])).MainPID!;
      const status = await c.readFile(`/proc/${pid}/status`);
      rss[unit.replace('@0.service', '')] = Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024);
    }
    bench.rssMiB = rss;
    expect(Object.values(rss).every((v) => v > 0)).toBe(true);
  });

  it('uninstall --keep-data, then install again: the registered users and the data folders are still there', async () => {
    const token = await adminToken();
    const keep = `e2ekeep${Date.now()}`;
    await callApi(
      API,
      '/user/user_register',
      { users: [{ userID: keep, nickname: 'kept across reinstall', faceURL: '' }] },
      { token },
    );
    const removed = await cli(['uninstall', '--keep-data', '--yes']);
    expect(removed.exitCode, `${removed.stdout}\n${removed.stderr}`).toBe(0);
    expect((await c.exec(['systemctl', 'is-active', 'openim-api@0.service'])).stdout.trim()).not.toBe('active');
    for (const dir of ['/var/lib/openim/redis', '/var/lib/openim/etcd', '/var/lib/openim/minio'])
      expect((await c.exec(['test', '-d', dir])).exitCode, dir).toBe(0);
    // This install starts every unit again: measured step by step (JSON progress events, timed as they arrive)
    // against the plan's dependency graph, for the bench's wall time vs slowest dependency chain.
    const graph = JSON.parse((await cli(['plan', '--json'])).stdout) as { steps: { id: string; needs: string[] }[] };
    const t0 = Date.now();
    const back = await timedInstall();
    const wallSeconds = (Date.now() - t0) / 1000;
    if (back.exitCode !== 0) console.log(`${back.stdout}\n${back.stderr}\n${await diagnostics()}`);
    expect(back.exitCode).toBe(0);
    const chain = slowestChain(graph.steps, stepSeconds(back.stdout));
    bench.reinstall = {
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      slowestChainSeconds: Math.round(chain.seconds * 10) / 10,
      slowestChain: chain.steps,
    };
    expect(chain.steps.length).toBeGreaterThan(3);
    // user.proto@v0.0.72-alpha.70 GetDesignateUsersResp: `usersInfo`.
    const info = await callApi<{ usersInfo?: { userID: string; nickname: string }[] }>(
      API,
      '/user/get_users_info',
      { userIDs: [keep] },
      { token: await adminToken() },
    );
    expect(info.data.usersInfo).toEqual([expect.objectContaining({ userID: keep, nickname: 'kept across reinstall' })]);
  });
});

describe('backup → uninstall --purge → empty MongoDB → install → restore: users, a message and an uploaded file come back', () => {
  const BACKUP_DIR = '/var/backups/openim-e2e';
  const KEY_FILE = '/root/backup.key';
  const TOOLS = '/root/mongodb-database-tools-local.tgz';
  const S3_BUCKET = 'e2e-backups';
  const stamp = Date.now();
  const users = { a: `e2ebka${stamp}`, b: `e2ebkb${stamp}` };
  const text = `kept by backup ${stamp}`;
  const fileBytes = Buffer.from(`openim-deploy backup e2e ${stamp}\n${'x'.repeat(4096)}\n`);
  const objectName = `${users.a}/backup-e2e-${stamp}.txt`;
  let sent: { clientMsgID: string; serverMsgID: string };
  let archive: string;
  /** The archive `backup --to s3://` wrote: its key in S3_BUCKET and a local copy read back from MinIO. */
  let s3Archive: { key: string; local: string } | undefined;

  const userToken = async (userID: string) =>
    (
      await callApi<{ token: string }>(
        API,
        '/auth/get_user_token',
        { platformID: 1, userID },
        { token: await adminToken() },
      )
    ).data.token;

  /**
   * The clientMsgID of the message A sent B when B can pull it (router.go@v3.8.3:238 pull_msg_by_seq; MsgData.content
   * is bytes, base64 in JSON, so matched by id as verify does), from their single-chat conversation by its ID
   * (`si_` + both IDs sorted, pkg/msgprocessor@v3.8.3 GenConversationIDForSingle). Not through /msg/newest_seq:
   * asked before msgtransfer has created the conversation, msg's local cache keeps B's empty conversation list
   * (local-cache.yml@v3.8.3 conversation successExpire 300 s), which the first run of this block ran into.
   */
  async function pullSent(): Promise<string | undefined> {
    return (await pullAttempt()).found;
  }

  /** One pull of B's conversation with A: the message when it came back, else the API's error (logged by the caller). */
  async function pullAttempt(): Promise<{ found?: string; error?: ApiCallError }> {
    const tokenB = await userToken(users.b);
    const conversationID = `si_${[users.a, users.b].sort().join('_')}`;
    try {
      const pulled = await callApi<{
        msgs?: Record<string, { Msgs?: { clientMsgID?: string; serverMsgID?: string }[] }>;
      }>(
        API,
        '/msg/pull_msg_by_seq',
        { userID: users.b, seqRanges: [{ conversationID, begin: 1, end: 100, num: 100 }], order: 0 },
        { token: tokenB, timeoutMs: 90_000 },
      );
      return {
        found: (pulled.data.msgs?.[conversationID]?.Msgs ?? []).find((x) => x.clientMsgID === sent.clientMsgID)
          ?.clientMsgID,
      };
    } catch (e) {
      // The conversation is not there yet (msgtransfer creates it): not an answer yet.
      if (e instanceof ApiCallError) return { error: e };
      throw e;
    }
  }

  /** The message in MongoDB itself: a mongodump of OpenIM's msg collection (the built tools, OpenIM's user) holds its clientMsgID. */
  function messageInDatabase(): boolean {
    const m = infra.mongodb;
    const uri = `mongodb://${encodeURIComponent(m.username)}:${encodeURIComponent(m.password)}@${m.address}/?authSource=${m.database}`;
    // The URI (with the password) in a 0600 --config file, as the product does, not on the command line.
    const config = join(workDir, 'mongodump-msg.yaml');
    writeFileSync(config, stringify({ uri }), { mode: 0o600 });
    const dump = execFileSync(
      join(buildPath('mongotools'), 'mongodump'),
      [`--config=${config}`, '--db', m.database, '--collection=msg', '--archive', '--quiet'],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    return dump.includes(Buffer.from(sent.clientMsgID));
  }

  /**
   * An HTTPS request to a public address of the install (https://<domain>/…) as a client whose DNS resolves
   * the domain to this host makes it: to the proxy on 127.0.0.1, the domain as server name and Host,
   * trusting the CA the product wrote (read at each call: a fresh install writes a new one).
   */
  async function viaProxy(
    url: string,
    init: { method?: string; body?: Buffer; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Buffer }> {
    const u = new URL(url);
    expect(`${u.protocol}//${u.hostname}`, 'a public https address of the install').toBe(`https://${DOMAIN}`);
    const ca = await c.readFile(PROXY_CA);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        ...init.headers,
        host: u.host,
        ...(init.body ? { 'content-length': String(init.body.length) } : {}),
      };
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: Number(u.port || 443),
          path: `${u.pathname}${u.search}`,
          method: init.method ?? 'GET',
          servername: u.hostname,
          ca,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.once('error', reject);
        },
      );
      req.once('error', reject);
      req.end(init.body);
    });
  }

  /** GET /object/<name> (router.go@v3.8.3): the redirect to the presigned address behind the proxy, then the bytes. */
  async function download(): Promise<{ status: number; body?: Buffer }> {
    // Without a token, as verify's object-download does: the user may not exist (after the purge).
    const res = await fetch(`${API}/object/${objectName.split('/').map(encodeURIComponent).join('/')}`, {
      redirect: 'manual',
    });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) return { status: res.status };
    return viaProxy(location);
  }

  /** The two users as the API knows them; none when it answers RecordNotFound (errCode 1004, openimsdk/tools errs). */
  const usersInfo = async () => {
    const token = await adminToken();
    return callApi<{ usersInfo?: { userID: string; nickname: string }[] }>(
      API,
      '/user/get_users_info',
      { userIDs: [users.a, users.b] },
      { token },
    ).then(
      (r) => r.data.usersInfo ?? [],
      (e: unknown) => {
        if (e instanceof ApiCallError && e.errCode === 1004) return [];
        throw e;
      },
    );
  };

  /** This install's MinIO over the S3 API (loopback: same network namespace), with the credentials the product generated. */
  async function minio(): Promise<{ s3: S3Client; env: Record<string, string> }> {
    const secrets = (JSON.parse(await c.readFile(STATE)) as { secrets: Record<string, string> }).secrets;
    const credentials = {
      endpoint: 'http://127.0.0.1:10005',
      region: 'us-east-1',
      accessKey: secrets['objectStorage.accessKey']!,
      secretKey: secrets['objectStorage.secretKey']!,
    };
    const env = {
      ...cliEnv(),
      AWS_ENDPOINT_URL: credentials.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKey,
      AWS_SECRET_ACCESS_KEY: credentials.secretKey,
      AWS_REGION: credentials.region,
    };
    return { s3: new S3Client(credentials), env };
  }

  /** The users, the message and the file of the first test, checked one by one. */
  async function expectDataBack(): Promise<void> {
    expect((await usersInfo()).map((u) => [u.userID, u.nickname]).sort()).toEqual([
      [users.a, `before backup ${users.a}`],
      [users.b, `before backup ${users.b}`],
    ]);
    // The message, looked up by its clientMsgID: in MongoDB (the restored msg collection), then through the API.
    expect(messageInDatabase(), 'the message in the restored msg collection').toBe(true);
    const since = (await c.execOk(['date', '-d', '-2 seconds', '+%Y-%m-%d %H:%M:%S'])).trim();
    const pulled = await pullAttempt();
    // Restore empties Redis, so the pull reads MongoDB: OpenIM 3.8.3 reads a message with `$map` in an aggregation
    // `$project` (pkg/common/storage/database/mgo/msg.go getMsgBySeqIndexIn1Doc), which FerretDB 1.24 refuses
    // (NotImplemented: `The operator $map is not implemented yet`). msg logs the refusal and answers the pull without
    // the message (internal/rpc/msg/sync_msg.go@v3.8.3:44-46 `GetMsgBySeqsRange error`, then `continue`). Named as a
    // gap of the test database only when msg's journal shows that very refusal for this pull; any other outcome fails.
    const refusal =
      pulled.found === undefined
        ? /The operator \$map is not implemented yet/.exec(
            (await c.exec(['journalctl', '--no-pager', '-o', 'cat', '--since', since, '-u', 'openim-rpc-msg@*']))
              .stdout,
          )
        : null;
    const classified =
      pulled.error &&
      failureKind(pulled.error.errCode, pulled.error.errMsg, pulled.error.errDlt) === 'test-database-gap';
    if (pulled.found === undefined && (refusal || classified)) {
      const why = refusal ? `openim-rpc-msg journal: GetMsgBySeqsRange error … ${refusal[0]}` : pulled.error!.message;
      console.log(
        `[test-database gap] pull_msg_by_seq after restore (reads MongoDB, Redis emptied): ${why}; the message is proven in the restored msg collection above, not through the API`,
      );
      bench.restoreGaps = [
        ...((bench.restoreGaps as string[] | undefined) ?? []),
        `message pull after restore: ${why}`,
      ];
    } else {
      expect(pulled.found, `pull_msg_by_seq after restore${pulled.error ? `: ${pulled.error.message}` : ''}`).toBe(
        sent.clientMsgID,
      );
    }
    const got = await download();
    expect(got.status).toBe(200);
    expect(got.body).toEqual(fileBytes);
  }

  beforeAll(async () => {
    // The tools as an archive laid out like the vendor's (<name>/bin/mongodump), given to install with its sha256.
    const stage = join(workDir, 'mongotools/mongodb-database-tools-local/bin');
    mkdirSync(stage, { recursive: true });
    for (const t of ['mongodump', 'mongorestore'])
      execFileSync('cp', [join(buildPath('mongotools'), t), join(stage, t)]);
    const tgz = join(workDir, 'mongotools.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', join(workDir, 'mongotools'), 'mongodb-database-tools-local']);
    await c.writeFile(TOOLS, readFileSync(tgz), 0o644);
    await c.writeFile(KEY_FILE, `backup-e2e-passphrase-${stamp}\n`, 0o600);
    const config = parse(await c.readFile(CONFIG_PATH)) as { binary: { artifacts?: Record<string, unknown> } };
    config.binary.artifacts = { ...config.binary.artifacts, mongotools: { file: TOOLS, sha256: sha256(tgz) } };
    await c.writeFile(CONFIG_PATH, stringify(config), 0o600);
    // Installed (or, when this block runs alone, installed now); the re-run adds the tools.
    const r = await cli(['install', '--yes']);
    if (r.exitCode !== 0) console.log(`${r.stdout}\n${r.stderr}\n${await diagnostics()}`);
    expect(r.exitCode).toBe(0);
    expect((await c.exec(['test', '-x', '/opt/openim/infra/mongotools-100.11.0/bin/mongodump'])).exitCode).toBe(0);
  }, 3_600_000);

  it('data made through the client API: two users, a message from A to B, a file A uploaded through the proxy', async () => {
    const admin = await adminToken();
    await callApi(
      API,
      '/user/user_register',
      { users: [users.a, users.b].map((userID) => ({ userID, nickname: `before backup ${userID}`, faceURL: '' })) },
      { token: admin },
    );
    const r = await callApi<{ serverMsgID?: string; clientMsgID?: string }>(
      API,
      '/msg/send_msg',
      {
        sendID: users.a,
        recvID: users.b,
        senderPlatformID: 1,
        content: { content: text },
        contentType: 101,
        sessionType: 1,
        isOnlineOnly: false,
        notOfflinePush: true,
      },
      { token: admin },
    );
    sent = { clientMsgID: r.data.clientMsgID ?? '', serverMsgID: r.data.serverMsgID ?? '' };
    expect(sent.clientMsgID).not.toBe('');
    // Stored (msgtransfer writes it to MongoDB from Kafka): pulled back before the backup is taken.
    const stored = await until('message stored', pullSent, 300_000);
    expect(stored).toBe(sent.clientMsgID);
    const tokenA = await userToken(users.a);
    const init = await callApi<{ id: string; url: string; file?: string; formData?: Record<string, string> }>(
      API,
      '/object/initiate_form_data',
      { name: objectName, size: fileBytes.length, contentType: 'text/plain' },
      { token: tokenA },
    );
    const form = new FormData();
    for (const [k, v] of Object.entries(init.data.formData ?? {})) form.append(k, v);
    form.append(init.data.file || 'file', new Blob([fileBytes], { type: 'text/plain' }), 'e2e.txt');
    // The multipart body as fetch would send it, posted through the proxy to MinIO (the presigned address is public).
    const multipart = new Request(init.data.url, { method: 'POST', body: form });
    const posted = await viaProxy(init.data.url, {
      method: 'POST',
      body: Buffer.from(await multipart.arrayBuffer()),
      headers: { 'content-type': multipart.headers.get('content-type')! },
    });
    expect(posted.status, posted.body.toString()).toBeLessThan(300);
    await callApi(API, '/object/complete_form_data', { id: init.data.id }, { token: tokenA });
    const got = await download();
    expect(got.body).toEqual(fileBytes);
  });

  it('backup --key-file writes one encrypted archive with a manifest, in the journal', async () => {
    const t0 = Date.now();
    const r = await cli(['backup', '--to', BACKUP_DIR, '--key-file', KEY_FILE, '--json']);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`[backup] ${seconds.toFixed(1)} s, exit ${r.exitCode}\n${r.stdout}${r.stderr}`);
    expect(r.exitCode, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as {
      archive: string;
      size: number;
      sha256: string;
      encrypted: boolean;
      seconds: number;
    };
    archive = record.archive;
    expect(record.encrypted).toBe(true);
    expect(archive.startsWith(`${BACKUP_DIR}/openim-backup-v3.8.3-`)).toBe(true);
    expect((await c.execOk(['stat', '-c', '%a %s', archive])).trim()).toBe(`600 ${record.size}`);
    expect((await c.execOk(['sha256sum', archive])).split(' ')[0]).toBe(record.sha256);
    // The passphrase and the stored secrets appear in no output.
    const state = JSON.parse(await c.readFile(STATE)) as {
      secrets: Record<string, string>;
      backups?: { archive: string }[];
    };
    for (const secret of [...Object.values(state.secrets), `backup-e2e-passphrase-${stamp}`])
      expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
    expect(state.backups?.map((b) => b.archive)).toContain(archive);
    bench.backup = { seconds: Math.round(seconds * 10) / 10, archiveBytes: record.size };
  });

  it("backup --to s3://bucket/prefix uploads the archive over the S3 API (to this install's own MinIO, a bucket of its own); read back: sha256, size, manifest", async () => {
    const { s3, env } = await minio();
    if (!(await s3.bucketExists(S3_BUCKET))) await s3.createBucket(S3_BUCKET);
    const r = await c.exec(
      [
        'node',
        '/repo/bin/openim-deploy.js',
        'backup',
        '--to',
        `s3://${S3_BUCKET}/openim/nightly`,
        '--key-file',
        KEY_FILE,
        '--json',
        '--target',
        'binary',
        '--preset',
        'single-host',
        '-c',
        CONFIG_PATH,
      ],
      { env },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as { archive: string; size: number; sha256: string };
    expect(record.archive).toMatch(
      new RegExp(`^s3://${S3_BUCKET}/openim/nightly/openim-backup-v3\\.8\\.3-\\d{8}T\\d{6}Z\\.tar\\.enc$`),
    );
    const key = record.archive.slice(`s3://${S3_BUCKET}/`.length);
    const local = join(workDir, 'from-s3.tar.enc');
    await s3.get(S3_BUCKET, key, local);
    expect(sha256(local)).toBe(record.sha256);
    expect(readFileSync(local).length).toBe(record.size);
    const secrets = (JSON.parse(await c.readFile(STATE)) as { secrets: Record<string, string> }).secrets;
    for (const secret of Object.values(secrets)) expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
    // Opened on this machine with the key: the manifest lists the database, the objects, config and state, checksums match.
    const keyFile = join(workDir, 'backup.key');
    writeFileSync(keyFile, await c.readFile(KEY_FILE), { mode: 0o600 });
    const opened = await openBackupArchive(
      local,
      join(workDir, 'opened'),
      await readPassphrase({ cwd: workDir }, keyFile),
    );
    console.log(
      `[backup --to s3] ${record.archive} ${record.size} bytes; parts ${JSON.stringify(opened.manifest.parts)}`,
    );
    expect(opened.encrypted).toBe(true);
    expect(Object.keys(opened.manifest.parts).sort()).toEqual(['config', 'mongodb', 'objects', 'state']);
    expect(opened.manifest.contents.some((e) => e.path.startsWith('objects/') && e.size === fileBytes.length)).toBe(
      true,
    );
    // The database dump holds the message (its clientMsgID as a BSON string in mongodump's gzipped archive).
    const dump = [...opened.files].find(([path]) => path.startsWith('mongodb/'))?.[1];
    expect(dump, 'the mongodump entry').toBeDefined();
    expect(gunzipSync(readFileSync(dump!)).includes(Buffer.from(sent.clientMsgID)), 'the message in the dump').toBe(
      true,
    );
    s3Archive = { key, local };
  });

  it('uninstall --purge, an empty MongoDB and a fresh install: the data is gone', async () => {
    const purged = await cli(['uninstall', '--purge', '--yes']);
    expect(purged.exitCode, `${purged.stdout}\n${purged.stderr}`).toBe(0);
    expect((await c.exec(['test', '-e', '/var/lib/openim/minio'])).exitCode).not.toBe(0);
    await infra.emptyMongo();
    const fresh = await cli(['install', '--yes']);
    if (fresh.exitCode !== 0) console.log(`${fresh.stdout}\n${fresh.stderr}\n${await diagnostics()}`);
    expect(fresh.exitCode).toBe(0);
    expect(await usersInfo()).toEqual([]);
    expect((await download()).status).not.toBe(302);
  });

  it('restore with a wrong key is refused and changes nothing', async () => {
    const before = await startMarks();
    await c.writeFile('/root/wrong.key', 'a-different-passphrase-entirely\n', 0o600);
    const r = await cli(['restore', archive, '--key-file', '/root/wrong.key', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/the key does not open this archive/);
    expect(await startMarks()).toEqual(before);
    expect(await usersInfo()).toEqual([]);
  });

  it('restore brings back the users, the message (by clientMsgID) and the file (GET through the proxy); verify is green over https', async () => {
    // mongorestore sends the index option `ns` (mongo-tools 100.11.0 mongorestore/metadata.go); MongoDB ignores it,
    // FerretDB 1.24 refuses it (`Index option "ns" is unknown`, seen in test:openim). A gap of the test database:
    // index restore is NOT proven here. Documents only (--skip-indexes): OpenIM and chat create their indexes at start.
    console.log(
      '[test-database gap] FerretDB refuses mongorestore\'s createIndexes (Index option "ns" is unknown): index restore not proven; restore runs with --skip-indexes',
    );
    bench.restoreGaps = [
      'mongorestore index restore refused by FerretDB (Index option "ns" is unknown): not proven; restored with --skip-indexes',
    ];
    const t0 = Date.now();
    const r = await cli(['restore', archive, '--key-file', KEY_FILE, '--yes', '--skip-indexes']);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`[restore] ${seconds.toFixed(1)} s, exit ${r.exitCode}\n${r.stdout}${r.stderr}`);
    if (r.exitCode !== 0) console.log(await diagnostics());
    expect(r.exitCode).toBe(0);
    bench.restore = { seconds: Math.round(seconds * 10) / 10 };
    await expectDataBack();
    const report = await verify();
    console.log(`[verify after restore] ${report.checks.map((x) => `${x.id}=${x.status}`).join(' ')}`);
    expect(report.endpoints).toMatchObject({
      api: `https://${DOMAIN}/api`,
      objectStorage: `https://${DOMAIN}/im-minio-api`,
      caFile: PROXY_CA,
    });
    expect(failedChecks(report)).toEqual([]);
  });

  it('restore s3://bucket/key downloads the archive from S3-compatible storage and restores it: the data is there again', async () => {
    expect(s3Archive, 'the archive of the backup --to s3:// test').toBeDefined();
    // The purge emptied this install's MinIO, its bucket of backups with it: the archive read back before is put
    // into a bucket again (as an off-host copy would be there on a new host).
    const { s3, env } = await minio();
    if (!(await s3.bucketExists(S3_BUCKET))) await s3.createBucket(S3_BUCKET);
    await s3.put(S3_BUCKET, s3Archive!.key, s3Archive!.local, readFileSync(s3Archive!.local).length);
    const t0 = Date.now();
    const r = await c.exec(
      [
        'node',
        '/repo/bin/openim-deploy.js',
        'restore',
        `s3://${S3_BUCKET}/${s3Archive!.key}`,
        '--key-file',
        KEY_FILE,
        '--yes',
        '--skip-indexes',
        '--target',
        'binary',
        '--preset',
        'single-host',
        '-c',
        CONFIG_PATH,
      ],
      { env },
    );
    const seconds = (Date.now() - t0) / 1000;
    console.log(`[restore s3://] ${seconds.toFixed(1)} s, exit ${r.exitCode}\n${r.stdout}${r.stderr}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`downloading s3://${S3_BUCKET}/`));
    bench.restoreFromS3 = { seconds: Math.round(seconds * 10) / 10 };
    await expectDataBack();
  });
});

describe('offline: bundle create on this machine (the build reused), install from the bundle on a host without Go', () => {
  let host: SystemdContainer | undefined;
  let bundle: string;
  beforeAll(async () => {
    // The first host's units hold the same ports: it goes first.
    await c?.stop();
    const bundleDir = join(workDir, 'bundle');
    mkdirSync(bundleDir);
    bundle = join(bundleDir, 'openim-bundle.tar');
    const config = join(workDir, 'bundle-config.yaml');
    writeFileSync(
      config,
      installerConfig({
        source: 'build',
        cacheDir: BUILD_CACHE,
        minioFile: join(buildPath('minio'), 'minio'),
        caddyFile: join(buildPath('caddy'), CADDY_ARCHIVE),
      }),
      { mode: 0o600 },
    );
    const t0 = Date.now();
    const out = execFileSync(
      'node',
      [
        join(REPO_ROOT, 'bin/openim-deploy.js'),
        'bundle',
        'create',
        '--target',
        'binary',
        '--preset',
        'single-host',
        '-c',
        config,
        '-o',
        bundle,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    bench.bundleCreateSeconds = Math.round((Date.now() - t0) / 100) / 10;
    console.log(`[bundle create] ${out.trim()}`);
    host = await SystemdContainer.start({
      name: `openim-offline-${process.pid}`,
      rootfs: DEFAULT_ROOTFS,
      bindRo: [{ host: bundleDir, container: '/bundle' }],
    });
    await host.execOk(['sh', '-c', 'echo "127.0.0.1 openim.localhost" >> /etc/hosts']);
    await host.writeFile(CONFIG_PATH, installerConfig({}), 0o600);
  }, 900_000);
  afterAll(async () => {
    await host?.stop();
  });

  it('the bundle holds the server and chat built here, with their digests', () => {
    const manifest = JSON.parse(
      execFileSync('node', [join(REPO_ROOT, 'bin/openim-deploy.js'), 'bundle', 'inspect', bundle, '--json'], {
        encoding: 'utf8',
      }),
    ) as { files: { name: string; source: string }[] };
    expect(manifest.files.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        `exported_open-im-server_${DEFAULT_SERVER_VERSION}_linux_amd64.tar.gz`,
        `exported_chat_${DEFAULT_CHAT_VERSION}_linux_amd64.tar.gz`,
      ]),
    );
    expect(manifest.files.filter((f) => f.source.startsWith('go build ')).length).toBe(2);
  });

  it('installs with no Go on the host: every unit active and verify green', async () => {
    expect((await host!.exec(['sh', '-c', 'command -v go'])).exitCode).not.toBe(0);
    const r = await host!.exec([
      'node',
      '/repo/bin/openim-deploy.js',
      'install',
      '--yes',
      '--bundle',
      '/bundle/openim-bundle.tar',
      '--target',
      'binary',
      '--preset',
      'single-host',
      '-c',
      CONFIG_PATH,
    ]);
    console.log(`[offline install] last lines:\n${r.stdout.trim().split('\n').slice(-8).join('\n')}`);
    if (r.exitCode !== 0) console.log(`${r.stdout}\n${r.stderr}`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/go build|go mod tidy/);
    expect(r.stdout).toMatch(/✔ Verify/);
    for (const unit of moduleUnits)
      expect((await host!.execOk(['systemctl', 'show', '-p', 'ActiveState', '--value', unit])).trim(), unit).toBe(
        'active',
      );
  });
});
