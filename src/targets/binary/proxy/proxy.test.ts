import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../config/resolve.js';
import { ConfigError } from '../../../errors.js';
import { CADDY } from '../../../catalog/proxy.js';
import { binaryConfigFiles } from '../steps.js';
import { binaryLayout } from '../layout.js';
import { byId, plan, singleHost } from '../../../../test/helpers/binary-specs.js';
import { openimUnitFiles } from '../units.js';
import { parseUnit } from '../systemd-ini.js';
import { verifyPlan } from '../../verify-plan.js';
import { caddyConfig } from './caddy-config.js';
import { proxyPaths } from './paths.js';
import { proxyRoutes } from './routes.js';
import { loopbackFilter } from './loopback.js';
import { providedTlsFindings } from './tls-files.js';
import { binaryChecks } from '../checks.js';
import { probedHost } from '../../../../test/helpers/binary-specs.js';
import { proxyCertificate } from '../../../day2/doctor.js';
import { binaryStatus } from '../day2/status.js';

const proxiedHost = (...sets: string[]) =>
  singleHost('binary.proxy.enabled=true', 'binary.artifacts.caddy.sha256=' + 'b'.repeat(64), ...sets);
const issues = (sets: string[], preset = 'single-host') => {
  try {
    resolveConfig({ preset, sets });
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
};

type Json = Record<string, any>;

describe('binary.proxy defaults per profile', () => {
  it('dev keeps the proxy off; production turns it on, ACME for a DNS name and self-signed for an address', () => {
    expect(singleHost().binary.proxy.enabled).toBe(false);
    const prod = resolveConfig({
      preset: 'single-host',
      sets: ['profile=production', 'openim.domain=im.example.com'],
    }).spec;
    expect(prod.binary.proxy).toMatchObject({ enabled: true, tls: { mode: 'acme' } });
    const byIp = resolveConfig({
      preset: 'single-host',
      sets: ['profile=production', 'openim.domain=203.0.113.10'],
    }).spec;
    expect(byIp.binary.proxy.tls.mode).toBe('self-signed');
    expect(proxiedHost().binary.proxy.tls.mode).toBe('self-signed');
  });
});

describe('binary.proxy cross-field rules', () => {
  it("ACME needs a DNS name, not an address, and Let's Encrypt a public one", () => {
    expect(issues(['profile=production', 'openim.domain=203.0.113.10', 'binary.proxy.tls.mode=acme'])).toEqual([
      expect.stringMatching(/^binary\.proxy\.tls\.mode: ACME .*IP address 203\.0\.113\.10/),
    ]);
    expect(issues(['binary.proxy.enabled=true', 'binary.proxy.tls.mode=acme'])).toEqual([
      expect.stringMatching(/^binary\.proxy\.tls\.mode: Let's Encrypt cannot validate openim\.localhost/),
    ]);
    // A private ACME directory may issue for a local name.
    expect(
      issues([
        'binary.proxy.enabled=true',
        'binary.proxy.tls.mode=acme',
        'binary.proxy.tls.acme.directory=https://127.0.0.1:14000/dir',
      ]),
    ).toEqual([]);
  });
  it('staging and another directory exclude each other; caRoot only with a directory', () => {
    expect(
      issues([
        'profile=production',
        'openim.domain=im.example.com',
        'binary.proxy.tls.acme.staging=true',
        'binary.proxy.tls.acme.directory=https://ca.internal/dir',
      ]),
    ).toEqual([expect.stringMatching(/^binary\.proxy\.tls\.acme\.staging:/)]);
    expect(
      issues(['profile=production', 'openim.domain=im.example.com', 'binary.proxy.tls.acme.caRoot=/etc/ca.pem']),
    ).toEqual([expect.stringMatching(/^binary\.proxy\.tls\.acme\.caRoot: only applies/)]);
  });
  it('provided needs both files, as absolute paths', () => {
    expect(issues(['binary.proxy.enabled=true', 'binary.proxy.tls.mode=provided'])).toEqual([
      expect.stringMatching(/^binary\.proxy\.tls\.provided\.cert: required/),
      expect.stringMatching(/^binary\.proxy\.tls\.provided\.key: required/),
    ]);
    expect(
      issues([
        'binary.proxy.enabled=true',
        'binary.proxy.tls.mode=provided',
        'binary.proxy.tls.provided.cert=cert.pem',
        'binary.proxy.tls.provided.key=/k.pem',
      ]),
    ).toEqual([expect.stringMatching(/^binary\.proxy\.tls\.provided\.cert: must be an absolute path/)]);
  });
});

describe('proxy routes', () => {
  it('has the ingress paths: API with X-Request-Api, WebSocket, chat, admin, MinIO stripped and the bucket unstripped', () => {
    const routes = proxyRoutes(proxiedHost());
    expect(routes.map((r) => [r.id, r.path, r.upstreams.join(','), r.stripPrefix])).toEqual([
      ['api', '/api', '127.0.0.1:10002', true],
      ['msg-gateway', '/msg_gateway', '127.0.0.1:10001', true],
      ['chat-api', '/chat', '127.0.0.1:10008', true],
      ['admin-api', '/complete_admin', '127.0.0.1:10009', true],
      ['object-storage', '/im-minio-api', '127.0.0.1:10005', true],
      ['object-storage-form', '/openim', '127.0.0.1:10005', false],
    ]);
    expect(routes[0]!.setHeaders).toEqual({ 'X-Request-Api': 'https://openim.localhost/api' });
    // Chat records the client's address (login records, IP rules): the one address Caddy saw, replacing any the client sent.
    for (const id of ['chat-api', 'admin-api'])
      expect(routes.find((r) => r.id === id)!.setHeaders).toEqual({ 'X-Real-IP': '{http.request.remote.host}' });
    expect(routes.find((r) => r.id === 'msg-gateway')!.websocket).toBe(true);
  });
  it('one upstream per instance; no chat routes without chat; no MinIO routes for external storage', () => {
    const r = proxyRoutes(
      proxiedHost(
        'openim.replicas.openim-api=2',
        'openim.components.chat=false',
        'openim.components.adminFront=false',
        'infrastructure.objectStorage.mode=external',
        'infrastructure.objectStorage.endpoint=https://s3.example.com',
        'infrastructure.objectStorage.accessKey=a',
        'infrastructure.objectStorage.secretKey=bbbbbbbb',
      ),
    );
    expect(r.map((x) => x.id)).toEqual(['api', 'msg-gateway']);
    expect(r[0]!.upstreams).toEqual(['127.0.0.1:10002', '127.0.0.1:10003']);
  });
});

describe('Caddy config object', () => {
  const paths = proxyPaths(binaryLayout(proxiedHost()));
  it('self-signed: 443 with host-matched routes, 80 redirecting, internal issuer, CA kept out of the trust store, admin off', () => {
    const c = caddyConfig(proxiedHost(), paths) as Json;
    expect(c.admin).toEqual({ disabled: true, config: { persist: false } });
    expect(c.storage).toEqual({ module: 'file_system', root: '/var/lib/openim/proxy' });
    const main = c.apps.http.servers.openim;
    expect(main.listen).toEqual([`:${CADDY.ports.https}`]);
    expect(main.routes[0]).toEqual({
      '@id': 'openim-api',
      match: [{ host: ['openim.localhost'], path: ['/api', '/api/*'] }],
      handle: [
        { handler: 'rewrite', strip_path_prefix: '/api' },
        {
          handler: 'reverse_proxy',
          upstreams: [{ dial: '127.0.0.1:10002' }],
          headers: { request: { set: { 'X-Request-Api': ['https://openim.localhost/api'] } } },
        },
      ],
      terminal: true,
    });
    const form = main.routes.find((r: Json) => r['@id'] === 'openim-object-storage-form');
    expect(form.handle).toEqual([{ handler: 'reverse_proxy', upstreams: [{ dial: '127.0.0.1:10005' }] }]);
    expect(c.apps.http.servers.redirect).toMatchObject({
      listen: [':80'],
      routes: [
        {
          handle: [
            {
              handler: 'static_response',
              status_code: 308,
              headers: { Location: ['https://{http.request.host}{http.request.uri}'] },
            },
          ],
        },
      ],
    });
    expect(c.apps.tls.automation.policies).toEqual([
      { subjects: ['openim.localhost'], issuers: [{ module: 'internal', ca: 'local' }] },
    ]);
    expect(c.apps.pki.certificate_authorities.local.install_trust).toBe(false);
  });
  it('acme: the staging directory, the email, HTTP-01 only; a private directory with its root', () => {
    const staging = caddyConfig(
      resolveConfig({
        preset: 'single-host',
        sets: [
          'profile=production',
          'openim.domain=im.example.com',
          'binary.proxy.tls.acme.staging=true',
          'binary.proxy.tls.acme.email=ops@example.com',
        ],
      }).spec,
      paths,
    ) as Json;
    expect(staging.apps.tls.automation.policies[0].issuers).toEqual([
      {
        module: 'acme',
        ca: CADDY.acme.staging,
        email: 'ops@example.com',
        challenges: { 'tls-alpn': { disabled: true } },
      },
    ]);
    const pebble = caddyConfig(
      proxiedHost(
        'binary.proxy.tls.mode=acme',
        'binary.proxy.tls.acme.directory=https://127.0.0.1:14000/dir',
        'binary.proxy.tls.acme.caRoot=/etc/pebble.pem',
      ),
      paths,
    ) as Json;
    expect(pebble.apps.tls.automation.policies[0].issuers[0]).toMatchObject({
      ca: 'https://127.0.0.1:14000/dir',
      trusted_roots_pem_files: ['/etc/pebble.pem'],
    });
  });
  it('provided: the copies are loaded and never replaced; none: plain HTTP on 80 only', () => {
    const provided = caddyConfig(
      proxiedHost(
        'binary.proxy.tls.mode=provided',
        'binary.proxy.tls.provided.cert=/etc/ssl/c.pem',
        'binary.proxy.tls.provided.key=/etc/ssl/k.pem',
      ),
      paths,
    ) as Json;
    expect(provided.apps.tls).toEqual({
      certificates: { load_files: [{ certificate: '/etc/openim/proxy/tls.crt', key: '/etc/openim/proxy/tls.key' }] },
    });
    expect(provided.apps.http.servers.openim.automatic_https.skip_certificates).toEqual(['openim.localhost']);
    const none = caddyConfig(proxiedHost('binary.proxy.tls.mode=none'), paths) as Json;
    expect(Object.keys(none.apps.http.servers)).toEqual(['openim']);
    expect(none.apps.http.servers.openim).toMatchObject({ listen: [':80'], automatic_https: { disable: true } });
    expect(none.apps.tls).toBeUndefined();
  });
});

describe('the host plan with the proxy', () => {
  it('OpenIM API and MinIO bind loopback; files and SDK URLs follow https://<domain>', () => {
    const spec = proxiedHost();
    const files = binaryConfigFiles(spec, binaryLayout(spec));
    expect(files.server['openim-api.yml']).toMatch(/listenIP: 127\.0\.0\.1/);
    expect(files.server['minio.yml']).toMatch(/externalAddress: https:\/\/openim\.localhost\/im-minio-api/);
    // Chat reads the client's address from the header Caddy sets on its routes.
    expect(files.chat['share.yml']).toMatch(/^proxyHeader: X-Real-IP$/m);
    const p = plan(spec);
    const minio = byId(p)
      .get('binary.units')!
      .actions.find((a) => a.kind === 'write' && a.path.endsWith('openim-minio.service'));
    expect(minio && 'content' in minio ? minio.content : '').toMatch(/--address 127\.0\.0\.1:10005/);
    const summary = byId(p)
      .get('binary.summary')!
      .actions.map((a) => ('text' in a ? a.text : ''));
    expect(summary[0]).toBe(
      'SDK: apiAddr https://openim.localhost/api, wsAddr wss://openim.localhost/msg_gateway; files https://openim.localhost/im-minio-api',
    );
  });
  it('without the proxy nothing changes: every interface, raw ports in the summary', () => {
    const spec = singleHost();
    expect(binaryConfigFiles(spec, binaryLayout(spec)).server['openim-api.yml']).toMatch(/listenIP: 0\.0\.0\.0/);
    // Nothing in front of chat: it takes the peer address (a named header that is absent makes chat answer 500).
    expect(binaryConfigFiles(spec, binaryLayout(spec)).chat['share.yml']).toMatch(/^proxyHeader: ["']{2}$/m);
    expect(byId(plan(spec)).has('binary.start.proxy')).toBe(false);
  });
  it('starts the proxy after server and chat answer, copies the CA, and verify goes through it trusting that CA', () => {
    const spec = proxiedHost();
    const steps = byId(plan(spec));
    expect(steps.get('binary.start.proxy')!.needs).toEqual(
      expect.arrayContaining(['binary.health.server', 'binary.health.chat', 'binary.units', 'binary.proxy.install']),
    );
    expect(steps.get('binary.verify')!.needs).toContain('binary.proxy.ca');
    const copy = steps.get('binary.proxy.ca')!.actions.at(-1)!;
    expect(copy).toMatchObject({
      kind: 'exec',
      argv: [
        'install',
        '-m',
        '0644',
        '-o',
        'root',
        '-g',
        'root',
        '/var/lib/openim/proxy/pki/authorities/local/root.crt',
        '/etc/openim/tls/ca.crt',
      ],
    });
    expect(verifyPlan(spec).endpoints).toMatchObject({
      api: 'https://openim.localhost/api',
      ws: 'wss://openim.localhost/msg_gateway',
      chat: 'https://openim.localhost/chat',
      admin: 'https://openim.localhost/complete_admin',
      caFile: '/etc/openim/tls/ca.crt',
    });
  });
  it('the proxy unit: the OpenIM user, one capability (bind below 1024), the OpenIM sandbox otherwise', () => {
    const spec = proxiedHost();
    const units = byId(plan(spec))
      .get('binary.units')!
      .actions.find((a) => a.kind === 'write' && a.path.endsWith('openim-proxy.service'));
    const unit = parseUnit(units && 'content' in units ? units.content : '');
    expect(unit.Service).toMatchObject({
      User: ['openim'],
      CapabilityBoundingSet: ['CAP_NET_BIND_SERVICE'],
      AmbientCapabilities: ['CAP_NET_BIND_SERVICE'],
      NoNewPrivileges: ['yes'],
      ProtectSystem: ['strict'],
      ReadWritePaths: ['/var/lib/openim/proxy'],
      ExecStart: [`/opt/openim/infra/caddy-${CADDY.version}/caddy run --config /etc/openim/proxy/caddy.json`],
    });
    expect(unit.Unit!.After).toEqual(expect.arrayContaining(['openim-server.target', 'openim-chat.target']));
  });
  it("the listeners that ignore listenIP get systemd's IP filter: loopback plus the infrastructure addresses", () => {
    const spec = proxiedHost(
      'infrastructure.mongodb.mode=external',
      'infrastructure.mongodb.address[0]=10.0.0.7:27017',
      'infrastructure.mongodb.password=pw-pw-pw',
    );
    expect(loopbackFilter(spec)).toEqual({ allow: ['localhost', '10.0.0.7'] });
    const files = openimUnitFiles({ spec, layout: binaryLayout(spec), infraUnits: [] });
    const gateway = parseUnit(files.find((f) => f.name === 'openim-msggateway@.service')!.text);
    expect(gateway.Service).toMatchObject({ IPAddressDeny: ['any'], IPAddressAllow: ['localhost 10.0.0.7'] });
    expect(
      parseUnit(files.find((f) => f.name === 'openim-rpc-user@.service')!.text).Service!.IPAddressDeny,
    ).toBeUndefined();
    const named = proxiedHost(
      'infrastructure.mongodb.mode=external',
      'infrastructure.mongodb.address[0]=mongo.internal:27017',
      'infrastructure.mongodb.password=pw-pw-pw',
    );
    expect(loopbackFilter(named)).toEqual({ reason: expect.stringMatching(/mongo\.internal/) });
    expect(loopbackFilter(singleHost())).toEqual({ reason: expect.stringMatching(/proxy is off/) });
  });
});

describe('provided certificate files (preflight, status, doctor)', () => {
  const spec = proxiedHost(
    'profile=production',
    'openim.domain=im.example.com',
    'binary.proxy.tls.mode=provided',
    'binary.proxy.tls.provided.cert=/etc/ssl/c.pem',
    'binary.proxy.tls.provided.key=/etc/ssl/k.pem',
  );
  const now = new Date('2026-12-04T00:00:00Z');
  const facts = (over: {
    mode?: string;
    notAfter?: string;
    names?: string;
    certExists?: boolean;
    keyExists?: boolean;
  }) => ({
    cert: {
      path: '/etc/ssl/c.pem',
      exists: over.certExists ?? true,
      notAfter: over.notAfter ?? '2027-03-01T00:00:00.000Z',
      names: over.names ?? 'DNS:im.example.com',
    },
    key: { path: '/etc/ssl/k.pem', exists: over.keyExists ?? true, mode: over.mode ?? '600' },
  });
  const ids = (f: ReturnType<typeof providedTlsFindings>) => f.map((x) => `${x.severity} ${x.id}`);
  it('a good pair: only the expiry, as information', () => {
    expect(ids(providedTlsFindings(spec, facts({}), now))).toEqual(['info proxy.tls.expiry']);
    expect(providedTlsFindings(spec, facts({}), now)[0]!.message).toMatch(/expires 2027-03-01: 87 day\(s\) left/);
  });
  it('missing files, a world-readable key, a near or past expiry, another name', () => {
    expect(ids(providedTlsFindings(spec, facts({ certExists: false, keyExists: false }), now))).toEqual([
      'error proxy.tls.cert',
      'error proxy.tls.key',
      'info proxy.tls.expiry',
    ]);
    expect(ids(providedTlsFindings(spec, facts({ mode: '644' }), now))).toContain('error proxy.tls.key-mode');
    expect(ids(providedTlsFindings(spec, facts({ mode: '640' }), now))).not.toContain('error proxy.tls.key-mode');
    expect(ids(providedTlsFindings(spec, facts({ notAfter: '2026-12-10T00:00:00.000Z' }), now))).toEqual([
      'warn proxy.tls.expiry',
    ]);
    expect(ids(providedTlsFindings(spec, facts({ notAfter: '2026-11-01T00:00:00.000Z' }), now))).toEqual([
      'error proxy.tls.expiry',
    ]);
    expect(ids(providedTlsFindings(spec, facts({ names: 'DNS:other.example.com' }), now))).toContain(
      'error proxy.tls.names',
    );
    expect(ids(providedTlsFindings(spec, facts({ names: 'DNS:*.example.com' }), now))).not.toContain(
      'error proxy.tls.names',
    );
  });
  it('preflight turns them into errors and warnings; the proxy ports are checked', () => {
    const findings = binaryChecks(spec, { ...probedHost({ portsInUse: [443] }), providedTls: facts({ mode: '644' }) });
    expect(findings.map((f) => `${f.severity} ${f.id}`)).toEqual(
      expect.arrayContaining(['error proxy.tls.key-mode', 'warn port.443']),
    );
  });
  it('doctor: expired is an error, a provided one near its end a warning, else ok', () => {
    const evidence = (notAfter: string, mode = 'provided') => ({
      proxyEnv: [],
      versions: [],
      skipped: [],
      proxyCertificate: { mode, names: 'DNS:im.example.com', notAfter, issuer: 'R3' },
    });
    expect(proxyCertificate(evidence('2026-11-01T00:00:00.000Z'), now)[0]!.severity).toBe('error');
    expect(proxyCertificate(evidence('2026-12-10T00:00:00.000Z'), now)[0]!.severity).toBe('warn');
    expect(proxyCertificate(evidence('2026-12-10T00:00:00.000Z', 'acme'), now)[0]!.severity).toBe('ok');
    expect(
      proxyCertificate(
        { proxyEnv: [], versions: [], skipped: [], proxyCertificate: { mode: 'acme', error: 'ECONNREFUSED' } },
        now,
      )[0]!.severity,
    ).toBe('error');
  });
  it('status: the proxy as a component, the URLs through it, the certificate and its days left', () => {
    const report = binaryStatus(
      proxiedHost(),
      [],
      {},
      { steps: {} } as never,
      now,
      {},
      { names: 'DNS:openim.localhost', notAfter: '2026-12-04T12:00:00.000Z', issuer: 'Caddy Local Authority' },
    );
    expect(report.components.find((c) => c.name === 'openim-proxy')).toMatchObject({
      kind: 'systemd unit',
      desired: 1,
      endpoints: [':443', ':80'],
    });
    expect(report.urls[0]).toEqual({ name: 'api', url: 'https://openim.localhost/api' });
    expect(report.certificate).toEqual({
      names: 'DNS:openim.localhost',
      notAfter: '2026-12-04T12:00:00.000Z',
      issuer: 'Caddy Local Authority',
      daysLeft: 0,
      mode: 'self-signed',
    });
  });
});
