// What an archive entry may be before anything is written for it: a relative
// path that stays inside the target, and (for bundles) a regular file or a
// directory. Absolute paths, `..`, device files, fifos and links are refused.
// splitEntryPath is the one lexical path check: bundle readers (checkEntryPath)
// and host-archive extraction (extract.ts) both build on it and only word the
// refusal their own way.

import type { EntryType } from './tar/format.js';
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

/** Why a path is refused: it starts at a root, holds a NUL byte, a backslash (when refused) or a `..` component. */
export type PathProblem = 'absolute' | 'nul' | 'backslash' | 'parent';

export interface SplitOptions {
  /** Bundles are written by this tool and never hold one; host archives may (a legal file name character on Linux). */
  refuseBackslash?: boolean;
}

/**
 * The components of an archive path (empty and `.` components dropped), or
 * why it is refused. Windows drive paths count as absolute.
 */
export function splitEntryPath(
  path: string,
  options: SplitOptions = {},
): { ok: true; parts: string[] } | { ok: false; problem: PathProblem } {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return { ok: false, problem: 'absolute' };
  if (path.includes('\0')) return { ok: false, problem: 'nul' };
  if (options.refuseBackslash && path.includes('\\')) return { ok: false, problem: 'backslash' };
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { ok: false, problem: 'parent' };
  return { ok: true, parts };
}

const BUNDLE_REASON: Record<PathProblem, string> = {
  absolute: 'absolute path',
  nul: 'NUL in path',
  backslash: 'backslash in path',
  parent: 'path escapes the target with ..',
};

/** The normalised relative path, or a reason it is refused. */
export function checkEntryPath(path: string): { ok: true; path: string } | { ok: false; reason: string } {
  if (path === '') return { ok: false, reason: 'empty path' };
  const split = splitEntryPath(path, { refuseBackslash: true });
  if (!split.ok) return { ok: false, reason: BUNDLE_REASON[split.problem] };
  if (split.parts.length === 0) return { ok: false, reason: 'path names the target itself' };
  return { ok: true, path: split.parts.join('/') };
}

/** A bundle holds regular files (and directories) only. */
export function checkBundleEntry(entry: { path: string; type: EntryType | 'other'; linkpath?: string }): string {
  const checked = checkEntryPath(entry.path);
  if (!checked.ok) throw new UnsafeEntryError(entry.path, checked.reason);
  if (entry.type === 'symlink' || entry.type === 'hardlink')
    throw new UnsafeEntryError(
      entry.path,
      `${entry.type} to ${JSON.stringify(entry.linkpath ?? '')} (bundles hold regular files only)`,
    );
  if (entry.type !== 'file' && entry.type !== 'directory')
    throw new UnsafeEntryError(entry.path, `${entry.type} entries are refused`);
  return checked.path;
}
