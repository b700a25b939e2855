// `kubectl port-forward` of one Service to a free loopback port, for verify
// when the install has no ingress.

import type { DeploySpec } from '../../../config/schema.js';
import { kubectlBase } from '../tools.js';

export function portForwardArgv(spec: DeploySpec, service: string, port: number): string[] {
  return [
    ...kubectlBase(spec),
    '-n',
    spec.kubernetes.namespace,
    'port-forward',
    '--address',
    '127.0.0.1',
    `svc/${service}`,
    `:${port}`,
  ];
}
