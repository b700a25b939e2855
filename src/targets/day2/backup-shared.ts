// What the two targets' backup plugins (binary/day2/backup.ts,
// kubernetes/day2/backup.ts) do alike: the credentials they read, the
// redactor that keeps them out of every error, running a tool that must
// succeed, and the notes an operator reads after a backup or a restore.
// Where the data is and how a tool reaches it stays in each target.

import type { DeploySpec } from '../../config/schema.js';
import type { Runner, RunOptions } from '../../process/runner.js';
import { Redactor } from '../../secrets/redact.js';
import { givenSecrets, type SecretId } from '../../secrets/secrets.js';
import type { DeployState } from '../../state/types.js';
import type { BackupIo } from './backup-types.js';

/** A credential of the install: the one the config gives, else the generated one in state. */
export function backupSecret(spec: DeploySpec, state: DeployState, id: SecretId): string {
  return givenSecrets(spec)[id] ?? state.secrets[id] ?? '';
}

/** Hides every secret of the install (generated and given) in what a failed tool printed. */
export function backupRedactor(spec: DeploySpec, state: DeployState): Redactor {
  return new Redactor(
    [...Object.values(state.secrets), ...Object.values(givenSecrets(spec))].filter(
      (v): v is string => typeof v === 'string',
    ),
  );
}

/** Runs a tool that must succeed; a failure names it with the last lines it printed, redacted. */
export async function runOk(
  runner: Runner,
  argv: string[],
  what: string,
  redactor: Redactor,
  io: BackupIo,
  options: RunOptions = {},
): Promise<string> {
  const r = await runner.run(argv, { signal: io.signal, ...options });
  if (r.exitCode !== 0)
    throw new Error(
      `${what} failed (exit ${r.exitCode}): ${redactor.redact(`${r.stderr}\n${r.stdout}`.trim()).split('\n').slice(-12).join('\n')}`,
    );
  return `${r.stdout}\n${r.stderr}`;
}

/** Why Redis and Kafka are not in a backup (binary/day2/backup.ts's header has the upstream sources). */
export const NOT_SAVED_NOTES: readonly string[] = [
  'redis: not saved; in OpenIM 3.8 it caches what MongoDB holds (seq in MongoDB, login tokens: users log in again after a restore)',
  'kafka: not saved; messages still queued for msgtransfer when the backup ran are not in it',
];

export const EXTERNAL_REDIS_NOTE =
  'redis: external, not emptied: if it serves only this OpenIM, FLUSHALL it now so no stale cache entry (seq, tokens) outlives the restore';

export const SKIP_INDEXES_NOTE =
  'mongodb: indexes not restored (--skip-indexes); OpenIM and chat created theirs when they started, any index added by hand must be created again';

/** The MongoDB dump of an opened archive (entry path → local file). */
export function mongoDumpOf(files: Map<string, string>): string {
  const dump = [...files.entries()].find(([p]) => p.startsWith('mongodb/'));
  if (!dump) throw new Error('the archive holds no MongoDB dump');
  return dump[1];
}

export function mongorestoreLine(database: string, skipIndexes: boolean): string {
  return `mongorestore --drop into database ${database}${skipIndexes ? ' (documents only: OpenIM creates its indexes when it starts)' : ''}`;
}
