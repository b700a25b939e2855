// `bundle load`: the bundle's images straight into a node's containerd, for Kubernetes
// without any registry (issue #17 item 2). The bundle's images/ folder is an OCI image
// layout whose index names each image (io.containerd.image.name, see names.ts), which is
// what `ctr images import` reads; it is streamed to ctr's stdin as a tar of its own
// (images/ prefix removed), never extracted to disk.

import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { encodeHeader, END_OF_ARCHIVE, paddingFor } from '../archive/tar/format.js';
import { indexBundle, type BundleIndex } from './scan.js';

const IMAGES_PREFIX = 'images/';
const CHUNK = 4 * 1024 * 1024;

export interface LoadOptions {
  /** The ctr binary (Debian/Ubuntu package `containerd`). */
  ctr: string;
  /** containerd's socket. */
  address: string;
  /** containerd namespace: `k8s.io` is the one the CRI (kubelet) sees. */
  namespace: string;
  signal?: AbortSignal;
}

/** The images/ members as one OCI-layout tar stream (headers rewritten, data read in chunks). */
export function layoutTarStream(index: BundleIndex): Readable {
  async function* blocks(): AsyncGenerator<Buffer> {
    for (const e of index.entries) {
      const path = e.path.replace(/^\.\//, '');
      if (!path.startsWith(IMAGES_PREFIX) || path === IMAGES_PREFIX) continue;
      if (e.type !== 'file' && e.type !== 'directory') continue;
      const inner = path.slice(IMAGES_PREFIX.length);
      yield encodeHeader({
        path: inner,
        size: e.type === 'file' ? e.size : 0,
        type: e.type,
        mode: e.type === 'directory' ? 0o755 : 0o644,
      });
      if (e.type !== 'file') continue;
      for (let at = 0; at < e.size; at += CHUNK) {
        const n = Math.min(CHUNK, e.size - at);
        const data = await index.files.read(e.dataOffset + at, n);
        if (data.length < n) throw new Error(`${path}: bundle ends inside this member`);
        yield data;
      }
      yield Buffer.alloc(paddingFor(e.size));
    }
    yield END_OF_ARCHIVE;
  }
  return Readable.from(blocks());
}

/** Image references the bundle's OCI index names. */
export async function layoutRefs(index: BundleIndex): Promise<string[]> {
  const entry = index.byPath.get(`${IMAGES_PREFIX}index.json`);
  if (!entry) throw new Error(`${IMAGES_PREFIX}index.json is missing from the bundle`);
  const top = JSON.parse((await index.files.read(entry.dataOffset, entry.size)).toString('utf8')) as {
    manifests?: { annotations?: Record<string, string> }[];
  };
  return (top.manifests ?? [])
    .map(
      (m) => m.annotations?.['io.containerd.image.name'] ?? m.annotations?.['org.opencontainers.image.ref.name'] ?? '',
    )
    .filter(Boolean);
}

/**
 * Imports every image of the bundle into containerd with `ctr images import -`; resolves the
 * references imported. A missing ctr or an unreachable socket is an error naming the fix.
 */
export async function loadBundleImages(bundle: string, options: LoadOptions): Promise<string[]> {
  const index = await indexBundle(bundle);
  try {
    const refs = await layoutRefs(index);
    if (refs.length === 0) throw new Error(`${bundle} holds no images`);
    const args = ['--address', options.address, '-n', options.namespace, 'images', 'import', '-'];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(options.ctr, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(options.signal ? { signal: options.signal } : {}),
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.stdout.resume();
      child.on('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'ENOENT'
            ? new Error(`${options.ctr} not found: install containerd (it ships ctr) or pass --ctr PATH`)
            : e,
        ),
      );
      child.stdin.on('error', () => {}); // EPIPE when ctr fails early: its exit code and stderr tell why
      const stream = layoutTarStream(index);
      stream.on('error', (e) => {
        child.kill();
        reject(e);
      });
      stream.pipe(child.stdin);
      child.on('close', (code) => {
        if (code === 0) return resolve();
        const hint = /connect|no such file|permission denied/i.test(err)
          ? ` (is containerd running at ${options.address}? pass --address SOCKET; root is usually needed)`
          : '';
        reject(new Error(`ctr images import failed (exit ${code})${hint}: ${err.trim()}`));
      });
    });
    return refs;
  } finally {
    await index.files.close();
  }
}
