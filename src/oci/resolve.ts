// Resolves an image reference to what a bundle stores for it: the manifests
// (exact bytes, so digests survive the copy) and the blobs they name, for the
// requested platforms only.

import { formatImage, type ImageRef } from '../catalog/images.js';
import { digestOf } from './digest.js';
import {
  isIndexType,
  isManifestType,
  MEDIA,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './media-types.js';
import { formatPlatform, platformMatches } from './platform.js';
import type { RegistryClient } from './registry-client.js';

interface StoredManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

/** Where an image is actually pulled from (a pull mirror, or the upstream registry itself). */
export interface ImageLocation {
  registry: string;
  repository: string;
}

export interface ResolvedImage {
  /** Upstream reference as the catalog names it. */
  ref: ImageRef;
  from: ImageLocation;
  /** What the bundle tags: the source index, a filtered index, or one platform's manifest. */
  root: StoredManifest;
  /** Digest of what the registry serves for the tag (differs from root when platforms were picked). */
  sourceDigest: string;
  /** Every manifest to store, children before the index that names them. */
  manifests: StoredManifest[];
  /** Config and layer blobs, each once. */
  blobs: Descriptor[];
  /** Small blobs already fetched while resolving (image configs), by digest. */
  inline: Map<string, Buffer>;
  platforms: string[];
}

const ATTESTATION = 'attestation-manifest';

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
}

function imageText(ref: ImageRef): string {
  return formatImage(ref);
}

/**
 * Pull mirrors (`docker.io=m.daocloud.io`, `quay.io=mirror.internal:5000/quay`):
 * the image is fetched there under the same path; the bundle keeps the upstream name.
 */
export function pullLocation(ref: ImageRef, mirrors: Record<string, string>): ImageLocation {
  const mirror = mirrors[ref.registry];
  if (!mirror) return { registry: ref.registry, repository: ref.repository };
  const [host, ...prefix] = mirror.replace(/\/+$/, '').split('/');
  return { registry: host!, repository: [...prefix, ref.repository].join('/') };
}

/** Blobs already at hand (a resumed bundle), by digest. */
export type KnownBlobs = (digest: string) => Buffer | undefined;

async function fetchConfig(
  client: RegistryClient,
  ref: ImageRef,
  from: ImageLocation,
  desc: Descriptor,
  known?: KnownBlobs,
): Promise<Buffer> {
  const have = known?.(desc.digest);
  if (have && digestOf(have) === desc.digest) return have;
  const { stream } = await client.openBlob(from.registry, from.repository, desc.digest);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > 4 * 1024 * 1024) throw new Error(`config ${desc.digest} of ${imageText(ref)} is larger than 4 MiB`);
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  if (digestOf(bytes) !== desc.digest)
    throw new Error(`config blob of ${imageText(ref)} does not match ${desc.digest}`);
  return bytes;
}

async function resolveManifest(
  client: RegistryClient,
  ref: ImageRef,
  stored: StoredManifest,
  out: ResolvedImage,
  wanted: Platform[],
  fromIndex: boolean,
  known?: KnownBlobs,
): Promise<string> {
  if (!isManifestType(stored.mediaType))
    throw new Error(`${imageText(ref)}: unsupported manifest type ${stored.mediaType}`);
  const manifest = parseJson<ImageManifest>(stored.bytes, `manifest of ${imageText(ref)}`);
  const config = await fetchConfig(client, ref, out.from, manifest.config, known);
  out.inline.set(manifest.config.digest, config);
  const parsed = parseJson<{ os?: string; architecture?: string; variant?: string }>(
    config,
    `config of ${imageText(ref)}`,
  );
  const platform: Platform = {
    os: parsed.os ?? 'unknown',
    architecture: parsed.architecture ?? 'unknown',
    ...(parsed.variant ? { variant: parsed.variant } : {}),
  };
  // A single-platform image is only useful when it is for a requested platform.
  if (!fromIndex && !wanted.some((w) => platformMatches(platform, w))) {
    throw new Error(
      `${imageText(ref)} is only published for ${formatPlatform(platform)}, not ${wanted.map(formatPlatform).join(', ')}`,
    );
  }
  for (const desc of [manifest.config, ...manifest.layers]) {
    if (desc.urls?.length) throw new Error(`${imageText(ref)}: foreign layers (${desc.digest}) cannot be bundled`);
    if (!out.blobs.some((b) => b.digest === desc.digest)) out.blobs.push(desc);
  }
  out.manifests.push(stored);
  return formatPlatform(platform);
}

/** Fetches what the bundle needs for one image. */
export async function resolveImage(
  client: RegistryClient,
  ref: ImageRef,
  wanted: Platform[],
  from: ImageLocation = ref,
  known?: KnownBlobs,
): Promise<ResolvedImage> {
  const top = await client.getManifest(from.registry, from.repository, ref.digest ?? ref.tag);
  const out: ResolvedImage = {
    ref,
    from: { registry: from.registry, repository: from.repository },
    root: top,
    sourceDigest: top.digest,
    manifests: [],
    blobs: [],
    inline: new Map(),
    platforms: [],
  };
  if (!isIndexType(top.mediaType)) {
    out.platforms.push(await resolveManifest(client, ref, top, out, wanted, false, known));
    return out;
  }
  const index = parseJson<ImageIndex>(top.bytes, `index of ${imageText(ref)}`);
  const images = index.manifests.filter(
    (d) => d.annotations?.['vnd.docker.reference.type'] !== ATTESTATION && d.platform?.os !== 'unknown',
  );
  const picked: Descriptor[] = [];
  for (const w of wanted) {
    const match = images.find((d) => d.platform && platformMatches(d.platform, w));
    if (!match) {
      const available = images.flatMap((d) => (d.platform ? [formatPlatform(d.platform)] : [])).join(', ');
      throw new Error(`${imageText(ref)} has no ${formatPlatform(w)} image (it has ${available || 'none'})`);
    }
    if (!picked.includes(match)) picked.push(match);
  }
  for (const desc of picked) {
    const child = await client.getManifest(from.registry, from.repository, desc.digest);
    await resolveManifest(client, ref, child, out, wanted, true, known);
    out.platforms.push(formatPlatform(desc.platform!));
  }
  if (picked.length === 1) {
    // One platform: the platform manifest is the image, as `docker pull` would store it.
    out.root = out.manifests[0]!;
  } else if (picked.length === index.manifests.length) {
    out.root = top;
    out.manifests.push(top);
  } else {
    // Some platforms of many: a smaller index naming only those (a new digest, recorded).
    const filtered: ImageIndex = { ...index, manifests: picked };
    const bytes = Buffer.from(JSON.stringify(filtered));
    const mediaType = index.mediaType ?? MEDIA.ociIndex;
    out.root = { digest: digestOf(bytes), mediaType, bytes };
    out.manifests.push(out.root);
  }
  return out;
}
