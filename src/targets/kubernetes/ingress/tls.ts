// TLS for the public hosts: none, a cert-manager Certificate, or a Secret the
// user made. An explicit Certificate (rather than ingress-shim annotations)
// works the same for Ingress, IngressRoute, Istio and Gateway API, and gives
// one certificate for both hosts instead of one per Ingress object.

import type { DeploySpec } from '../../../config/schema.js';
import { MANAGED_BY } from '../names.js';
import type { K8sObject } from '../yaml-docs.js';

const DEFAULT_TLS_SECRET = 'openim-tls';

export function tlsSecretName(spec: DeploySpec): string | undefined {
  const tls = spec.kubernetes.ingress.tls;
  if (tls.mode === 'none') return undefined;
  return tls.secretName || DEFAULT_TLS_SECRET;
}

export function certificate(spec: DeploySpec, hosts: string[], namespace: string): K8sObject | undefined {
  const tls = spec.kubernetes.ingress.tls;
  if (tls.mode !== 'cert-manager' || hosts.length === 0) return undefined;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'openim-tls', namespace, labels: { ...MANAGED_BY } },
    spec: {
      secretName: tlsSecretName(spec)!,
      dnsNames: hosts,
      issuerRef: { name: tls.issuer, kind: tls.issuerKind, group: 'cert-manager.io' },
    },
  };
}
