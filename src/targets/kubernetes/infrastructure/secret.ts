// The Secret the infrastructure charts read. Values are placeholders: the
// executor fills them in when it writes the manifest, never the plan.

import { secretRef } from '../../../secrets/secrets.js';
import type { DeploySpec } from '../../../config/schema.js';
import { INFRA_SECRET_KEYS, INFRA_SECRET_NAME } from './names.js';

/** `stringData` of the infrastructure Secret: key → «secret:id». */
export function infraSecretData(): Record<string, string> {
  return Object.fromEntries(Object.entries(INFRA_SECRET_KEYS).map(([key, id]) => [key, secretRef(id)]));
}

/** The whole Secret object, for the secrets step to write and apply. */
export function infraSecret(spec: DeploySpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: INFRA_SECRET_NAME,
      namespace: spec.kubernetes.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'openim-deploy', 'app.kubernetes.io/part-of': 'openim' },
    },
    type: 'Opaque',
    stringData: infraSecretData(),
  };
}
