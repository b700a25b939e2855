// "The API answers": chat must start after the server API serves HTTP, not
// merely after its port opens (chat's own startup check calls the API, pain
// point 8). The probe POSTs through the API server's Service proxy, so it
// works from the installer's machine without a port-forward; any HTTP answer
// from OpenIM (even an errCode for the missing operationID header) proves the
// process is serving. On a simulated cluster (kwok) no process exists behind
// the Service, so the step says so instead of waiting for an answer that
// cannot come (and is never reported as passed).

import type { DeploySpec } from '../../../config/rules.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import type { Step } from '../../../plan/types.js';
import { API_READY_STEP } from '../names.js';
import { kubectlBase } from '../tools.js';

export const API_PROBE_BODY = 'probes/empty.json';

export function apiReadyStep(spec: DeploySpec, facts: KubernetesFacts, needs: string[]): Step {
  const ns = spec.kubernetes.namespace;
  const step = { id: API_READY_STEP, title: 'Wait until openim-api answers', phase: 'server' as const, needs };
  if (facts.cluster?.simulated) {
    return {
      ...step,
      notApplicable: 'API check not applicable: the cluster is simulated (its nodes run no containers, so nothing can answer)',
      actions: [],
    };
  }
  return {
    ...step,
    actions: [
      { kind: 'write', path: API_PROBE_BODY, mode: 0o644, content: '{}\n' },
      {
        kind: 'wait',
        probe: {
          kind: 'exec',
          argv: [...kubectlBase(spec), 'create', '--raw', `/api/v1/namespaces/${ns}/services/openim-api:http/proxy/auth/get_admin_token`, '-f', API_PROBE_BODY],
        },
        timeoutSeconds: 300,
        intervalSeconds: 5,
      },
    ],
  };
}
