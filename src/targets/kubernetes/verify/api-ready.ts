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
import type { KubernetesLayout } from '../layout.js';
import { API_READY_STEP } from '../names.js';
import { portForwardArgv } from './forward.js';
import { liveClusterStep } from './live-step.js';

export function apiReadyStep(
  spec: DeploySpec,
  layout: KubernetesLayout,
  facts: KubernetesFacts,
  needs: string[],
): Step {
  return liveClusterStep(
    facts,
    { id: API_READY_STEP, title: 'Wait until openim-api gives an admin token', phase: 'server', needs },
    'API check not applicable: the cluster is simulated (its nodes run no containers, so nothing can answer)',
    {
      actions: [
        {
          kind: 'wait',
          probe: {
            kind: 'openim-admin-token',
            apiUrl: layout.apiUrl,
            secret: secretRef('openim.secret'),
            adminUserID: OPENIM_DEFAULTS.imAdminUserID,
            portForward: portForwardArgv(spec, layout, 'openim-api', modulePort('openim-api', 'http')),
          },
          timeoutSeconds: 300,
          intervalSeconds: 5,
        },
      ],
    },
  );
}
