// Traefik: one IngressRoute (traefik.io/v1alpha1) with a Middleware per
// prefix to strip and one setting X-Request-Api. Traefik proxies WebSocket
// upgrades and unlimited bodies by default; the entry-point read timeout is
// lifted in the values we install the controller with.

import type { DeploySpec } from '../../../config/schema.js';
import type { K8sObject } from '../yaml-docs.js';
import type { Route } from './public-route.js';
import { tlsSecretName } from './tls.js';
import type { KubernetesLayout } from '../layout.js';

function match(r: Route): string {
  const path = r.path === '/' ? 'PathPrefix(`/`)' : `(Path(\`${r.path}\`) || PathPrefix(\`${r.path}/\`))`;
  return r.host ? `Host(\`${r.host}\`) && ${path}` : path;
}

export function traefikObjects(spec: DeploySpec, layout: KubernetesLayout, routes: readonly Route[]): K8sObject[] {
  const ns = layout.namespace;
  const secret = tlsSecretName(spec);
  const meta = layout.metadata;
  const middlewares: K8sObject[] = [];
  const routeSpecs = routes.map((r) => {
    const names: string[] = [];
    if (r.stripPrefix) {
      const name = `openim-strip-${r.id}`;
      middlewares.push({
        apiVersion: 'traefik.io/v1alpha1',
        kind: 'Middleware',
        metadata: meta(name),
        spec: { stripPrefix: { prefixes: [r.path] } },
      });
      names.push(name);
    }
    if (Object.keys(r.setHeaders).length > 0) {
      const name = `openim-headers-${r.id}`;
      middlewares.push({
        apiVersion: 'traefik.io/v1alpha1',
        kind: 'Middleware',
        metadata: meta(name),
        spec: { headers: { customRequestHeaders: { ...r.setHeaders } } },
      });
      names.push(name);
    }
    return {
      kind: 'Rule',
      match: match(r),
      // Another namespace needs the CRD provider's allowCrossNamespace (set when we install Traefik; preflight warns otherwise).
      services: [
        { name: r.service, port: r.port, ...(r.serviceNamespace !== ns ? { namespace: r.serviceNamespace } : {}) },
      ],
      ...(names.length ? { middlewares: names.map((name) => ({ name })) } : {}),
    };
  });
  const className = spec.kubernetes.ingress.className;
  const ingressRoute: K8sObject = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'IngressRoute',
    metadata: {
      ...meta('openim'),
      ...(className ? { annotations: { 'kubernetes.io/ingress.class': className } } : {}),
    },
    spec: {
      entryPoints: [secret ? 'websecure' : 'web'],
      routes: routeSpecs,
      ...(secret ? { tls: { secretName: secret } } : {}),
    },
  };
  return [...middlewares, ingressRoute, ...defaultCertificate(layout, routes, secret)];
}

/**
 * With no host rule (openim.domain is an IP address) clients connect by address and send no SNI
 * (RFC 6066 forbids an address there), and Traefik then picks a certificate by the connection's local
 * address, the pod's, behind the Service (traefik v3.6.5 pkg/tls/certificate_store.go:79-87), else its
 * store's default: its own self-signed "TRAEFIK DEFAULT CERT". So the Secret is made that default, with
 * the TLSStore Traefik reads for that, the one named `default` (pkg/provider/kubernetes/crd/kubernetes.go:1309;
 * a second `default` in another namespace makes Traefik drop both, :1356, so this is only done by address).
 */
function defaultCertificate(
  layout: KubernetesLayout,
  routes: readonly Route[],
  secret: string | undefined,
): K8sObject[] {
  if (!secret || routes.some((r) => r.host)) return [];
  return [
    {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'TLSStore',
      metadata: layout.metadata('default'),
      spec: { defaultCertificate: { secretName: secret } },
    },
  ];
}
