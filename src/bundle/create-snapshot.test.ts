// Guard for refactors of createBundle (issue #20: step builders): one bundle with
// every kind of content (a local chart, a repository chart, an OCI chart, a
// single-platform image, a multi-platform image sharing a layer with it, a pinned
// local file, an unpinned downloaded file, split parts and a signature), from a
// loopback registry and file server in this process, at a fixed time. The bytes
// of every part, the manifest and the events are recorded: a refactor that
// changes one byte of the bundle changes the snapshot.
import { createHash, createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MEDIA } from '../oci/media-types.js';
import { RegistryClient } from '../oci/registry-client.js';
import { createBundle, type CreateEvent } from './create.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const digest = (b: Buffer) => `sha256:${sha256(b)}`;
/** Deterministic bytes of a given length (no randomness: the snapshot records them). */
const bytesOf = (seed: string, length: number) => {
  const out = Buffer.alloc(length);
  let block = Buffer.from(seed);
  for (let i = 0; i < length; i += 32) {
    block = createHash('sha256').update(block).digest();
    block.copy(out, i);
  }
  return out;
};

/** Blobs and manifests of the fixture registry, by repository and reference. */
function registryFixture() {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, { bytes: Buffer; type: string }>();
  const blob = (b: Buffer, mediaType: string) => (
    blobs.set(digest(b), b),
    { mediaType, digest: digest(b), size: b.length }
  );
  const manifest = (repo: string, tag: string | undefined, body: object, type: string) => {
    const bytes = Buffer.from(JSON.stringify(body));
    manifests.set(`${repo}@${digest(bytes)}`, { bytes, type });
    if (tag) manifests.set(`${repo}@${tag}`, { bytes, type });
    return { mediaType: type, digest: digest(bytes), size: bytes.length };
  };
  const shared = blob(gzipSync(bytesOf('shared layer', 40_000)), MEDIA.ociLayerGzip);
  const image = (repo: string, tag: string | undefined, arch: string, own: string) =>
    manifest(
      repo,
      tag,
      {
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config: blob(
          Buffer.from(JSON.stringify({ os: 'linux', architecture: arch, rootfs: { type: 'layers' } })),
          MEDIA.ociConfig,
        ),
        layers: [shared, blob(gzipSync(bytesOf(own, 20_000)), MEDIA.ociLayerGzip)],
      },
      MEDIA.ociManifest,
    );
  image('fixture/single', '1.0', 'amd64', 'single own layer');
  const amd = image('fixture/multi', undefined, 'amd64', 'multi amd64 layer');
  const arm = image('fixture/multi', undefined, 'arm64', 'multi arm64 layer');
  manifest(
    'fixture/multi',
    '2.0',
    {
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
        { ...arm, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    },
    MEDIA.ociIndex,
  );
  const chart = gzipSync(bytesOf('oci chart', 5_000));
  manifest(
    'charts/oci-chart',
    '0.3.0',
    {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: blob(Buffer.from('{}'), MEDIA.helmConfig),
      layers: [blob(chart, MEDIA.helmChart)],
    },
    MEDIA.ociManifest,
  );
  return { blobs, manifests };
}

const repoChart = gzipSync(bytesOf('repo chart', 6_000));
const downloaded = bytesOf('downloaded file', 70_000);
let server: Server;
let host = '';

beforeAll(async () => {
  const { blobs, manifests } = registryFixture();
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const send = (body: Buffer, type = 'application/octet-stream', headers: Record<string, string> = {}) => {
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const from = range ? Number(range[1]) : 0;
      res.writeHead(range ? 206 : 200, {
        'content-type': type,
        'content-length': String(body.length - from),
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body.subarray(from));
    };
    if (url === '/v2/') return send(Buffer.from('{}'), 'application/json');
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url);
    if (m && m[2] === 'manifests' && manifests.has(`${m[1]}@${m[3]}`)) {
      const found = manifests.get(`${m[1]}@${m[3]}`)!;
      return send(found.bytes, found.type, { 'docker-content-digest': digest(found.bytes) });
    }
    if (m && m[2] === 'blobs' && blobs.has(m[3]!)) return send(blobs.get(m[3]!)!);
    if (url === '/charts/index.yaml')
      return send(
        Buffer.from(
          stringify({
            apiVersion: 'v1',
            entries: {
              'repo-chart': [{ version: '1.2.3', urls: ['repo-chart-1.2.3.tgz'], digest: sha256(repoChart) }],
            },
          }),
        ),
      );
    if (url === '/charts/repo-chart-1.2.3.tgz') return send(repoChart);
    if (url === '/files/downloaded.bin') return send(downloaded);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

// An ed25519 key from a fixed seed: its signatures are deterministic.
const signingKey = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), bytesOf('signing seed', 32)]),
  format: 'der',
  type: 'pkcs8',
});

