// The Secret the infrastructure charts read. Values are placeholders: the
// executor fills them in when it writes the manifest, never the plan.

import { secretRef } from '../../../secrets/secrets.js';
import type { KubernetesLayout } from '../layout.js';
import { INFRA_SECRET_KEYS } from './names.js';

/** `stringData` of the infrastructure Secret: key → «secret:id». */
function infraSecretData(): Record<string, string> {
  return Object.fromEntries(Object.entries(INFRA_SECRET_KEYS).map(([key, id]) => [key, secretRef(id)]));
}

/** The whole Secret object, for the secrets step to write and apply. */
export function infraSecret(layout: KubernetesLayout): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: layout.secrets.infra,
      namespace: layout.namespace,
      labels: { ...layout.labels },
    },
    type: 'Opaque',
    stringData: infraSecretData(),
  };
}
