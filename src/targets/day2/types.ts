// Day two: what each target gives the target-neutral commands (status,
// doctor, upgrade, rollback, uninstall, logs, support bundle). As in
// src/targets/target.ts, only a target knows kubectl, helm or systemctl argv;
// everything here is data.

import type { DeploySpec } from '../../config/schema.js';
import type { Runner } from '../../process/runner.js';
import type { Step } from '../../plan/types.js';
import type { DeployLock } from '../../state/lock.js';
import type { DataBackup } from './backup-types.js';
import type { CreatedResource, DeployState, HistoryEntry, StateStore } from '../../state/types.js';

export interface ComponentStatus {
  name: string;
  /** Deployment, StatefulSet, unit … */
  kind: string;
  product: 'server' | 'chat' | 'front' | 'infrastructure' | 'other';
  version: string;
  desired: number;
  ready: number;
  restarts: number;
  /** Why it restarted last, when it did (termination reason / unit result). */
  lastRestart?: string;
  /** Why it is not running now (CrashLoopBackOff, ImagePullBackOff, failed …). */
  waiting?: string;
  endpoints: string[];
  healthy: boolean;
}

export interface StatusReport {
  target: 'kubernetes' | 'binary';
  scope: string;
  at: string;
  installed?: { serverVersion: string; chatVersion: string };
  components: ComponentStatus[];
  urls: { name: string; url: string }[];
  journal: { done: number; failed: number; interrupted: number; started: number; total: number };
  healthy: boolean;
  problems: string[];
  /** The certificate the host's reverse proxy serves (binary.proxy), when it serves TLS. */
  certificate?: { names: string; notAfter: string; daysLeft: number; issuer: string; mode: string } | { error: string };
}

/** Facts gathered from a live install for `doctor`; diagnosis is a pure function of them. */
export interface LiveEvidence {
  /** undefined: not checked (reason in `skipped`). */
  kafkaTopics?: { ok: true; topics: { name: string; partitions: number }[] } | { ok: false; error: string };
  mongoAuth?: { ok: boolean; detail: string; authSource: string; user: string };
  /** Where a proxy variable would catch gRPC/etcd traffic, e.g. "Deployment openim-api: HTTP_PROXY". */
  proxyEnv: { where: string; vars: string[] }[];
  /** Compared here, never carried out: only whether they are equal. */
  sharedSecret?: { serverSet: boolean; chatSet: boolean; equal: boolean; source: string };
  chatApi?: { url: string; reachable: boolean; detail: string };
  versions: { component: string; expected: string; actual: string }[];
  /** URLs clients use, for the network probes doctor runs from here. */
  objectStorageUrl?: string;
  objectStorageProvider?: string;
  webSocketUrl?: string;
  /** The certificate the host's reverse proxy serves, and how it is obtained (binary.proxy.tls.mode). */
  proxyCertificate?:
    { mode: string; names: string; notAfter: string; issuer: string } | { mode: string; error: string };
  skipped: { check: string; why: string }[];
}

export interface UninstallOptions {
  /** Delete data (PVCs, data folders) too. */
  purge: boolean;
}

/** What `prepare` found or made before the lock and state. */
interface Prepared {
  /** The namespace it created (it did not exist). */
  createdNamespace?: string;
  /** The identity of the live cluster (kube-system namespace UID), when it can be read. */
  clusterId?: string;
}

export interface Day2Target {
  /** Where this spec's state lives (the local copy, when there is one, in workdir). */
  stateStore(spec: DeploySpec, runner: Runner, workdir: string, prepared?: Prepared): StateStore;
  lock(spec: DeploySpec, runner: Runner, workdir: string): DeployLock;
  /** Make sure the lock and state can be written (Kubernetes: the namespace exists); says what it created. */
  prepare(spec: DeploySpec, runner: Runner): Promise<Prepared>;
  /** What a plan step creates, recorded in the journal when it starts. */
  resources(spec: DeploySpec, step: Step): CreatedResource[];
  status(spec: DeploySpec, runner: Runner, state: DeployState): Promise<StatusReport>;
  evidence(spec: DeploySpec, runner: Runner, state: DeployState): Promise<LiveEvidence>;
  /** Helm revision per release (Kubernetes); undefined where there is no such thing. */
  revisions(spec: DeploySpec, runner: Runner): Promise<Record<string, number> | undefined>;
  uninstallSteps(spec: DeploySpec, state: DeployState, options: UninstallOptions): Step[];
  rollbackSteps(spec: DeploySpec, state: DeployState, to: HistoryEntry): Step[];
  /** The `seq` migration into 3.8 (open-im-server tools/seq@v3.8.3), or why it cannot be automated here. */
  migrationSteps(spec: DeploySpec, fromVersion: string): Step[] | { refused: string };
  backupHint(spec: DeploySpec): string;
  /** `backup` and `restore`; absent where they are not built yet (Kubernetes). */
  dataBackup?: DataBackup;
  /** Commands whose output is the module's recent logs (follow: stream). */
  logsArgv(spec: DeploySpec, module: string, options: { follow: boolean; tail: number }): string[];
  /** Commands whose output goes into a support bundle, by file name. */
  supportCommands(spec: DeploySpec, state: DeployState): { file: string; argv: string[] }[];
}
