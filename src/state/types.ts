// What survives between runs: generated secrets and the step journal.
// Written before and after each step, so a run cut anywhere can resume.

import type { SecretValues } from '../secrets/secrets.js';

export type StepStatus = 'started' | 'done' | 'failed' | 'interrupted';

/**
 * Something a step creates on the target. Recorded when the step starts
 * (not when it ends): a step cut half-way may have created it, and
 * `uninstall` removes only what the journal names.
 */
export type CreatedResource =
  | { type: 'helm-release'; name: string; namespace: string }
  | { type: 'k8s-object'; apiVersion: string; kind: string; name: string; namespace?: string }
  | { type: 'file'; path: string }
  | { type: 'dir'; path: string }
  | { type: 'unit'; name: string };

export interface JournalEntry {
  status: StepStatus;
  /** Hash of the step's materialised inputs; equal hash + done = nothing to do. */
  hash: string;
  at: string;
  attempt: number;
  error?: string;
  /** Position in the plan that last ran it: uninstall goes in reverse. */
  order?: number;
  component?: string;
  resources?: CreatedResource[];
  /** Files the step produced and their SHA-256 (a binary built from source). */
  artifacts?: { path: string; sha256: string }[];
}

/** One applied version, newest last: `rollback` goes back to the one before. */
export interface HistoryEntry {
  at: string;
  action: 'install' | 'upgrade' | 'rollback';
  serverVersion: string;
  chatVersion: string;
  /** Helm revision of each release after this action (Kubernetes). */
  revisions?: Record<string, number>;
}

export interface BackupRecord {
  at: string;
  action: 'backup' | 'restore';
  /** Local path or s3:// URL of the archive. */
  archive: string;
  size: number;
  /** SHA-256 of the archive file as written (encrypted bytes when encrypted). */
  sha256: string;
  encrypted: boolean;
  serverVersion: string;
  chatVersion: string;
  /** Why it was taken, when not by hand ("before upgrade to v3.8.4"). */
  reason?: string;
  seconds: number;
}

export interface DeployState {
  version: 1;
  /** Bumped on every save; where a local copy and a remote one disagree, the higher wins. */
  serial?: number;
  /** The cluster this state belongs to (Kubernetes: the kube-system namespace UID). */
  cluster?: string;
  /** Fields that cannot change after the first install (namespace, target, …): see identity.ts. */
  identity?: Record<string, string>;
  secrets: Partial<SecretValues>;
  steps: Record<string, JournalEntry>;
  /** Versions the last complete install/upgrade/rollback left running. */
  installed?: { serverVersion: string; chatVersion: string; at: string };
  history?: HistoryEntry[];
  /** Set while an upgrade runs: `install` with the old config must not undo half of it. */
  upgrading?: { serverVersion: string; chatVersion: string; at: string };
  /**
   * The namespace openim-deploy created itself (it did not exist before the
   * first run). Only this one may go with `uninstall --purge`: a namespace
   * that was there before holds other workloads.
   */
  createdNamespace?: string;
  /** Backups written by `backup` (and by `upgrade --backup`), newest last; restores done by `restore`. */
  backups?: BackupRecord[];
  /** Config the last successful run applied (secret fields removed). */
  lastApplied?: unknown;
}

export const emptyState = (): DeployState => ({ version: 1, secrets: {}, steps: {} });

export interface StateStore {
  /** Where the state lives, for messages ("credentials are in …"). */
  readonly location: string;
  load(): Promise<DeployState>;
  save(state: DeployState): Promise<void>;
  /** Wait until every copy (e.g. the cluster Secret) has the last save; throws what went wrong. */
  flush?(): Promise<void>;
  /** Where load() moved a local copy that belongs to another cluster. */
  readonly setAside?: string | undefined;
  /** Delete the state everywhere (uninstall --purge). */
  remove?(): Promise<void>;
}
