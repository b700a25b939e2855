// A step that needs a process answering in the cluster (reached through a
// port-forward). On a simulated cluster (kwok) no container runs behind the
// Services, so the step says why it does not apply instead of waiting for an
// answer that cannot come (and is never reported as passed).

import type { KubernetesFacts } from '../../../facts/types.js';
import type { Step } from '../../../plan/types.js';

type StepHead = Pick<Step, 'id' | 'title' | 'phase' | 'needs'>;

/** `head` with `live` (its actions, retries …), or, on a simulated cluster, not applicable for `simulatedWhy`. */
export function liveClusterStep(
  facts: KubernetesFacts,
  head: StepHead,
  simulatedWhy: string,
  live: Omit<Step, keyof StepHead>,
): Step {
  if (facts.cluster?.simulated) return { ...head, notApplicable: simulatedWhy, actions: [] };
  return { ...head, ...live };
}
