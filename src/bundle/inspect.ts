// `bundle inspect`: what a bundle holds, how big each part is, and which
// blobs images share (stored once). Reads headers and small members only.
// Entries the safe reader refuses (absolute paths, `..`, links, devices, a
// name written twice) are listed with the reason: never read, never hidden.

import { ENTRY, blobPath } from '../bundle-layout/names.js';
import { layoutImages } from './images.js';
import { parseManifest, type BundleManifest } from './manifest.js';
import { indexBundle, readMember, type RefusedEntry } from './scan.js';

interface InspectImage {
  ref: string;
  digest: string;
  platforms: string[];
  /** Bytes of all its blobs. */
  size: number;
  /** Bytes of blobs no other image uses. */
  ownSize: number;
  blobs: number;
  sharedBlobs: number;
}

export interface InspectReport {
  file: string;
  parts: { path: string; size: number }[];
  bytes: number;
  manifest?: Pick<
    BundleManifest,
    'format' | 'version' | 'createdBy' | 'createdAt' | 'target' | 'profile' | 'openim' | 'components' | 'platforms'
  >;
  signed: boolean;
  /** Entries bundle verify and install refuse; empty for a bundle made by bundle create. */
  refused: RefusedEntry[];
  images: InspectImage[];
  shared: { digest: string; size: number; usedBy: string[] }[];
  charts: { name: string; version: string; source: string; size: number }[];
  files: { name: string; arch: string; size: number; pinned: boolean; source: string }[];
  totals: {
    /** Distinct blob bytes stored in the layout. */
    imageBytes: number;
    /** What the images would take stored separately. */
    imageBytesUnshared: number;
    chartBytes: number;
    fileBytes: number;
    entries: number;
  };
}

export async function inspectBundle(path: string): Promise<InspectReport> {
  const index = await indexBundle(path);
  try {
    const manifestBytes = await readMember(index, ENTRY.manifest);
    const manifest = manifestBytes ? parseManifest(manifestBytes).manifest : undefined;
    const images = await layoutImages(index);
    const sizeOf = (digest: string) => index.byPath.get(blobPath(digest))?.size ?? 0;
    const users = new Map<string, string[]>();
    const digestsOf = new Map<string, string[]>();
    for (const image of images) {
      const digests = [...new Set([...image.manifests.map((m) => m.digest), ...image.blobs.map((b) => b.digest)])];
      digestsOf.set(image.ref, digests);
      for (const d of digests) users.set(d, [...(users.get(d) ?? []), image.ref]);
    }
    const report: InspectImage[] = images.map((image) => {
      const digests = digestsOf.get(image.ref)!;
      const fromManifest = manifest?.images.find((i) => i.ref === image.ref);
      return {
        ref: image.ref,
        digest: image.root.digest,
        platforms: fromManifest?.platforms ?? [],
        size: digests.reduce((n, d) => n + sizeOf(d), 0),
        ownSize: digests.filter((d) => users.get(d)!.length === 1).reduce((n, d) => n + sizeOf(d), 0),
        blobs: digests.length,
        sharedBlobs: digests.filter((d) => users.get(d)!.length > 1).length,
      };
    });
    const shared = [...users]
      .filter(([, u]) => u.length > 1)
      .map(([digest, usedBy]) => ({ digest, size: sizeOf(digest), usedBy }))
      .sort((a, b) => b.size - a.size);
    const blobEntries = index.entries.filter((e) => e.path.startsWith('images/blobs/'));
    return {
      file: path,
      parts: index.files.parts.map((p) => ({ path: p.path, size: p.size })),
      bytes: index.files.size,
      ...(manifest
        ? {
            manifest: {
              format: manifest.format,
              version: manifest.version,
              createdBy: manifest.createdBy,
              createdAt: manifest.createdAt,
              target: manifest.target,
              profile: manifest.profile,
              openim: manifest.openim,
              components: manifest.components,
              platforms: manifest.platforms,
            },
          }
        : {}),
      signed: index.byPath.has(ENTRY.signature),
      refused: index.refused,
      images: report,
      shared,
      charts: (manifest?.charts ?? []).map((c) => ({
        name: c.name,
        version: c.version,
        source: c.source,
        size: c.size,
      })),
      files: (manifest?.files ?? []).map((f) => ({
        name: f.name,
        arch: f.arch,
        size: f.size,
        pinned: f.pinned,
        source: f.source,
      })),
      totals: {
        imageBytes: blobEntries.reduce((n, e) => n + e.size, 0),
        imageBytesUnshared: report.reduce((n, i) => n + i.size, 0),
        chartBytes: (manifest?.charts ?? []).reduce((n, c) => n + c.size, 0),
        fileBytes: (manifest?.files ?? []).reduce((n, f) => n + f.size, 0),
        entries: index.entries.length,
      },
    };
  } finally {
    await index.files.close();
  }
}
