// Where things live inside a bundle, and where `install --bundle` puts what it
// takes out of one. Targets use these to find bundled charts and files.

import { digestHex } from '../oci/digest.js';

export const BUNDLE_FORMAT = 'openim-deploy-bundle';
export const BUNDLE_VERSION = 1;

export const ENTRY = {
  ociLayout: 'images/oci-layout',
  ociIndex: 'images/index.json',
  manifest: 'manifest.json',
  checksums: 'checksums.sha256',
  signature: 'checksums.sha256.sig',
} as const;

export const blobPath = (digest: string) => `images/blobs/sha256/${digestHex(digest)}`;
export const chartPath = (chart: { name: string; version: string }) => `charts/${chart.name}-${chart.version}.tgz`;
export const filePath = (name: string) => `files/${name}`;

/** Metadata written last; never listed in the checksums they are computed from. */
export function blobDigestOf(path: string): string | undefined {
  const m = /^images\/blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
  return m ? `sha256:${m[1]}` : undefined;
}

/** Folder below the install work dir where `install --bundle` extracts charts/ and files/. */
export const BUNDLE_WORK_DIR = 'bundle';

/** A bundled chart archive, relative to the install work dir (exec cwd): `helm upgrade --install REL <this>`. */
export function bundledChartPath(chart: { name: string; version: string }): string {
  return `${BUNDLE_WORK_DIR}/${chartPath(chart)}`;
}

/** A bundled host artifact, relative to the install work dir. */
export function bundledFilePath(name: string): string {
  return `${BUNDLE_WORK_DIR}/${filePath(name)}`;
}

/**
 * The files/ name of a URL the plan fetches (e.g. `kubectl apply -f https://…`): the URL's
 * file name, prefixed with the component and version when the file name lacks the version
 * (`manifest-v1.3.0-standard-install.yaml`). `bundle create` stores it under this name and
 * an offline plan reads it from bundledFilePath(this).
 */
export function bundledDownloadName(url: string, component?: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).pop() ?? 'download';
  const version = /\/(v?\d+\.\d+[^/]*)\//.exec(url)?.[1];
  return version && !last.includes(version) ? `${component ?? 'manifest'}-${version}-${last}` : last;
}

/** The OCI layout annotation carrying each image's full reference (containerd and skopeo read these). */
export const REF_ANNOTATIONS = {
  refName: 'org.opencontainers.image.ref.name',
  containerdName: 'io.containerd.image.name',
} as const;
