// Takes files out of a verified bundle into a folder (install --bundle puts
// charts/ and files/ under <workdir>/bundle). Each entry is re-hashed against
// the digest verification saw, so a bundle swapped after `verify` is caught.
// Paths are checked again, and nothing is written through an existing link.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { HashCounter } from '../util/hash.js';
import { BundleError } from './errors.js';
import { PartFiles } from '../archive/parts.js';
import { readTar } from '../archive/tar/reader.js';
import { checkBundleEntry } from '../archive/safe-path.js';

/** Refuses when any existing component between root and path is a symlink. */
async function assertNoLinks(root: string, path: string): Promise<void> {
  const rel = relative(root, path);
  if (rel.startsWith('..') || resolve(root, rel) !== resolve(path)) throw new Error(`${path} is outside ${root}`);
  let current = root;
  for (const part of rel.split(sep)) {
    current = join(current, part);
    const st = await lstat(current).catch(() => undefined);
    if (!st) return;
    if (st.isSymbolicLink()) throw new Error(`${current} is a symbolic link: refusing to write through it`);
  }
}

export async function extractMembers(
  bundle: string,
  to: string,
  options: { prefixes: string[]; sums: Map<string, string> },
): Promise<string[]> {
  const root = resolve(to);
  await mkdir(root, { recursive: true });
  const files = await PartFiles.open(bundle);
  const written: string[] = [];
  try {
    for await (const entry of readTar(files.stream())) {
      const name = checkBundleEntry(entry);
      if (entry.type !== 'file' || !options.prefixes.some((p) => name.startsWith(p))) continue;
      const expected = options.sums.get(name);
      if (!expected) throw new BundleError(bundle, [{ file: name, message: 'was not seen by verification' }]);
      const dest = resolve(root, name);
      await assertNoLinks(root, dest);
      await mkdir(dirname(dest), { recursive: true });
      await assertNoLinks(root, dest);
      const temp = `${dest}.openim-deploy.tmp`;
      const counter = new HashCounter();
      const out = createWriteStream(temp, { mode: 0o644 });
      try {
        for await (const chunk of entry.body()) {
          counter.update(chunk);
          if (!out.write(chunk)) await once(out, 'drain');
        }
      } finally {
        await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
      }
      if (counter.hex() !== expected) {
        await rm(temp, { force: true });
        throw new BundleError(bundle, [{ file: name, message: 'changed since it was verified' }]);
      }
      await rename(temp, dest);
      written.push(name);
    }
  } finally {
    await files.close();
  }
  return written;
}
