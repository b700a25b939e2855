// `kubectl port-forward` of one Service to a free loopback port, for verify
// when the install has no ingress.

import type { DeploySpec } from '../../../config/schema.js';
import type { KubernetesLayout } from '../layout.js';
import { kubectlBase } from '../tools.js';

export function portForwardArgv(spec: DeploySpec, layout: KubernetesLayout, service: string, port: number): string[] {
  return [
    ...kubectlBase(spec),
    '-n',
    layout.namespace,
    'port-forward',
    '--address',
    '127.0.0.1',
    `svc/${service}`,
    `:${port}`,
  ];
}
