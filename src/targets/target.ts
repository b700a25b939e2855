// What every target exposes. Nothing outside a target knows helm or systemctl argv.

import type { DeploySpec } from '../config/schema.js';
import type { PreflightFinding } from '../errors.js';
import type { Runner } from '../process/runner.js';
import type { Facts } from '../facts/types.js';
import type { Step } from '../plan/types.js';

/** A requirement on the machine or cluster that only a probe can check, said from the config alone. */
export interface HostNeed {
  /** The preflight id of the check that enforces it (what --ignore-preflight takes). */
  id: string;
  need: string;
  fix: string;
}

export interface Target<F extends Facts = Facts> {
  name: 'kubernetes' | 'binary';
  /** Read-only probes through the Runner. */
  gatherFacts(spec: DeploySpec, runner: Runner): Promise<F>;
  /** Pure: findings from what we know. */
  checks(spec: DeploySpec, facts: F): PreflightFinding[];
  /** Pure: what the host must give, each enforced by a check of `checks` once probed (printed by a dry run, which probes nothing). */
  hostNeeds?(spec: DeploySpec): HostNeed[];
  /** Pure: the ordered steps that install this spec. */
  steps(spec: DeploySpec, facts: F): Step[];
  /** Pure: the URL clients get files from (MinIO's externalAddress), exactly as the plan writes it; summaries show this one. */
  filesUrl(spec: DeploySpec): string;
}
