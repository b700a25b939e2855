// What every group of questions works with.

import type { DeploySpec } from '../../config/schema.js';
import { deploySpecSchema } from '../../config/schema.js';
import type { ProbeResult } from '../../execute/probes.js';
import type { Answers } from '../answers.js';
import type { Asker } from '../asker.js';
import type { LightProbes } from '../light-probes.js';

export interface QuestionContext {
  ask: Asker;
  answers: Answers;
  probes: LightProbes;
  /** Progress notes between prompts ("looking at the cluster…"). */
  note(text: string): void;
  /** Preflight ids the user accepts (--ignore-preflight): the wizard does not refuse what they cover. */
  ignored: Set<string>;
  /** Live TCP check of an external service (tcpProbe outside tests too). */
  reach(host: string, port: number): Promise<ProbeResult>;
}

/** The answers so far with schema defaults: for argv builders that want a spec. */
export function specSoFar(answers: Answers): DeploySpec {
  return deploySpecSchema.parse(answers.raw) as DeploySpec;
}
