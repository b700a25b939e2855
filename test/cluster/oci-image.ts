// Container images built from local binaries, without a registry or a container engine
// (issue #17 item 2): one uncompressed layer with a minimal root (the binaries, Debian's CA
// bundle, a passwd/group with a non-root user, a /tmp), an OCI image config, a manifest, and
// an OCI image-layout archive that `ctr images import` reads. Each image carries its full
// reference in the `io.containerd.image.name` annotation, which is the name containerd
// stores it under (containerd v1.6 images/archive/importer.go), and the tag in
// `org.opencontainers.image.ref.name` as the image-layout spec says.

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tarArchive, type TarWriteEntry } from '../../src/archive/tar/in-memory.js';

/** The user images run as: the uid/gid distroless calls `nonroot`. */
const NONROOT = { uid: 65532, name: 'nonroot' } as const;

export interface ImageFile {
  /** Path inside the image, without a leading slash: `usr/local/bin/hello`. */
  path: string;
  /** A file on this machine to copy in (symlinks followed), the content itself, or a symlink to `link`. */
  from: string | { data: Buffer | string } | { link: string };
  mode?: number;
}

export interface ImageSpec {
  /** Full reference, e.g. `docker.io/openim/openim-api:v3.8.3`. */
  ref: string;
  files: readonly ImageFile[];
  entrypoint: readonly string[];
  cmd?: readonly string[];
  env?: readonly string[];
  workdir?: string;
  /** Default: the non-root user. `0` only for what must run as root (none of ours). */
  user?: string;
}

export interface BuiltImage {
  ref: string;
  manifestDigest: string;
  /** Size of the layer, bytes. */
  layerSize: number;
}

const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt'; // Debian's ca-certificates

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The root filesystem every image gets, then the image's own files. */
async function layerEntries(spec: ImageSpec): Promise<TarWriteEntry[]> {
  const u = NONROOT;
  const entries: TarWriteEntry[] = [
    { type: 'directory', path: 'etc/' },
    {
      path: 'etc/passwd',
      data: `root:x:0:0:root:/root:/sbin/nologin\n${u.name}:x:${u.uid}:${u.uid}:${u.name}:/home/${u.name}:/sbin/nologin\n`,
    },
    { path: 'etc/group', data: `root:x:0:\n${u.name}:x:${u.uid}:\n` },
    { path: 'etc/nsswitch.conf', data: 'hosts: files dns\n' },
    { type: 'directory', path: 'etc/ssl/' },
    { type: 'directory', path: 'etc/ssl/certs/' },
    { path: 'etc/ssl/certs/ca-certificates.crt', data: await readFile(CA_BUNDLE) },
    { type: 'directory', path: 'tmp/', mode: 0o1777 },
    { type: 'directory', path: 'home/' },
    { type: 'directory', path: `home/${u.name}/`, mode: 0o1777 },
  ];
  const dirs = new Set(entries.filter((e) => e.type === 'directory').map((e) => e.path));
  for (const f of spec.files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = `${parts.slice(0, i).join('/')}/`;
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ type: 'directory', path: d });
      }
    }
    if (typeof f.from === 'object' && 'link' in f.from) {
      entries.push({ type: 'symlink', path: f.path, linkpath: f.from.link });
      continue;
    }
    const data = typeof f.from === 'string' ? await readFile(f.from) : Buffer.from(f.from.data);
    entries.push({ path: f.path, data, mode: f.mode ?? 0o755 });
  }
  return entries;
}

/** Splits `registry/repo:tag` into the name and the tag (digests are not taken here). */
function tagOf(ref: string): string {
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) throw new Error(`image ${ref}: give a tag`);
  return ref.slice(colon + 1);
}

/**
 * Writes one OCI image-layout tar holding every image in `specs`; `ctr -n k8s.io images
 * import FILE` loads them all under their references.
 */
export async function writeOciArchive(path: string, specs: readonly ImageSpec[]): Promise<BuiltImage[]> {
  const blobs = new Map<string, Buffer>();
  const add = (b: Buffer) => {
    const d = sha256(b);
    blobs.set(d, b);
    return d;
  };
  const manifests: object[] = [];
  const built: BuiltImage[] = [];
  for (const spec of specs) {
    const tag = tagOf(spec.ref);
    const layer = tarArchive(await layerEntries(spec));
    const layerDigest = add(layer);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {
          User: spec.user ?? `${NONROOT.uid}:${NONROOT.uid}`,
          Entrypoint: spec.entrypoint,
          ...(spec.cmd ? { Cmd: spec.cmd } : {}),
          Env: [
            'PATH=/usr/local/bin:/usr/bin:/bin',
            'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
            ...(spec.env ?? []),
          ],
          WorkingDir: spec.workdir ?? '/',
        },
        // An uncompressed layer: its diff ID is its digest.
        rootfs: { type: 'layers', diff_ids: [layerDigest] },
        history: [{ created_by: 'openim-deploy test/cluster/oci-image.ts' }],
      }),
    );
    const configDigest = add(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
      }),
    );
    const manifestDigest = add(manifest);
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: manifestDigest,
      size: manifest.length,
      platform: { architecture: 'amd64', os: 'linux' },
      annotations: { 'io.containerd.image.name': spec.ref, 'org.opencontainers.image.ref.name': tag },
    });
    built.push({ ref: spec.ref, manifestDigest, layerSize: layer.length });
  }
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests };
  const entries: TarWriteEntry[] = [
    { path: 'oci-layout', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { path: 'index.json', data: JSON.stringify(index) },
    { type: 'directory', path: 'blobs/' },
    { type: 'directory', path: 'blobs/sha256/' },
    ...[...blobs].map(([d, data]) => ({ path: `blobs/sha256/${d.slice('sha256:'.length)}`, data, mode: 0o644 })),
  ];
  await writeFile(path, tarArchive(entries));
  return built;
}
