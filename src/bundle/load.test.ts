import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarArchive } from '../archive/tar/in-memory.js';
import { readTar } from '../archive/tar/reader.js';
import { layoutRefs, layoutTarStream, loadBundleImages } from './load.js';
import { indexBundle } from './scan.js';

const dir = mkdtempSync(join(tmpdir(), 'bundle-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const blob = Buffer.alloc(5 * 1024 * 1024 + 7, 'x'); // more than one read chunk, not block-aligned
const index = {
  schemaVersion: 2,
  manifests: [
    {
      digest: 'sha256:aa',
      annotations: {
        'io.containerd.image.name': 'docker.io/openim/openim-api:v3.8.3',
        'org.opencontainers.image.ref.name': 'v3.8.3',
      },
    },
  ],
};
const bundle = join(dir, 'b.bundle');
writeFileSync(
  bundle,
  tarArchive([
    { path: 'manifest.json', data: '{}' },
    { path: 'charts/x-1.0.0.tgz', data: 'chart' },
    { type: 'directory', path: 'images/' },
    { path: 'images/oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { path: 'images/blobs/sha256/aa', data: blob },
    { path: 'images/index.json', data: JSON.stringify(index) },
  ]),
);

describe('bundle load', () => {
  it('streams only the images/ layout, prefix removed, data intact', async () => {
    const idx = await indexBundle(bundle);
    const seen: Record<string, Buffer> = {};
    for await (const e of readTar(layoutTarStream(idx))) {
      const chunks: Buffer[] = [];
      for await (const c of e.body()) chunks.push(c);
      seen[e.path] = Buffer.concat(chunks);
    }
    await idx.files.close();
    expect(Object.keys(seen).sort()).toEqual(['blobs/sha256/aa', 'index.json', 'oci-layout']);
    expect(seen['blobs/sha256/aa']!.equals(blob)).toBe(true);
    expect(JSON.parse(seen['index.json']!.toString())).toEqual(index);
  });

  it('names the images by their containerd annotation', async () => {
    const idx = await indexBundle(bundle);
    expect(await layoutRefs(idx)).toEqual(['docker.io/openim/openim-api:v3.8.3']);
    await idx.files.close();
  });

  it('a missing ctr is an error that names the fix', async () => {
    await expect(
      loadBundleImages(bundle, { ctr: join(dir, 'no-ctr'), address: '/x.sock', namespace: 'k8s.io' }),
    ).rejects.toThrow(/install containerd/);
  });

  it('a failing ctr is an error with its exit code', async () => {
    await expect(loadBundleImages(bundle, { ctr: 'false', address: '/x.sock', namespace: 'k8s.io' })).rejects.toThrow(
      /exit 1/,
    );
  });
});
