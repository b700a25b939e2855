// Day two on a host: state in <stateDir>/state.json (0600), the lock in
// <stateDir>/lock, status and doctor evidence from systemd and the config
// files, and the uninstall and rollback plans.

import { join } from 'node:path';
import type { Day2Target } from '../../day2/types.js';
import { FileLock } from '../../../state/file-lock.js';
import { FileStateStore } from '../../../state/file-store.js';
import { bundledInfra } from '../endpoints.js';
import { INFRA_UNITS } from '../infrastructure.js';
import { openimModules } from '../units.js';
import { binaryDataBackup } from './backup.js';
import { binaryEvidence } from './evidence.js';
import {
  binaryBackupHint,
  binaryLogsArgv,
  binaryMigrationSteps,
  binaryResources,
  binaryRollbackSteps,
  binaryUninstallSteps,
} from './operations.js';
import { readBinaryStatus } from './status.js';

export const binaryDay2: Day2Target = {
  stateStore: (spec) => new FileStateStore(join(spec.binary.stateDir, 'state.json')),
  lock: (spec) => new FileLock(join(spec.binary.stateDir, 'lock')),
  prepare: async () => ({}),
  resources: binaryResources,
  status: readBinaryStatus,
  evidence: (spec, runner, state) => binaryEvidence(spec, runner, state),
  revisions: async () => undefined,
  uninstallSteps: binaryUninstallSteps,
  rollbackSteps: binaryRollbackSteps,
  migrationSteps: binaryMigrationSteps,
  backupHint: binaryBackupHint,
  dataBackup: binaryDataBackup,
  logsArgv: binaryLogsArgv,
  supportCommands: (spec) => [
    { file: 'host/units.txt', argv: ['systemctl', 'list-units', '--all', '--no-pager', 'openim*'] },
    { file: 'host/failed.txt', argv: ['systemctl', 'list-units', '--failed', '--no-pager'] },
    {
      file: 'host/warnings.log',
      argv: ['journalctl', '--no-pager', '-o', 'short-iso', '-p', 'warning', '-u', 'openim*', '-n', '1000'],
    },
    ...bundledInfra(spec).map((id) => ({
      file: `logs/${INFRA_UNITS[id].replace(/\.service$/, '')}.log`,
      argv: binaryLogsArgv(spec, INFRA_UNITS[id], { follow: false, tail: 500 }),
    })),
    ...openimModules(spec).map((m) => ({
      file: `logs/${m.module.name}.log`,
      argv: binaryLogsArgv(spec, m.module.name, { follow: false, tail: 500 }),
    })),
  ],
};
