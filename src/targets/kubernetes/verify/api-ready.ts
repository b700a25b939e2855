// "The API answers": chat must start after the server API serves, not merely
// after its port opens (chat's own startup check calls the API, pain point 8).
// More than an HTTP answer: get_admin_token must succeed, which needs the API,
// the auth RPC and discovery between them. chat-api and admin-api fetch that
// token once and cache it, and chat v1.8.4 never releases the cache's lock when
// the first fetch fails (pkg/common/imapi/caller.go@v1.8.4:78-84 returns without
// Unlock): a chat started while the server's RPCs are not reachable hangs every
// admin login until it restarts (seen on the real node). The probe reaches the
// API through `kubectl port-forward`, so it works from the installer's machine.
// On a simulated cluster (kwok) no process exists behind the Service, so the
// step says so instead of waiting for an answer that cannot come (and is never
// reported as passed).

import { modulePort } from '../../../catalog/modules.js';
import { OPENIM_DEFAULTS } from '../../../catalog/openim-versions.js';
import type { DeploySpec } from '../../../config/schema.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import type { Step } from '../../../plan/types.js';
import { secretRef } from '../../../secrets/secrets.js';
import { API_READY_STEP } from '../names.js';
import { portForwardArgv } from './forward.js';

export function apiReadyStep(spec: DeploySpec, facts: KubernetesFacts, needs: string[]): Step {
  const step = {
    id: API_READY_STEP,
    title: 'Wait until openim-api gives an admin token',
    phase: 'server' as const,
    needs,
  };
  if (facts.cluster?.simulated) {
    return {
      ...step,
      notApplicable:
        'API check not applicable: the cluster is simulated (its nodes run no containers, so nothing can answer)',
      actions: [],
    };
  }
  const port = modulePort('openim-api', 'http');
  return {
    ...step,
    actions: [
      {
        kind: 'wait',
        probe: {
          kind: 'openim-admin-token',
          apiUrl: `http://openim-api.${spec.kubernetes.namespace}.svc:${port}`,
          secret: secretRef('openim.secret'),
          adminUserID: OPENIM_DEFAULTS.imAdminUserID,
          portForward: portForwardArgv(spec, 'openim-api', port),
        },
        timeoutSeconds: 300,
        intervalSeconds: 5,
      },
    ],
  };
}
