// Small images the tests build themselves: layer tarballs made with GNU tar,
// OCI configs and manifests (an index for multi-platform images), written as
// an OCI image layout and pushed with skopeo (an independent client) into a
// real registry.

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from './scratch.js';

export interface Blob {
  digest: string;
  size: number;
  bytes: Buffer;
  mediaType: string;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const blob = (bytes: Buffer, mediaType: string): Blob => ({
  digest: sha(bytes),
  size: bytes.length,
  bytes,
  mediaType,
});
/** How a manifest or an index points at a blob. */
const descriptor = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });

/** An OCI image manifest over a config blob and layer blobs (an image's, or a Helm chart's as `helm push` makes it). */
export function manifestOf(config: Blob, layers: Blob[]): Blob {
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  return blob(
    Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType, config: descriptor(config), layers: layers.map(descriptor) }),
    ),
    mediaType,
  );
}

export interface Layer {
  blob: Blob;
  diffId: string;
}

/** A gzipped layer of the given files, made by GNU tar (reproducible flags). */
function makeLayer(files: Record<string, Buffer | string>): Layer {
  const dir = tempDir('layer');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  let tar: Buffer;
  try {
    tar = execFileSync(
      'tar',
      ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', '-C', dir, '.'],
      { maxBuffer: 1024 * 1024 * 1024 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { blob: blob(gzipSync(tar), 'application/vnd.oci.image.layer.v1.tar+gzip'), diffId: sha(tar) };
}

export function randomLayer(name: string, bytes: number): Layer {
  return makeLayer({ [`${name}/data.bin`]: randomBytes(bytes), [`${name}/NAME`]: name });
}

export interface BuiltImage {
  /** What the layout tags (index or manifest). */
  root: Blob;
  blobs: Blob[];
  /** Manifest digest per arch. */
  manifests: Record<string, string>;
}

function manifestFor(arch: string, layers: Layer[], label: string): { manifest: Blob; config: Blob } {
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: arch,
        os: 'linux',
        config: { Labels: { 'test.image': label } },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      }),
    ),
    'application/vnd.oci.image.config.v1+json',
  );
  return {
    manifest: manifestOf(
      config,
      layers.map((l) => l.blob),
    ),
    config,
  };
}

/** One image: a plain manifest for one arch, an index for several (layers per arch from `layersFor`). */
export function buildImage(label: string, arches: string[], layersFor: (arch: string) => Layer[]): BuiltImage {
  const blobs: Blob[] = [];
  const manifests: Record<string, string> = {};
  const descriptors: object[] = [];
  for (const arch of arches) {
    const layers = layersFor(arch);
    const { manifest, config } = manifestFor(arch, layers, label);
    blobs.push(...layers.map((l) => l.blob), config, manifest);
    manifests[arch] = manifest.digest;
    descriptors.push({ ...descriptor(manifest), platform: { os: 'linux', architecture: arch } });
  }
  if (arches.length === 1) return { root: blobs[blobs.length - 1]!, blobs, manifests };
  const index = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: descriptors,
      }),
    ),
    'application/vnd.oci.image.index.v1+json',
  );
  blobs.push(index);
  return { root: index, blobs, manifests };
}

/** Writes an OCI layout holding `image` tagged `ref`, and copies it to `dest` (docker://host/repo:tag) with skopeo. */
export async function pushWithSkopeo(image: BuiltImage, dest: string, creds?: string): Promise<void> {
  const dir = tempDir('layout');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of image.blobs) writeFileSync(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...descriptor(image.root), annotations: { 'org.opencontainers.image.ref.name': 'image' } }],
    }),
  );
  const auth = creds ? ['--dest-creds', creds] : [];
  // Async: the token service the registry sends skopeo to may live in this process.
  try {
    await promisify(execFile)(
      'skopeo',
      [
        '--insecure-policy',
        'copy',
        '--all',
        '--preserve-digests',
        '--quiet',
        '--dest-tls-verify=false',
        ...auth,
        `oci:${dir}:image`,
        `docker://${dest}`,
      ],
      { timeout: 60_000 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
