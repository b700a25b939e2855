// What a backup archive says about itself (manifest.json, the last entry:
// the checksums are known only once everything else is written) and the
// check of an archive against it.

import { DeployError, EXIT } from '../errors.js';

export const BACKUP_FORMAT = 'openim-deploy-backup/1';
export const MANIFEST_PATH = 'manifest.json';

export type ContentKind = 'mongodb' | 'objects' | 'config' | 'state';

export interface ContentEntry {
  path: string;
  kind: ContentKind;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  target: 'binary' | 'kubernetes';
  /** Host prefix or namespace the backup was taken from. */
  scope: string;
  openim: { serverVersion: string; chatVersion: string };
  /** openim-deploy's own version, and the mongodump that wrote the dump. */
  tools: { openimDeploy: string; mongodump?: string };
  /** What each part holds, in words (database, bucket, object count …). */
  parts: Partial<Record<ContentKind, string>>;
  /** What was not backed up, and why (external object storage, external Redis …). */
  notes: string[];
  contents: ContentEntry[];
}

export class BackupFormatError extends DeployError {
  readonly code = 'BACKUP_INVALID';
  readonly exitStatus = EXIT.failed;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseManifest(text: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupFormatError('manifest.json is not JSON');
  }
  if (!isObject(value) || value.format !== BACKUP_FORMAT)
    throw new BackupFormatError(`manifest.json is not a ${BACKUP_FORMAT} manifest`);
  const openim = value.openim;
  if (!isObject(openim) || typeof openim.serverVersion !== 'string' || typeof openim.chatVersion !== 'string')
    throw new BackupFormatError('manifest.json has no OpenIM versions');
  if (
    !Array.isArray(value.contents) ||
    !value.contents.every(
      (c) => isObject(c) && typeof c.path === 'string' && typeof c.sha256 === 'string' && typeof c.size === 'number',
    )
  ) {
    throw new BackupFormatError('manifest.json has no valid contents list');
  }
  return value as unknown as BackupManifest;
}

/** Differences between what the manifest lists and what the archive held (path → sha256/size as read). */
export function contentProblems(
  manifest: BackupManifest,
  found: Map<string, { sha256: string; size: number }>,
): string[] {
  const problems: string[] = [];
  for (const entry of manifest.contents) {
    const got = found.get(entry.path);
    if (!got) problems.push(`${entry.path}: listed in the manifest, missing from the archive`);
    else if (got.sha256 !== entry.sha256 || got.size !== entry.size)
      problems.push(
        `${entry.path}: SHA-256 ${got.sha256} (${got.size} bytes) does not match the manifest's ${entry.sha256} (${entry.size} bytes)`,
      );
  }
  const listed = new Set(manifest.contents.map((c) => c.path));
  for (const path of found.keys()) if (!listed.has(path)) problems.push(`${path}: in the archive, not in the manifest`);
  return problems;
}

/** Why this backup may not be restored over the installed versions (none: it may). */
export function versionMismatch(
  manifest: BackupManifest,
  installed: { serverVersion: string; chatVersion: string } | undefined,
): string | undefined {
  if (!installed) return 'nothing is installed here yet: install the same versions first, then restore';
  const { serverVersion, chatVersion } = manifest.openim;
  if (serverVersion === installed.serverVersion && chatVersion === installed.chatVersion) return undefined;
  return `the backup is of OpenIM ${serverVersion} (chat ${chatVersion}) and ${installed.serverVersion} (chat ${installed.chatVersion}) is installed`;
}
