// A private registry behind TLS with its own CA, as Harbor behind a company
// PKI usually is: a real docker-registry serving a certificate signed by a CA
// this test makes with openssl, reached by a host name (registry.openim.test,
// mapped to loopback in a private mount namespace) so the name is checked.
// `bundle push` must refuse an untrusted certificate at once with the fix in
// the message, push with --ca-file, push with --tls-skip-verify, and refuse a
// CA file that holds no certificate as bad input.

import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { buildImage, pushWithSkopeo, randomLayer, type BuiltImage } from './helpers/images.js';
import { startRegistry, type Registry } from './helpers/registry.js';
import { removeTempDirs, tempDir } from './helpers/scratch.js';

const NAME = 'registry.openim.test';
const REF = 'docker.io/openim/openim-api:tls';

function makePki(dir: string): { ca: string; cert: string; key: string } {
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=openim-deploy test CA',
  ]);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${NAME}`]);
  writeFileSync(join(dir, 'san.ext'), `subjectAltName=DNS:${NAME}\n`);
  ssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ]);
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

/** The manifest digest the registry holds for the image, asked over TLS with the test CA. */
function remoteDigest(port: number, ca: string, repository: string, tag: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: NAME,
        port,
        method: 'HEAD',
        path: `/v2/${repository}/manifests/${tag}`,
        ca: readFileSync(ca),
        headers: { host: `${NAME}:${port}`, accept: 'application/vnd.oci.image.manifest.v1+json' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 ? String(res.headers['docker-content-digest']) : undefined);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('bundle push to a registry with a private CA', () => {
  let dir: string;
  let pki: ReturnType<typeof makePki>;
  let bundle: string;
  let hosts: string;
  let image: BuiltImage;
  const registries: Registry[] = [];

  beforeAll(async () => {
    dir = tempDir('tls');
    pki = makePki(dir);
    const source = await startRegistry({ name: 'tls-source' });
    registries.push(source);
    image = buildImage('openim-api', ['amd64'], () => [randomLayer('openim-api', 64 * 1024)]);
    await pushWithSkopeo(image, `${source.host}/${REF}`);
    writeFileSync(join(dir, 'contents.yaml'), stringify({ images: [REF], charts: [], files: [] }));
    bundle = join(dir, 'bundle.tar');
    const created = await runCli([
      'bundle',
      'create',
      '--preset',
      'dev',
      '--contents-from',
      join(dir, 'contents.yaml'),
      '--pull-mirror',
      `docker.io=${source.host}/docker.io`,
      '-o',
      bundle,
    ]);
    expect(created.code, created.stderr).toBe(0);
    hosts = join(dir, 'hosts');
    writeFileSync(hosts, `127.0.0.1 localhost ${NAME} other.openim.test\n`);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(registries.map((r) => r.stop()));
    removeTempDirs();
  });

  const tlsRegistry = async () => {
    const r = await startRegistry({ name: 'tls-target', tls: { certificate: pki.cert, key: pki.key } });
    registries.push(r);
    return { registry: r, port: Number(r.host.split(':')[1]), target: `${NAME}:${r.host.split(':')[1]}` };
  };

  it('refuses an untrusted certificate at once, naming the fix, and pushes nothing', async () => {
    const { port, target } = await tlsRegistry();
    const r = await runCli(['bundle', 'push', bundle, '--registry', target, '--no-verify', '--retries', '4'], {
      hostsFile: hosts,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
    );
    expect(r.stderr).toContain('--ca-file ca.pem');
    expect(r.stderr).not.toContain('retrying'); // a certificate does not get better with another attempt
    expect(await remoteDigest(port, pki.ca, 'openim/openim-api', 'tls')).toBeUndefined();
  });

  it('pushes with --ca-file, checking the registry name against the certificate', async () => {
    const { port, target } = await tlsRegistry();
    // The same server under a name its certificate does not carry: refused, CA or not.
    const wrongName = await runCli(
      ['bundle', 'push', bundle, '--registry', `other.openim.test:${port}`, '--no-verify', '--ca-file', pki.ca],
      { hostsFile: hosts },
    );
    expect(wrongName.code).not.toBe(0);
    expect(wrongName.stderr).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await remoteDigest(port, pki.ca, 'openim/openim-api', 'tls')).toBeUndefined();

    const r = await runCli(['bundle', 'push', bundle, '--registry', target, '--no-verify', '--ca-file', pki.ca], {
      hostsFile: hosts,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(await remoteDigest(port, pki.ca, 'openim/openim-api', 'tls')).toBe(image.root.digest);
  });

  it('pushes with --tls-skip-verify (TLS, certificate not checked)', async () => {
    const { port, target } = await tlsRegistry();
    const r = await runCli(['bundle', 'push', bundle, '--registry', target, '--no-verify', '--tls-skip-verify'], {
      hostsFile: hosts,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(await remoteDigest(port, pki.ca, 'openim/openim-api', 'tls')).toBe(image.root.digest);
  });

  it('a CA file that holds no certificate is bad input (exit 2), before any request', async () => {
    const { target } = await tlsRegistry();
    const r = await runCli(['bundle', 'push', bundle, '--registry', target, '--no-verify', '--ca-file', pki.key], {
      hostsFile: hosts,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ca-file');
    expect(r.stderr).toContain('holds no PEM certificate');
  });
});
