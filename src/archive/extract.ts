// Safe extraction of a tar/tar.gz or zip into a folder (the format is told by
// the file's first bytes, not its name). An archive is refused, and
// nothing lands in the target, when any entry has an absolute path, a `..`
// component, a link that resolves outside the target, a path through a link,
// or is a device/fifo. Everything is written to a staging folder beside the
// target and swapped in only when the whole archive was read.

import { createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarFormatError } from './tar/format.js';
import type { ArchiveEntry } from './entry.js';
import { readTarFile } from './host-tar.js';
import { splitEntryPath, type PathProblem } from './safe-path.js';
import { isZip, readZipFile, ZipError } from './zip.js';
import { DeployError, EXIT } from '../errors.js';

export class UnsafeArchiveError extends DeployError {
  readonly code = 'ARCHIVE_UNSAFE';
  readonly exitStatus = EXIT.failed;
  constructor(
    readonly archive: string,
    readonly entry: string,
    reason: string,
  ) {
    super(`refusing ${archive}: entry ${JSON.stringify(entry)} ${reason}; nothing was extracted`);
    this.name = 'UnsafeArchiveError';
  }
}

/** Re-roots an archive folder: entries below `from` land below `to` in the target. */
interface ExtractSelection {
  from: string;
  to: string;
}

export interface ExtractOptions {
  archive: string;
  /** Target folder; replaced as a whole when extraction succeeds. */
  to: string;
  /** Leading path components dropped from every entry (like tar --strip-components). */
  strip?: number;
  /** Only entries below these folders are written (after strip), re-rooted. Without it, everything is. */
  select?: readonly ExtractSelection[];
  signal?: AbortSignal;
}

export interface ExtractResult {
  files: number;
  directories: number;
  links: number;
  bytes: number;
}

/** Splits an archive path into components, refusing absolute paths, NUL bytes and `..` (safe-path.ts decides). */
function components(path: string, archive: string, what = 'path'): string[] {
  const split = splitEntryPath(path);
  if (split.ok) return split.parts;
  const reason: Record<PathProblem, string> = {
    absolute: `has an absolute ${what}`,
    nul: `has a NUL byte in its ${what}`,
    backslash: `has a backslash in its ${what}`,
    parent: `has a ".." component in its ${what}`,
  };
  throw new UnsafeArchiveError(archive, path, reason[split.problem]);
}

function normaliseSelection(
  select: readonly ExtractSelection[] | undefined,
): { from: string[]; to: string[] }[] | undefined {
  return select?.map((s) => ({
    from: s.from.split('/').filter((p) => p !== '' && p !== '.'),
    to: s.to.split('/').filter((p) => p !== '' && p !== '.'),
  }));
}

/** Archive path → path below the target, or undefined when not selected. */
function mapPath(parts: string[], strip: number, select: ReturnType<typeof normaliseSelection>): string[] | undefined {
  const rest = parts.slice(strip);
  if (rest.length === 0) return undefined;
  if (!select) return rest;
  for (const rule of select) {
    if (rule.from.length <= rest.length && rule.from.every((p, i) => rest[i] === p)) {
      const mapped = [...rule.to, ...rest.slice(rule.from.length)];
      return mapped.length > 0 ? mapped : undefined;
    }
  }
  return undefined;
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Creates the parents of `rel` below `root`, refusing to pass through a symlink. */
async function ensureParents(root: string, rel: string[], archive: string, entryPath: string): Promise<void> {
  let current = root;
  for (const part of rel.slice(0, -1)) {
    current = join(current, part);
    const info = await lstatOrUndefined(current);
    if (!info) await mkdir(current, { mode: 0o755 });
    else if (info.isSymbolicLink())
      throw new UnsafeArchiveError(archive, entryPath, 'would be written through a symbolic link');
    else if (!info.isDirectory())
      throw new UnsafeArchiveError(archive, entryPath, 'has a parent that is not a directory');
  }
}

/** Removes what a later entry with the same name replaces (tar semantics: last one wins). */
async function clearSlot(path: string, keepDirectory: boolean): Promise<void> {
  const info = await lstatOrUndefined(path);
  if (!info) return;
  if (info.isDirectory() && keepDirectory) return;
  await rm(path, { recursive: true, force: true });
}

/** No setuid/setgid/sticky bits and nothing writable by group or others. */
const safeMode = (mode: number, fallback: number) => mode & 0o755 || fallback;

async function writeFileEntry(entry: ArchiveEntry, path: string, signal?: AbortSignal): Promise<number> {
  let bytes = 0;
  const body = entry.body();
  const counting = async function* () {
    for await (const chunk of body) {
      bytes += chunk.length;
      yield chunk;
    }
  };
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  await pipeline(counting, out as Writable, signal ? { signal } : {});
  await chmod(path, safeMode(entry.mode, 0o644));
  return bytes;
}

/**
 * Where a symlink really points, following every link on the way (a lexical
 * check alone misses `a -> x/l/..` where `x/l` is itself a link). Returns
 * the components below root, or undefined when the path leaves root.
 */
export async function resolveInside(root: string, start: string[], target: string): Promise<string[] | undefined> {
  if (posix.isAbsolute(target)) return undefined;
  const current = [...start];
  const pending = target.split('/');
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (current.length === 0) return undefined;
      current.pop();
      continue;
    }
    const here = join(root, ...current, part);
    const info = await lstatOrUndefined(here);
    if (info?.isSymbolicLink()) {
      if (++hops > 40) return undefined; // a loop: treat as unsafe
      const next = await readlink(here);
      if (posix.isAbsolute(next)) return undefined;
      pending.unshift(...next.split('/'));
      continue;
    }
    current.push(part);
  }
  return current;
}

