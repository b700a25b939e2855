// One policy for every file or folder a command writes where the user says
// (-o, --out): an existing one is never replaced silently; --force replaces it
// (as config init and bundle keygen always did).

import { existsSync, readdirSync, statSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** Refuse before any work is done, naming the flag and --force. */
export function refuseExistingFile(path: string, flag: string, force: boolean | undefined): void {
  if (force || !existsSync(path)) return;
  throw new ConfigError([
    { path: flag, message: `${path} already exists`, hint: 'pass --force to overwrite it, or choose another name' },
  ]);
}

/** A folder to write into: new or empty, unless --force. */
export function refuseNonEmptyFolder(path: string, flag: string, force: boolean | undefined): void {
  if (force || !existsSync(path)) return;
  if (!statSync(path).isDirectory())
    throw new ConfigError([{ path: flag, message: `${path} exists and is not a folder` }]);
  if (readdirSync(path).length > 0)
    throw new ConfigError([
      {
        path: flag,
        message: `${path} is not empty`,
        hint: 'pass --force to write into it (files it has that the render writes are replaced), or choose a new folder',
      },
    ]);
}
