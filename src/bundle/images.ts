// The images in a bundle's OCI layout and the blobs each one needs, read by
// random access (no extraction): for inspect, push and the install check.

import type { Descriptor } from '../oci/media-types.js';
import { isIndexType } from '../oci/media-types.js';
import { blobPath, ENTRY, REF_ANNOTATIONS } from '../bundle-layout/names.js';
import { readMember, type BundleIndex } from './scan.js';

interface LayoutManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface LayoutImage {
  ref: string;
  root: LayoutManifest;
  /** Children first, root last: the order a registry accepts them in. */
  manifests: LayoutManifest[];
  /** Config and layer descriptors, each once. */
  blobs: Descriptor[];
}

async function manifestAt(index: BundleIndex, d: Descriptor): Promise<LayoutManifest> {
  const bytes = await readMember(index, blobPath(d.digest), 8 * 1024 * 1024);
  if (!bytes) throw new Error(`${blobPath(d.digest)} is missing from the bundle`);
  return { digest: d.digest, mediaType: d.mediaType, bytes };
}

export async function layoutImages(index: BundleIndex): Promise<LayoutImage[]> {
  const indexBytes = await readMember(index, ENTRY.ociIndex);
  if (!indexBytes) throw new Error(`${ENTRY.ociIndex} is missing from the bundle`);
  const top = JSON.parse(indexBytes.toString('utf8')) as { manifests: Descriptor[] };
  const images: LayoutImage[] = [];
  for (const d of top.manifests) {
    const ref = d.annotations?.[REF_ANNOTATIONS.refName];
    if (!ref) throw new Error(`${ENTRY.ociIndex}: ${d.digest} has no ${REF_ANNOTATIONS.refName} annotation`);
    const root = await manifestAt(index, d);
    const image: LayoutImage = { ref, root, manifests: [], blobs: [] };
    const addBlobs = (m: LayoutManifest) => {
      const body = JSON.parse(m.bytes.toString('utf8')) as { config: Descriptor; layers: Descriptor[] };
      for (const b of [body.config, ...body.layers])
        if (!image.blobs.some((x) => x.digest === b.digest)) image.blobs.push(b);
    };
    if (isIndexType(d.mediaType)) {
      const body = JSON.parse(root.bytes.toString('utf8')) as { manifests: Descriptor[] };
      for (const child of body.manifests) {
        const m = await manifestAt(index, child);
        image.manifests.push(m);
        addBlobs(m);
      }
    } else addBlobs(root);
    image.manifests.push(root);
    images.push(image);
  }
  return images;
}
