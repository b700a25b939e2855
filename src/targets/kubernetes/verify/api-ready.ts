// "The API answers": chat must start after the server API serves HTTP, not
// merely after its port opens (chat's own startup check calls the API, pain
// point 8). The probe POSTs through the API server's Service proxy, so it
// works from the installer's machine without a port-forward; any HTTP answer
// from OpenIM (even an errCode for the missing operationID header) proves the
// process is serving.

import type { DeploySpec } from '../../../config/rules.js';
import type { Step } from '../../../plan/types.js';
import { API_READY_STEP } from '../names.js';
import { kubectlBase } from '../tools.js';

export const API_PROBE_BODY = 'probes/empty.json';

export function apiReadyStep(spec: DeploySpec, needs: string[]): Step {
  const ns = spec.kubernetes.namespace;
  return {
    id: API_READY_STEP,
    title: 'Wait until openim-api answers',
    phase: 'server',
    needs,
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