export async function extractArchive(options: ExtractOptions): Promise<ExtractResult> {
  const { archive, to } = options;
  const strip = options.strip ?? 0;
  const select = normaliseSelection(options.select);
  const staging = join(dirname(to), `.${basename(to)}.partial`);
  const result: ExtractResult = { files: 0, directories: 0, links: 0, bytes: 0 };
  const symlinks: { rel: string[]; entry: string }[] = [];
  await mkdir(dirname(to), { recursive: true });
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o755 });
  try {
    const entries = (await isZip(archive)) ? readZipFile(archive) : readTarFile(archive);
    for await (const entry of entries) {
      if (options.signal?.aborted) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
      // Every entry is checked, selected or not: an archive with one bad entry is refused as a whole.
      const parts = components(entry.path, archive);
      if (entry.type === 'character-device' || entry.type === 'block-device' || entry.type === 'fifo') {
        throw new UnsafeArchiveError(archive, entry.path, `is a ${entry.type} (not allowed)`);
      }
      const rel = mapPath(parts, strip, select);
      let linkRel: string[] | undefined;
      if (entry.type === 'symlink') {
        if (posix.isAbsolute(entry.linkpath))
          throw new UnsafeArchiveError(
            archive,
            entry.path,
            `is a symbolic link to the absolute path ${entry.linkpath}`,
          );
        if (rel) {
          const resolved = posix.normalize(posix.join(posix.dirname(rel.join('/')), entry.linkpath));
          if (resolved === '..' || resolved.startsWith('../')) {
            throw new UnsafeArchiveError(
              archive,
              entry.path,
              `is a symbolic link escaping the target (${entry.linkpath})`,
            );
          }
        }
      } else if (entry.type === 'hardlink') {
        const targetParts = components(entry.linkpath, archive, 'link target');
        if (rel) {
          linkRel = mapPath(targetParts, strip, select);
          if (!linkRel)
            throw new UnsafeArchiveError(
              archive,
              entry.path,
              `is a hard link to ${entry.linkpath}, which is outside what is extracted`,
            );
        }
      }
      if (!rel) continue;

      const dest = join(staging, ...rel);
      await ensureParents(staging, rel, archive, entry.path);
      switch (entry.type) {
        case 'directory': {
          const info = await lstatOrUndefined(dest);
          if (info?.isSymbolicLink())
            throw new UnsafeArchiveError(archive, entry.path, 'replaces a symbolic link with a directory');
          if (!info) await mkdir(dest, { mode: 0o755 });
          else if (!info.isDirectory()) {
            await rm(dest, { force: true });
            await mkdir(dest, { mode: 0o755 });
          }
          await chmod(dest, safeMode(entry.mode, 0o755) | 0o700);
          result.directories++;
          break;
        }
        case 'file':
          await clearSlot(dest, false);
          result.bytes += await writeFileEntry(entry, dest, options.signal);
          result.files++;
          break;
        case 'symlink':
          await clearSlot(dest, false);
          await symlink(entry.linkpath, dest);
          symlinks.push({ rel, entry: entry.path });
          result.links++;
          break;
        case 'hardlink': {
          const target = join(staging, ...linkRel!);
          await ensureParents(staging, linkRel!, archive, entry.linkpath);
          const info = await lstatOrUndefined(target);
          if (!info?.isFile())
            throw new UnsafeArchiveError(
              archive,
              entry.path,
              `is a hard link to ${entry.linkpath}, which is not a file extracted before it`,
            );
          await clearSlot(dest, false);
          await link(target, dest);
          result.links++;
          break;
        }
      }
    }
    // The tree is complete: now every link can be followed for real.
    for (const { rel, entry } of symlinks) {
      const info = await lstatOrUndefined(join(staging, ...rel));
      if (!info?.isSymbolicLink()) continue; // replaced by a later entry
      const target = await readlink(join(staging, ...rel));
      if (!(await resolveInside(staging, rel.slice(0, -1), target))) {
        throw new UnsafeArchiveError(
          archive,
          entry,
          `is a symbolic link escaping the target through other links (${target})`,
        );
      }
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof TarFormatError) {
      error.message = `${archive}: ${error.message}; nothing was extracted`;
      throw error;
    }
    if (error instanceof ZipError) throw new ZipError(`${archive}: ${error.message}; nothing was extracted`);
    throw error;
  }
  // Swap: the old folder (same version re-extracted) goes only after the new one is complete.
  const old = join(dirname(to), `.${basename(to)}.old`);
  await rm(old, { recursive: true, force: true });
  const existing = await lstatOrUndefined(to);
  if (existing) await rename(to, old);
  await rename(staging, to);
  await rm(old, { recursive: true, force: true });
  return result;
}
