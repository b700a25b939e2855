// What a target gives `backup` and `restore`: its data parts as files to
// archive, and the way back. The archive itself (tar, manifest, checksums,
// encryption) is target-neutral: src/backup.

import type { DeploySpec } from '../../config/schema.js';
import type { Runner } from '../../process/runner.js';
import type { StagedFile } from '../../backup/archive.js';
import type { ContentKind } from '../../backup/manifest.js';
import type { DeployState } from '../../state/types.js';

export interface BackupIo {
  /** One line of progress (never a secret). */
  log(line: string): void;
  signal: AbortSignal;
}

export interface CollectedData {
  files: StagedFile[];
  /** What each part holds, in words. */
  parts: Partial<Record<ContentKind, string>>;
  notes: string[];
  mongodumpVersion?: string;
}

interface RestoreOptions {
  /**
   * Restore documents only, not the dump's index definitions (mongorestore --noIndexRestore): OpenIM and
   * chat create their own indexes when they start (open-im-server v3.8.3 pkg/common/storage/database/mgo/
   * user.go NewUserMongo, chat v1.8.4 pkg/common/db/model/…), so theirs come back; indexes added by hand do not.
   * For MongoDB-compatible servers that refuse mongorestore's index options (FerretDB: `Index option "ns" is unknown`).
   */
  skipIndexes: boolean;
}

export interface DataBackup {
  /** Why backup/restore cannot run here (a missing tool, with its fix); empty when it can. */
  problems(spec: DeploySpec, mode: 'backup' | 'restore'): string[];
  /** Writes every part into `dir` (a fresh 0700 folder). */
  collect(spec: DeploySpec, runner: Runner, state: DeployState, dir: string, io: BackupIo): Promise<CollectedData>;
  /** Stops OpenIM and puts the data parts back (database, objects; caches emptied). OpenIM stays stopped. Returns notes. */
  restoreData(
    spec: DeploySpec,
    runner: Runner,
    state: DeployState,
    files: Map<string, string>,
    options: RestoreOptions,
    io: BackupIo,
  ): Promise<string[]>;
  /** Starts OpenIM again after restoreData. */
  startOpenIM(spec: DeploySpec, runner: Runner, io: BackupIo): Promise<void>;
  /**
   * After restore re-applied the config with the backup's application secrets, when re-applying alone
   * does not make running processes read them (Kubernetes: env from a Secret is read when a container starts).
   */
  afterSecretsRestored?(spec: DeploySpec, runner: Runner, io: BackupIo): Promise<void>;
}

/** The first line of every target's backup hint (upgrade without --yes): the product's own backup. */
export const BACKUP_FIRST_HINT =
  'Back up first: `openim-deploy backup --to <folder|s3://bucket/prefix>` (or `upgrade --backup`).';
