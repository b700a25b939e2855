// binary.proxy.tls.mode acme, for real against a local ACME server: Let's Encrypt's
// pebble v2.10.3 and its DNS mock pebble-challtestsrv (both built from
// github.com/letsencrypt/pebble/v2 by scripts/openim/build.sh pebble) and Caddy
// v2.11.9 (scripts/openim/build.sh caddy) running the Caddy config the product
// builds for acme with a private directory (acme.directory + acme.caRoot).
//
// What is changed for the test, and why: the listen ports (Caddy's 80/443 become
// pebble's HTTP-01 validation port 5002 and 18443, so nothing binds the host's
// 80/443 and no root-only port is needed) and the storage folder. Everything else is
// the product's object. Not covered here: the systemd unit around it (install.test.ts
// runs that with self-signed), Let's Encrypt itself (not reachable here).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { binaryLayout } from '../../src/targets/binary/layout.js';
import { caddyConfig } from '../../src/targets/binary/proxy/caddy-config.js';
import { proxyPaths } from '../../src/targets/binary/proxy/paths.js';
import { REPO_ROOT, until } from '../systemd/container.js';

const buildDir = (name: string) =>
  execFileSync('bash', [join(REPO_ROOT, 'scripts/openim/build.sh'), 'path', name], { encoding: 'utf8' }).trim();
const DOMAIN = 'im.openim-e2e.test';
const PORTS = { acme: 14000, management: 15000, dns: 18053, challtestsrvManagement: 18055, http01: 5002, https: 18443 };

type Json = Record<string, any>;
let work: string;
const children: ChildProcess[] = [];
const logs: Record<string, string> = {};

function start(name: string, argv: string[], env: Record<string, string> = {}): void {
  const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  logs[name] = '';
  child.stdout!.on('data', (d: Buffer) => (logs[name] += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (logs[name] += d.toString()));
  children.push(child);
}

function servedCertificate(
  ca: string,
): Promise<{ authorized: boolean; error?: string; names: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: PORTS.https, servername: DOMAIN, ca }, () => {
      const cert = socket.getPeerCertificate();
      resolve({
        authorized: socket.authorized,
        ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}),
        names: String(cert.subjectaltname),
        issuer: String(cert.issuer?.CN),
      });
      socket.end();
    });
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'openim-acme-'));
  const pebble = buildDir('pebble');
  const certs = join(pebble, 'certs');
  writeFileSync(
    join(work, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${PORTS.acme}`,
        managementListenAddress: `127.0.0.1:${PORTS.management}`,
        certificate: join(certs, 'localhost/cert.pem'),
        privateKey: join(certs, 'localhost/key.pem'),
        httpPort: PORTS.http01,
        tlsPort: 5001,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  // The DNS mock answers every A query with 127.0.0.1 (where Caddy listens) and nothing else.
  start('challtestsrv', [
    join(pebble, 'pebble-challtestsrv'),
    '-defaultIPv4',
    '127.0.0.1',
    '-defaultIPv6',
    '',
    '-dnsserver',
    `127.0.0.1:${PORTS.dns}`,
    '-management',
    `127.0.0.1:${PORTS.challtestsrvManagement}`,
    '-http01',
    '',
    '-https01',
    '',
    '-tlsalpn01',
    '',
    '-doh',
    '',
  ]);
  start(
    'pebble',
    [join(pebble, 'pebble'), '-config', join(work, 'pebble.json'), '-dnsserver', `127.0.0.1:${PORTS.dns}`],
    { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
  );
  await until('pebble listening', async () => (/listening on/i.test(logs.pebble!) ? true : undefined), 30_000);

  const spec = resolveConfig({
    preset: 'single-host',
    sets: [
      'profile=production',
      `openim.domain=${DOMAIN}`,
      'binary.proxy.tls.mode=acme',
      `binary.proxy.tls.acme.directory=https://localhost:${PORTS.acme}/dir`,
      `binary.proxy.tls.acme.caRoot=${join(certs, 'pebble.minica.pem')}`,
      'binary.proxy.tls.acme.email=ops@openim-e2e.test',
    ],
  }).spec;
  const config = caddyConfig(spec, { ...proxyPaths(binaryLayout(spec)), storage: join(work, 'caddy') }) as Json;
  // The test's only changes: ports (see the header).
  config.apps.http.http_port = PORTS.http01;
  config.apps.http.https_port = PORTS.https;
  config.apps.http.servers.openim.listen = [`:${PORTS.https}`];
  config.apps.http.servers.redirect.listen = [`:${PORTS.http01}`];
  writeFileSync(join(work, 'caddy.json'), JSON.stringify(config, null, 2));
  start('caddy', [join(buildDir('caddy'), 'caddy'), 'run', '--config', join(work, 'caddy.json')], {
    XDG_DATA_HOME: join(work, 'caddy'),
    XDG_CONFIG_HOME: join(work, 'caddy'),
  });
}, 120_000);

afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('binary.proxy.tls.mode acme against a real ACME server (pebble)', () => {
  it("Caddy with the product's config obtains a certificate for the domain over HTTP-01 and serves it", async () => {
    // pebble's issuing root (a new one each start), from its management interface (TLS by pebble's minica).
    const minica = readFileSync(join(buildDir('pebble'), 'certs/pebble.minica.pem'), 'utf8');
    const { Agent, fetch: undiciFetch } = await import('undici');
    const dispatcher = new Agent({ connect: { ca: minica } });
    const root = await (await undiciFetch(`https://localhost:${PORTS.management}/roots/0`, { dispatcher })).text();
    const intermediate = await (
      await undiciFetch(`https://localhost:${PORTS.management}/intermediates/0`, { dispatcher })
    ).text();
    expect(root).toContain('BEGIN CERTIFICATE');
    const served = await until(
      'a certificate from pebble served by Caddy',
      async () => {
        const r = await servedCertificate(root).catch(() => undefined);
        return r?.authorized ? r : undefined;
      },
      90_000,
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}\n--- caddy ---\n${logs.caddy!.slice(-3000)}\n--- pebble ---\n${logs.pebble!.slice(-2000)}`,
      );
    });
    console.log(
      `[acme] ${DOMAIN}: ${served.names} issued by ${served.issuer}; pebble: ${logs
        .pebble!.split('\n')
        .filter((l) => /Attempting to validate|set VALID|Issued certificate/.test(l))
        .slice(0, 3)
        .join(' | ')}`,
    );
    expect(served).toMatchObject({ authorized: true, names: `DNS:${DOMAIN}` });
    // HTTP-01 it was: pebble validated over the redirect server's port, which answered the challenge before redirecting.
    expect(logs.pebble).toMatch(
      new RegExp(
        `Attempting to validate w/ HTTP: http://${DOMAIN.replace(/\./g, '\\.')}:${PORTS.http01}/\\.well-known/acme-challenge/`,
      ),
    );
    expect(logs.pebble).toMatch(/set VALID by completed challenge/);
    expect(intermediate).toContain('BEGIN CERTIFICATE');
  });
});
