// pushBundle's scheduling against a small loopback server that plays the
// distribution API (blob HEAD, upload with cross-repository mount, manifest
// PUT/HEAD) and counts requests in flight. Round trips against the real
// registry are in test/offline/bundle.test.ts; this checks what a real
// registry cannot show: how many requests overlap, and the shared-blob dedupe
// when images sharing a layer run at once.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tarArchive, type TarWriteEntry } from '../archive/tar/in-memory.js';
import { RegistryClient } from '../oci/registry-client.js';
import { blobPath, ENTRY, REF_ANNOTATIONS } from '../bundle-layout/names.js';
import { pushBundle } from './push.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface FakeRegistry {
  host: string;
  blobs: Map<string, Set<string>>;
  tags: Map<string, string>;
  uploads: string[];
  mounts: string[];
  maxInFlight: number;
  maxBlobInFlight: number;
}

let server: Server | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oid-push-'));
});
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Every answer waits `delayMs`, so requests that can overlap do. */
async function fakeRegistry(delayMs = 15): Promise<FakeRegistry> {
  const state: FakeRegistry = {
    host: '',
    blobs: new Map(),
    tags: new Map(),
    uploads: [],
    mounts: [],
    maxInFlight: 0,
    maxBlobInFlight: 0,
  };
  let inFlight = 0;
  let blobInFlight = 0;
  const has = (repo: string, digest: string) => state.blobs.get(repo)?.has(digest) ?? false;
  const add = (repo: string, digest: string) => state.blobs.set(repo, (state.blobs.get(repo) ?? new Set()).add(digest));
  server = createServer(
    (req, res) =>
      void (async () => {
        const url = new URL(req.url!, 'http://x');
        const blobRequest = url.pathname.includes('/blobs/');
        inFlight++;
        state.maxInFlight = Math.max(state.maxInFlight, inFlight);
        if (blobRequest) state.maxBlobInFlight = Math.max(state.maxBlobInFlight, ++blobInFlight);
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const body = Buffer.concat(chunks);
        await new Promise((r) => setTimeout(r, delayMs));
        inFlight--;
        if (blobRequest) blobInFlight--;
        let m: RegExpExecArray | null;
        if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname))) {
          const repo = m[1]!;
          if (req.method === 'POST') {
            const mount = url.searchParams.get('mount');
            const from = url.searchParams.get('from');
            if (mount && from && has(from, mount)) {
              add(repo, mount);
              state.mounts.push(`${repo} ${mount}`);
              return res.writeHead(201).end();
            }
            return res
              .writeHead(202, { location: `/v2/${repo}/blobs/uploads/${randomBytes(4).toString('hex')}` })
              .end();
          }
          const digest = url.searchParams.get('digest')!;
          if (req.method !== 'PUT' || sha(body) !== digest) return res.writeHead(400).end();
          add(repo, digest);
          state.uploads.push(`${repo} ${digest}`);
          return res.writeHead(201).end();
        }
        if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)))
          return res.writeHead(has(m[1]!, m[2]!) ? 200 : 404).end();
        if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname))) {
          const key = `${m[1]}:${m[2]}`;
          if (req.method === 'PUT') {
            const parsed = JSON.parse(body.toString()) as { config: { digest: string }; layers: { digest: string }[] };
            // A registry refuses a manifest whose blobs it lacks.
            if (![parsed.config, ...parsed.layers].every((d) => has(m![1]!, d.digest))) return res.writeHead(400).end();
            state.tags.set(key, sha(body));
            return res.writeHead(201, { 'docker-content-digest': sha(body) }).end();
          }
          const digest = state.tags.get(key);
          return digest ? res.writeHead(200, { 'docker-content-digest': digest }).end() : res.writeHead(404).end();
        }
        res.writeHead(404).end();
      })(),
  );
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  state.host = `127.0.0.1:${(server!.address() as AddressInfo).port}`;
  return state;
}

