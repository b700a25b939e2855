// Replace chat's seeded admin console password (src/chat-admin) before the
// ingress publishes the console. admin-api is reached through
// `kubectl port-forward`, so this works without an ingress, DNS or TLS. On a
// simulated cluster no process answers, so the step says so (never "done").

import { PUBLIC_PORTS } from '../../catalog/modules.js';
import { chatAdminPasswordAction } from '../../chat-admin/action.js';
import type { DeploySpec } from '../../config/schema.js';
import type { KubernetesFacts } from '../../facts/types.js';
import type { Step } from '../../plan/types.js';
import type { KubernetesLayout } from './layout.js';
import { CHAT_ADMIN_STEP } from './names.js';
import { portForwardArgv } from './verify/forward.js';
import { liveClusterStep } from './verify/live-step.js';

export function chatAdminPasswordStep(
  spec: DeploySpec,
  layout: KubernetesLayout,
  facts: KubernetesFacts,
  needs: string[],
): Step {
  const argv = portForwardArgv(spec, layout, 'admin-api', PUBLIC_PORTS.adminApi);
  return liveClusterStep(
    facts,
    { id: CHAT_ADMIN_STEP, title: 'Chat admin console password (replaces the seeded default)', phase: 'chat', needs },
    'admin password not set: the cluster is simulated (its nodes run no containers); on a real cluster this step replaces the seeded chatAdmin password',
    { retries: 1, actions: [chatAdminPasswordAction({ portForward: argv })] },
  );
}
