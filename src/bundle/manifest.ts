// manifest.json: what a bundle holds and for which install. Versioned; a
// reader refuses a format it does not know rather than guessing.

import { z } from 'zod';
import { BUNDLE_FORMAT, BUNDLE_VERSION } from '../bundle-layout/names.js';

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);
const hex = z.string().regex(/^[a-f0-9]{64}$/);

const bundleImageSchema = z.object({
  /** Upstream reference, e.g. docker.io/library/redis:7.0.15. */
  ref: z.string(),
  /** What the bundle's OCI layout tags for it (pushed with this digest). */
  digest,
  mediaType: z.string(),
  /** What the source registry served for the tag; differs from digest when platforms were picked from an index. */
  sourceDigest: digest,
  platforms: z.array(z.string()),
  /** Bytes of its manifests, config and layers (shared blobs counted in each image). */
  size: z.number().int().nonnegative(),
  blobs: z.array(digest),
});

const bundleChartSchema = z.object({
  name: z.string(),
  version: z.string(),
  source: z.enum(['local', 'repo', 'oci']),
  repo: z.string(),
  path: z.string(),
  sha256: hex,
  size: z.number().int().nonnegative(),
  license: z.string().optional(),
});

const bundleFileSchema = z.object({
  /** Catalog id (openim-server, mongodb …). */
  id: z.string(),
  name: z.string(),
  path: z.string(),
  arch: z.string(),
  /** Where it was fetched from on the connected machine. */
  source: z.string(),
  sha256: hex,
  /** False when no pin existed and the digest was taken from the download. */
  pinned: z.boolean(),
  size: z.number().int().nonnegative(),
  license: z.string().optional(),
});

const bundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  createdBy: z.string(),
  createdAt: z.string(),
  target: z.enum(['kubernetes', 'binary']),
  profile: z.enum(['dev', 'production']),
  openim: z.object({ serverVersion: z.string(), chatVersion: z.string() }),
  /** Components the plan installs (OpenIM modules, infrastructure, add-ons). */
  components: z.array(z.string()),
  platforms: z.array(z.string()),
  images: z.array(bundleImageSchema),
  charts: z.array(bundleChartSchema),
  files: z.array(bundleFileSchema),
});

export type BundleImage = z.infer<typeof bundleImageSchema>;
export type BundleChart = z.infer<typeof bundleChartSchema>;
export type BundleFileEntry = z.infer<typeof bundleFileSchema>;
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

export function parseManifest(data: Buffer): { manifest?: BundleManifest; error?: string } {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    return { error: 'not valid JSON' };
  }
  const format = (json as { format?: unknown; version?: unknown } | null)?.format;
  const version = (json as { version?: unknown } | null)?.version;
  if (format === BUNDLE_FORMAT && typeof version === 'number' && version > BUNDLE_VERSION) {
    return {
      error: `bundle format version ${version} is newer than this openim-deploy understands (${BUNDLE_VERSION}); upgrade openim-deploy`,
    };
  }
  const parsed = bundleManifestSchema.safeParse(json);
  if (!parsed.success)
    return { error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  return { manifest: parsed.data };
}
