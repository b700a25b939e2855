// The client against a small loopback server that plays the registry parts
// the real-registry suite (test/offline) cannot: Basic auth, flaky answers,
// a registry that lies about a digest.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { digestOf } from './digest.js';
import { RegistryClient, RegistryError } from './registry-client.js';

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'x', digest: `sha256:${'0'.repeat(64)}`, size: 1 },
    layers: [],
  }),
);
let server: Server | undefined;

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe('RegistryClient', () => {
  it('answers a Basic challenge with the docker config credentials, and says how to log in without them', async () => {
    const seen: (string | undefined)[] = [];
    const host = await serve((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`)
        return res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' }).end();
      res
        .writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': digestOf(manifest),
        })
        .end(manifest);
    });
    const client = new RegistryClient({
      credentials: { get: (h) => (h === host ? { username: 'u', password: 'p' } : undefined) },
      retries: 0,
    });
    const got = await client.getManifest(host, 'team/app', '1');
    expect(got.digest).toBe(digestOf(manifest));
    expect(seen[0]).toBeUndefined();
    const anonymous = new RegistryClient({ retries: 0 });
    await expect(anonymous.getManifest(host, 'team/app', '1')).rejects.toThrow(`docker login ${host}`);
  });

  it('retries 503 and 429 (honouring Retry-After), then succeeds', async () => {
    let calls = 0;
    const host = await serve((_req, res) => {
      calls++;
      if (calls === 1) return res.writeHead(503).end();
      if (calls === 2) return res.writeHead(429, { 'retry-after': '0' }).end();
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
    });
    const client = new RegistryClient({ retries: 3, retryDelayMs: 10 });
    await expect(client.getManifest(host, 'a', '1')).resolves.toMatchObject({ digest: digestOf(manifest) });
    expect(calls).toBe(3);
  });

  it('refuses a manifest whose content does not have the digest asked for or claimed', async () => {
    const host = await serve((_req, res) =>
      res
        .writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': `sha256:${'1'.repeat(64)}`,
        })
        .end(manifest),
    );
    const client = new RegistryClient({ retries: 0 });
    await expect(client.getManifest(host, 'a', '1')).rejects.toThrow(/registry says/);
    await expect(client.getManifest(host, 'a', `sha256:${'2'.repeat(64)}`)).rejects.toBeInstanceOf(RegistryError);
  });

  it('fetches one token per repository from a known token service instead of a 401 each time', async () => {
    let tokenRequests = 0;
    let unauthorized = 0;
    const host = await serve((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        tokenRequests++;
        return res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: `t-${url.searchParams.get('scope')}` }));
      }
      const repo = url.pathname.split('/manifests/')[0]!.slice(4);
      if (req.headers.authorization !== `Bearer t-repository:${repo}:pull`) {
        unauthorized++;
        return res
          .writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="test"` })
          .end();
      }
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
    });
    const client = new RegistryClient({ retries: 0 });
    for (const repo of ['a', 'b', 'c']) await client.getManifest(host, repo, '1');
    expect(tokenRequests).toBe(3);
    expect(unauthorized).toBe(1);
  });
});
