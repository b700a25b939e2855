// Downloads go through the HTTP stack: a server signed by a private CA is
// refused (once, not retried, naming the fix) until that CA is given.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryTls } from '../http/tls.js';
import { sha256Hex } from '../util/hash.js';
import { fetchArtifact } from './fetch.js';

const payload = Buffer.from('artifact behind a private CA');
let dir: string;
let server: Server;
let url: string;
let requests = 0;
let caPem: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oid-fetch-tls-'));
  // A self-signed certificate for 127.0.0.1: its own CA, trusted nowhere but where it is given.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  caPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: caPem }, (_req, res) => {
    requests++;
    res.writeHead(200, { 'content-length': payload.length }).end(payload);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/a.tar.gz`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('fetchArtifact and custom CAs', () => {
  it('an untrusted certificate fails at once with the CA hint', async () => {
    requests = 0;
    await expect(
      fetchArtifact({
        source: { url },
        sha256: sha256Hex(payload),
        to: join(dir, 'untrusted'),
        http: { retries: 3, retryDelayMs: 1 },
      }),
    ).rejects.toThrow(/certificate.*--ca-file/);
    expect(requests).toBe(0); // refused in the TLS handshake, before any request reached the handler
  });

  it('the CA given through the stack (registryTls) is trusted', async () => {
    const tls = (await registryTls({ caPems: [caPem] }))!;
    const result = await fetchArtifact({
      source: { url },
      sha256: sha256Hex(payload),
      to: join(dir, 'trusted'),
      http: { fetch: tls.fetch },
    });
    expect(result).toMatchObject({ how: 'downloaded', bytes: payload.length });
    expect(readFileSync(join(dir, 'trusted'), 'utf8')).toBe(payload.toString());
  });
});
