// Folders a host install may take for its own. The plan chowns and chmods
// them and `uninstall --purge` may empty them, so `/`, the FHS top-level
// folders and the shared system folders below them are refused: they hold
// other software's files (an operator who set dataDir: /data would have had
// `rm -rf -- /data` planned by --purge).

import { posix } from 'node:path';
import { z } from 'zod';

const SYSTEM_DIRS: ReadonlySet<string> = new Set([
  '/',
  '/bin',
  '/boot',
  '/data',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/lost+found',
  '/media',
  '/mnt',
  '/nix',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/snap',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
  '/etc/default',
  '/etc/systemd',
  '/etc/systemd/system',
  '/lib/systemd',
  '/lib/systemd/system',
  '/usr/lib/systemd',
  '/usr/lib/systemd/system',
  '/usr/bin',
  '/usr/include',
  '/usr/lib',
  '/usr/lib64',
  '/usr/libexec',
  '/usr/local',
  '/usr/local/bin',
  '/usr/local/etc',
  '/usr/local/lib',
  '/usr/local/sbin',
  '/usr/local/share',
  '/usr/sbin',
  '/usr/share',
  '/usr/src',
  '/var/backups',
  '/var/cache',
  '/var/lib',
  '/var/local',
  '/var/lock',
  '/var/log',
  '/var/mail',
  '/var/opt',
  '/var/run',
  '/var/spool',
  '/var/tmp',
  '/var/www',
]);

/** `/opt/../etc/` → `/etc`: what the kernel would resolve, without touching the disk. */
export function normalisePath(path: string): string {
  const n = posix.normalize(path);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** Why `path` cannot be a folder openim-deploy owns, or undefined when it can. */
function systemDirProblem(path: string): string | undefined {
  const n = normalisePath(path);
  if (SYSTEM_DIRS.has(n))
    return `${n} is a system folder that other software uses; give openim-deploy a folder of its own, e.g. ${n === '/' ? '' : n}/openim`;
  return undefined;
}

/**
 * An absolute path to a folder that openim-deploy creates and owns. Its
 * characters are limited because unit files take it verbatim: a space splits
 * ExecStart= words, `%` is a specifier, `$` a variable, `"` a quote.
 */
export const ownedDir = z
  .string()
  // Held as the kernel reads it: `/opt/openim/` and `/srv/a/../b` would otherwise reach unit files,
  // argv and build paths spelt two ways (found by src/safety/hostile-config.property.test.ts).
  .overwrite((path) => (path.startsWith('/') ? normalisePath(path) : path))
  .startsWith('/', 'must be an absolute path')
  .regex(/^[A-Za-z0-9._/@+-]+$/, 'may hold only letters, digits and . _ - + @ / (unit files take the path verbatim)')
  .superRefine((path, ctx) => {
    const problem = systemDirProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
