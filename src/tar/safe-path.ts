// What an archive entry may be before anything is written for it: a relative
// path that stays inside the target, and (for bundles) a regular file or a
// directory. Absolute paths, `..`, device files, fifos and links are refused.

import type { EntryType } from './format.js';
import { DeployError, EXIT } from '../errors.js';

export class UnsafeEntryError extends DeployError {
  readonly code = 'ARCHIVE_UNSAFE';
  readonly exitStatus = EXIT.failed;
  readonly entry: string;
  /** Why, without the entry's name (for lists that name it already). */
  readonly reason: string;
  constructor(entry: string, reason: string) {
    super(`unsafe archive entry ${JSON.stringify(entry)}: ${reason}`);
    this.name = 'UnsafeEntryError';
    this.entry = entry;
    this.reason = reason;
  }
}

/** The normalised relative path, or a reason it is refused. */
export function checkEntryPath(path: string): { ok: true; path: string } | { ok: false; reason: string } {
  if (path === '') return { ok: false, reason: 'empty path' };
  if (path.includes('\0')) return { ok: false, reason: 'NUL in path' };
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return { ok: false, reason: 'absolute path' };
  if (path.includes('\\')) return { ok: false, reason: 'backslash in path' };
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return { ok: false, reason: 'path escapes the target with ..' };
  if (parts.length === 0) return { ok: false, reason: 'path names the target itself' };
  return { ok: true, path: parts.join('/') };
}

/** A bundle holds regular files (and directories) only. */
export function checkBundleEntry(entry: { path: string; type: EntryType | 'other'; linkpath?: string }): string {
  const checked = checkEntryPath(entry.path);
  if (!checked.ok) throw new UnsafeEntryError(entry.path, checked.reason);
  if (entry.type === 'symlink' || entry.type === 'hardlink') throw new UnsafeEntryError(entry.path, `${entry.type} to ${JSON.stringify(entry.linkpath ?? '')} (bundles hold regular files only)`);
  if (entry.type !== 'file' && entry.type !== 'directory') throw new UnsafeEntryError(entry.path, `${entry.type} entries are refused`);
  return checked.path;
}

/**
 * For general archives (host tarballs): may a link at `path` point at
 * `target` without leaving the extraction root? Absolute targets never may.
 */
export function linkStaysInside(path: string, target: string): boolean {
  if (target.startsWith('/') || target === '') return false;
  const dir = path.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (dir.length === 0) return false;
      dir.pop();
    } else dir.push(part);
  }
  return true;
}
