// What survives between runs: generated secrets and the step journal.
// Written before and after each step, so a run cut anywhere can resume.

import type { SecretValues } from '../secrets/secrets.js';

export type StepStatus = 'started' | 'done' | 'failed' | 'interrupted';

export interface JournalEntry {
  status: StepStatus;
  /** Hash of the step's materialised inputs; equal hash + done = nothing to do. */
  hash: string;
  at: string;
  attempt: number;
  error?: string;
}

export interface DeployState {
  version: 1;
  /** Fields that cannot change after the first install (namespace, target, …). */
  identity?: Record<string, string>;
  secrets: Partial<SecretValues>;
  steps: Record<string, JournalEntry>;
  /** Config the last successful run applied (secrets removed). */
  lastApplied?: unknown;
}

export const emptyState = (): DeployState => ({ version: 1, secrets: {}, steps: {} });

export interface StateStore {
  /** Where the state lives, for messages ("credentials are in …"). */
  readonly location: string;
  load(): Promise<DeployState>;
  save(state: DeployState): Promise<void>;
}