async function create(dir: string) {
  // Run from the bundle's folder with the local file given by a relative path: manifest.json records
  // the path as given, and a temp dir in it would make every bundle different.
  const local = 'local.bin';
  writeFileSync(join(dir, local), bytesOf('local file', 50_000));
  // A fixture chart of our own, so edits to templates/charts do not move this snapshot.
  mkdirSync(join(dir, 'templates/charts/fixture-chart/templates'), { recursive: true });
  writeFileSync(
    join(dir, 'templates/charts/fixture-chart/Chart.yaml'),
    'apiVersion: v2\nname: fixture-chart\nversion: 0.1.0\n',
  );
  writeFileSync(
    join(dir, 'templates/charts/fixture-chart/templates/configmap.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixture\n',
  );
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await createIn(dir, local);
  } finally {
    process.chdir(cwd);
  }
}

async function createIn(dir: string, local: string) {
  const events: CreateEvent[] = [];
  const result = await createBundle({
    output: join(dir, 'bundle.tar'),
    splitBytes: 64 * 1024,
    contents: {
      components: ['fixture'],
      gaps: [],
      images: [
        { registry: 'registry.example', repository: 'fixture/single', tag: '1.0' },
        { registry: 'registry.example', repository: 'fixture/multi', tag: '2.0' },
      ],
      charts: [
        { source: 'local', name: 'fixture-chart', repo: '', version: '', license: 'Apache-2.0' },
        { source: 'repo', name: 'repo-chart', repo: 'https://charts.example/charts', version: '1.2.3', license: 'MIT' },
        {
          source: 'oci',
          name: 'oci-chart',
          repo: 'oci://registry.example/charts',
          version: '0.3.0',
          license: 'BSD-3-Clause',
        },
      ],
      files: [
        {
          id: 'local',
          name: 'local.bin',
          arch: 'amd64',
          source: local,
          sha256: sha256(readFileSync(local)),
          license: 'MIT',
        },
        {
          id: 'downloaded',
          name: 'downloaded.bin',
          arch: 'any',
          source: 'https://user:secret@files.example/files/downloaded.bin',
          sha256: '',
        },
      ],
    },
    platforms: [{ os: 'linux', architecture: 'amd64' }],
    meta: {
      target: 'kubernetes',
      profile: 'dev',
      openim: { serverVersion: 'v0.0.0', chatVersion: 'v0.0.0' },
      createdBy: 'snapshot',
    },
    templatesDir: join(dir, 'templates'),
    concurrency: 1,
    client: new RegistryClient(),
    http: {},
    signingKey,
    pullMirrors: { 'registry.example': host },
    urlMirrors: {
      'https://charts.example/charts': `http://${host}/charts`,
      'https://user:secret@files.example/files': `http://${host}/files`,
    },
    report: (e) => events.push(e),
    now: new Date('2026-01-02T03:04:05Z'),
  });
  return {
    parts: result.paths.map((p) => `${basename(p)} ${sha256(readFileSync(p))}`),
    bytes: result.bytes,
    manifest: result.manifest,
    events: events.map((e) => JSON.stringify(e)).sort(),
  };
}

describe('bundle create (refactor guard)', () => {
  it('writes the recorded bytes, manifest and events for a bundle with every kind of content', async () => {
    const first = await create(mkdtempSync(join(tmpdir(), 'oid-create-snapshot-')));
    // Deterministic: a second bundle from the same inputs is the same, so a change here is a real change.
    expect(await create(mkdtempSync(join(tmpdir(), 'oid-create-snapshot-')))).toEqual(first);
    expect(first).toMatchSnapshot();
  });
});