/** A bundle holding only an OCI layout: one single-platform image per ref, with the given layers. */
function writeBundle(images: Record<string, Buffer[]>): { path: string; digests: Record<string, string> } {
  const entries: TarWriteEntry[] = [{ path: ENTRY.ociLayout, data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) }];
  const seen = new Set<string>();
  const addBlob = (bytes: Buffer) => {
    const digest = sha(bytes);
    if (!seen.has(digest)) entries.push({ path: blobPath(digest), data: bytes });
    seen.add(digest);
    return { digest, size: bytes.length };
  };
  const index: object[] = [];
  const digests: Record<string, string> = {};
  for (const [ref, layers] of Object.entries(images)) {
    const config = addBlob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', ref })));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...addBlob(l) })),
      }),
    );
    const m = addBlob(manifest);
    digests[ref] = m.digest;
    index.push({ mediaType: MANIFEST, ...m, annotations: { [REF_ANNOTATIONS.refName]: ref } });
  }
  entries.push({ path: ENTRY.ociIndex, data: JSON.stringify({ schemaVersion: 2, manifests: index }) });
  const path = join(dir, 'bundle.tar');
  writeFileSync(path, tarArchive(entries));
  return { path, digests };
}

const layer = () => randomBytes(4096);

describe('pushBundle', () => {
  it('sends the layers of one image side by side, never more than --concurrency blob requests at once', async () => {
    const registry = await fakeRegistry();
    const { path, digests } = writeBundle({ 'docker.io/openim/big:1': [layer(), layer(), layer(), layer(), layer()] });
    const pushed = await pushBundle(path, {
      registry: registry.host,
      client: new RegistryClient({ retries: 0 }),
      concurrency: 3,
    });
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.digest).toBe(digests['docker.io/openim/big:1']);
    expect(pushed[0]!.blobs).toEqual({ uploaded: 6, mounted: 0, existing: 0 });
    expect(registry.maxBlobInFlight).toBe(3);
  });

  it('with --concurrency 1 sends one request at a time', async () => {
    const registry = await fakeRegistry(5);
    const { path } = writeBundle({
      'docker.io/openim/a:1': [layer(), layer()],
      'docker.io/openim/b:1': [layer(), layer()],
    });
    const pushed = await pushBundle(path, {
      registry: registry.host,
      client: new RegistryClient({ retries: 0 }),
      concurrency: 1,
    });
    expect(pushed.map((p) => p.blobs.uploaded)).toEqual([3, 3]);
    expect(registry.maxInFlight).toBe(1);
  });

  it('uploads a layer shared by images running at once a single time and mounts it into the others', async () => {
    const registry = await fakeRegistry();
    const base = randomBytes(64 * 1024);
    const refs = ['docker.io/openim/a:1', 'docker.io/openim/b:1', 'docker.io/openim/c:1', 'docker.io/openim/d:1'];
    const { path, digests } = writeBundle(Object.fromEntries(refs.map((r) => [r, [base, layer()]])));
    const pushed = await pushBundle(path, {
      registry: registry.host,
      client: new RegistryClient({ retries: 0 }),
      concurrency: 4,
    });
    expect(registry.uploads.filter((u) => u.endsWith(sha(base)))).toHaveLength(1);
    expect(registry.mounts).toHaveLength(3);
    expect(pushed.reduce((n, p) => n + p.blobs.uploaded, 0)).toBe(4 * 2 + 1);
    expect(pushed.reduce((n, p) => n + p.blobs.mounted, 0)).toBe(3);
    for (const p of pushed) expect(p.digest).toBe(digests[p.ref]);
    // A second push finds every blob where it belongs and uploads nothing.
    const again = await pushBundle(path, {
      registry: registry.host,
      client: new RegistryClient({ retries: 0 }),
      concurrency: 4,
    });
    expect(again.every((p) => p.blobs.uploaded === 0 && p.blobs.mounted === 0 && p.blobs.existing === 3)).toBe(true);
  });
});
