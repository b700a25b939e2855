// The smoke test (OPENIM.md §6) through the public route: admin token →
// register a user → user token. It only runs against a real, reachable
// cluster with an ingress; otherwise the step says why it does not apply
// rather than pretending.

import type { DeploySpec } from '../../../config/rules.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import { OPENIM_DEFAULTS } from '../../../catalog/openim-versions.js';
import type { Step } from '../../../plan/types.js';
import { secretRef } from '../../../secrets/secrets.js';
import { SMOKE_STEP } from '../names.js';
import { publicUrls } from '../urls.js';

export function smokeNotApplicable(spec: DeploySpec, facts: KubernetesFacts): string | undefined {
  if (!facts.probed || !facts.cluster?.reachable) return 'the cluster was not probed (dry run, plan or render)';
  if (facts.cluster.simulated) return 'the cluster is simulated (its nodes run no containers)';
  if (spec.kubernetes.ingress.controller === 'none') return 'there is no ingress (kubernetes.ingress.controller none); run it yourself through a port-forward: kubectl port-forward svc/openim-api 10002';
  if (!spec.openim.domain) return 'openim.domain is empty, so there is no public URL to test';
  return undefined;
}

export function smokeStep(spec: DeploySpec, facts: KubernetesFacts, needs: string[]): Step {
  const reason = smokeNotApplicable(spec, facts);
  const urls = publicUrls(spec);
  return {
    id: SMOKE_STEP,
    title: 'Smoke test: admin token, register a user, user token',
    phase: 'verify',
    needs,
    ...(reason ? { notApplicable: `smoke test not applicable: ${reason}` } : {}),
    actions: reason
      ? []
      : [
          {
            kind: 'wait',
            probe: { kind: 'openim-smoke', apiUrl: urls.apiAddr, secret: secretRef('openim.secret'), adminUserID: OPENIM_DEFAULTS.imAdminUserID },
            // DNS and certificates may still be settling after the ingress step.
            timeoutSeconds: 600,
            intervalSeconds: 10,
          },
        ],
  };
}
