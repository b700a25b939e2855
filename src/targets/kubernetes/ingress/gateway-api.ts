// Gateway API: a Gateway of the chosen GatewayClass and an HTTPRoute per host,
// with URLRewrite to strip prefixes and RequestHeaderModifier for
// X-Request-Api. WebSocket upgrades are passed through by conformant
// implementations; idle timeouts are the implementation's to configure.

import type { DeploySpec } from '../../../config/schema.js';
import type { K8sObject } from '../yaml-docs.js';
import type { Route } from './public-route.js';
import { tlsSecretName } from './tls.js';
import type { KubernetesLayout } from '../layout.js';

/** GatewayClass used when kubernetes.ingress.className is empty (preflight asks for one). */
const DEFAULT_GATEWAY_CLASS = 'default';

function rule(r: Route, ns: string): Record<string, unknown> {
  const filters: Record<string, unknown>[] = [];
  if (r.stripPrefix)
    filters.push({ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } });
  const set = Object.entries(r.setHeaders).map(([name, value]) => ({ name, value }));
  if (set.length) filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: { set } });
  return {
    matches: [{ path: { type: 'PathPrefix', value: r.path } }],
    ...(filters.length ? { filters } : {}),
    backendRefs: [
      { name: r.service, port: r.port, ...(r.serviceNamespace !== ns ? { namespace: r.serviceNamespace } : {}) },
    ],
  };
}

export function gatewayApiObjects(spec: DeploySpec, layout: KubernetesLayout, routes: readonly Route[]): K8sObject[] {
  const ns = layout.namespace;
  const secret = tlsSecretName(spec);
  const listeners: Record<string, unknown>[] = [
    { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } },
  ];
  if (secret) {
    listeners.push({
      name: 'https',
      port: 443,
      protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: secret }] },
      allowedRoutes: { namespaces: { from: 'Same' } },
    });
  }
  const gateway: K8sObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: layout.metadata('openim'),
    spec: { gatewayClassName: spec.kubernetes.ingress.className || DEFAULT_GATEWAY_CLASS, listeners },
  };
  const byHost = new Map<string, Route[]>();
  for (const r of routes) byHost.set(r.host, [...(byHost.get(r.host) ?? []), r]);
  const httpRoutes = [...byHost.entries()].map(([host, rs], i): K8sObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: layout.metadata(i === 0 ? 'openim' : `openim-${rs[0]!.id}`),
    spec: {
      parentRefs: [{ name: 'openim' }],
      ...(host ? { hostnames: [host] } : {}),
      rules: rs.map((r) => rule(r, ns)),
    },
  }));
  // A route to a Service in another namespace must be allowed there (Ceph RGW in Rook's namespace).
  const grants = routes
    .filter((r) => r.serviceNamespace !== ns)
    .map((r): K8sObject => ({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: `openim-${r.id}`, namespace: r.serviceNamespace, labels: { ...layout.labels } },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: ns }],
        to: [{ group: '', kind: 'Service', name: r.service }],
      },
    }));
  return [gateway, ...httpRoutes, ...grants];
}
