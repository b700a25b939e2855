// Everything OpenIM must know about where things are on Kubernetes: the
// infrastructure addresses plus discovery and the chat → server API URL.

import { grafanaUrl } from '../monitoring/urls.js';
import type { DeploySpec } from '../../../config/rules.js';
import { modulePort } from '../../../catalog/modules.js';
import type { OpenIMEndpoints } from '../../../openim-config/types.js';
import type { InfraEndpoints } from '../infra-bridge.js';
import { publicUrls } from '../urls.js';

export function openimEndpoints(spec: DeploySpec, infra: InfraEndpoints): OpenIMEndpoints {
  const ns = spec.kubernetes.namespace;
  return {
    ...infra,
    // Chat and 3.8.4+ read it; 3.8.3 ignores it (hard-coded "default", refused by preflight elsewhere).
    discovery: { kind: 'kubernetes', namespace: ns },
    // Chat calls the server API inside the cluster, through its Service (pain point 8).
    apiURL: `http://openim-api.${ns}.svc:${modulePort('openim-api', 'http')}`,
    grafanaURL: grafanaUrl(spec),
  };
}
