// What an install is installed into: its Kubernetes namespace or its host
// prefix. Plans, reports and backups are labelled with it, so an operator with
// several installs can tell them apart; one place says which field that is.

import type { DeploySpec } from './schema.js';

export function installScope(spec: DeploySpec): string {
  return spec.target === 'kubernetes' ? spec.kubernetes.namespace : spec.binary.prefix;
}
