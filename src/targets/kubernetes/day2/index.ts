// Day two on Kubernetes: state in a Secret (plus a local copy), the lock in
// a Lease, status and doctor evidence read with kubectl, the uninstall
// and rollback plans, and backup/restore (./backup.ts).

import { join } from 'node:path';
import type { Day2Target } from '../../day2/types.js';
import { FileStateStore } from '../../../state/file-store.js';
import { LeaseLock } from '../../../state/lease-lock.js';
import { MirroredStateStore } from '../../../state/mirrored-store.js';
import { kubernetesDataBackup } from './backup.js';
import { kubernetesEvidence } from './evidence.js';
import { inNamespace } from './kubectl.js';
import { kubeLeaseBackend } from './lease.js';
import {
  kubernetesBackupHint,
  kubernetesLogsArgv,
  kubernetesRevisions,
  kubernetesRollbackSteps,
  kubernetesUninstallSteps,
} from './operations.js';
import { kubernetesResources } from './resources.js';
import { clusterIdentity, ensureNamespace, kubeStateRemote } from './state-secret.js';
import { enabledModules } from '../steps.js';
import { helmBase } from '../tools.js';
import { kubernetesLayout } from '../layout.js';
import { kubernetesStatus, readSnapshot } from './status.js';

export const kubernetesDay2: Day2Target = {
  stateStore: (spec, runner, workdir, prepared) =>
    new MirroredStateStore(
      new FileStateStore(join(workdir, 'state.json')),
      kubeStateRemote(spec, runner),
      prepared?.clusterId ? { cluster: prepared.clusterId } : {},
    ),
  lock: (spec, runner) => new LeaseLock(kubeLeaseBackend(spec, runner)),
  prepare: async (spec, runner) => {
    const clusterId = await clusterIdentity(spec, runner);
    const created = await ensureNamespace(spec, runner);
    return {
      ...(created ? { createdNamespace: kubernetesLayout(spec).namespace } : {}),
      ...(clusterId ? { clusterId } : {}),
    };
  },
  resources: (_spec, step) => kubernetesResources(step),
  status: async (spec, runner, state) => kubernetesStatus(spec, await readSnapshot(spec, runner), state),
  evidence: (spec, runner, state) => kubernetesEvidence(spec, runner, state),
  revisions: kubernetesRevisions,
  uninstallSteps: kubernetesUninstallSteps,
  rollbackSteps: kubernetesRollbackSteps,
  migrationSteps: (spec, from) => ({
    refused:
      `upgrading from ${from} crosses the one-time \`seq\` migration (open-im-server tools/seq, for upgrades from below 3.8), which is not automated on Kubernetes yet: ` +
      `run the seq tool of ${spec.openim.serverVersion} once against this install's MongoDB and Redis (e.g. from a host with the export tarball: tools/seq -c <config folder>), then upgrade again with --skip-migration`,
  }),
  backupHint: kubernetesBackupHint,
  dataBackup: kubernetesDataBackup(),
  logsArgv: kubernetesLogsArgv,
  supportCommands: (spec) => {
    const layout = kubernetesLayout(spec);
    return [
      {
        file: 'cluster/resources.txt',
        argv: inNamespace(spec, 'get', 'all,pvc,ingress,configmap,lease', '-o', 'wide'),
      },
      { file: 'cluster/events.txt', argv: inNamespace(spec, 'get', 'events', '--sort-by=.lastTimestamp') },
      { file: 'cluster/pods.txt', argv: inNamespace(spec, 'describe', 'pods') },
      {
        file: 'cluster/helm-releases.json',
        argv: [...helmBase(spec), 'list', '--namespace', layout.namespace, '--all', '-o', 'json'],
      },
      ...enabledModules(spec).map((m) => ({
        file: `logs/${m.name}.log`,
        argv: kubernetesLogsArgv(spec, m.name, { follow: false, tail: 500 }),
      })),
    ];
  },
};
