// The install's last check: the real checks of `openim-deploy verify`
// (src/verify) through the public routes. It only runs against a real,
// reachable cluster with an ingress and a domain; otherwise the step says why
// it does not apply rather than pretending (`openim-deploy verify` itself
// port-forwards when there is no ingress).

import type { DeploySpec } from '../../../config/schema.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import type { Step } from '../../../plan/types.js';
import { verifyOff, verifyPlan, verifyProbe } from '../../verify-plan.js';
import { VERIFY_STEP } from '../names.js';

function verifyNotApplicable(spec: DeploySpec, facts: KubernetesFacts): string | undefined {
  const off = verifyOff(spec);
  if (off) return off;
  if (!facts.probed || !facts.cluster?.reachable) return 'the cluster was not probed (dry run, plan or render)';
  if (facts.cluster.simulated) return 'the cluster is simulated (its nodes run no containers)';
  if (spec.kubernetes.ingress.controller === 'none')
    return 'there is no ingress (kubernetes.ingress.controller none); run openim-deploy verify, which port-forwards the Services';
  if (!spec.openim.domain)
    return 'openim.domain is empty, so there is no public URL to test; run openim-deploy verify, which port-forwards the Services';
  return undefined;
}

export function verifyStep(spec: DeploySpec, facts: KubernetesFacts, needs: string[]): Step {
  const reason = verifyNotApplicable(spec, facts);
  return {
    id: VERIFY_STEP,
    title:
      'Verify: tokens, throw-away users, WebSocket push, stored message, file upload/download, chat and admin login',
    phase: 'verify',
    needs,
    ...(reason ? { notApplicable: `verify not applicable: ${reason}` } : {}),
    actions: reason
      ? []
      : [
          {
            kind: 'wait',
            probe: verifyProbe(spec, verifyPlan(spec).endpoints),
            // DNS and certificates may still be settling after the ingress step.
            timeoutSeconds: 600,
            intervalSeconds: 15,
          },
        ],
  };
}
