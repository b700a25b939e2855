// Istio: a Gateway bound to the ingress gateway pods and a VirtualService per
// host. Istio's TLS credential must live in the gateway's own namespace.

import type { DeploySpec } from '../../../config/schema.js';
import { INGRESS_CONTROLLERS } from '../../../catalog/ingress.js';
import type { K8sObject } from '../yaml-docs.js';
import type { Route } from './public-route.js';
import { routeHosts } from './routes.js';
import { tlsSecretName } from './tls.js';
import type { KubernetesLayout } from '../layout.js';

export const ISTIO_GATEWAY_NAMESPACE = INGRESS_CONTROLLERS.istio.namespace;
/** Label the istio `gateway` chart puts on its pods for release istio-ingressgateway. */
const GATEWAY_SELECTOR = { istio: 'ingressgateway' };

function httpRoutes(r: Route): Record<string, unknown>[] {
  const destination = {
    destination: { host: `${r.service}.${r.serviceNamespace}.svc.cluster.local`, port: { number: r.port } },
  };
  const headers = Object.keys(r.setHeaders).length ? { headers: { request: { set: { ...r.setHeaders } } } } : {};
  if (!r.stripPrefix) return [{ name: r.id, match: [{ uri: { prefix: r.path } }], route: [destination], ...headers }];
  // A prefix rewrite replaces exactly the matched text: match "/api/" → "/" and the bare "/api" → "/".
  return [
    { name: r.id, match: [{ uri: { prefix: `${r.path}/` } }], rewrite: { uri: '/' }, route: [destination], ...headers },
    {
      name: `${r.id}-root`,
      match: [{ uri: { exact: r.path } }],
      rewrite: { uri: '/' },
      route: [destination],
      ...headers,
    },
  ];
}

export function istioObjects(spec: DeploySpec, layout: KubernetesLayout, routes: readonly Route[]): K8sObject[] {
  const secret = tlsSecretName(spec);
  const hosts = routeHosts(routes);
  const gatewayHosts = hosts.length ? hosts : ['*'];
  const servers: Record<string, unknown>[] = [
    {
      port: { number: 80, name: 'http', protocol: 'HTTP' },
      hosts: gatewayHosts,
      ...(secret ? { tls: { httpsRedirect: true } } : {}),
    },
  ];
  if (secret)
    servers.push({
      port: { number: 443, name: 'https', protocol: 'HTTPS' },
      hosts: gatewayHosts,
      tls: { mode: 'SIMPLE', credentialName: secret },
    });
  const gateway: K8sObject = {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'Gateway',
    metadata: layout.metadata('openim-gateway'),
    spec: { selector: GATEWAY_SELECTOR, servers },
  };
  const byHost = new Map<string, Route[]>();
  for (const r of routes) byHost.set(r.host, [...(byHost.get(r.host) ?? []), r]);
  const services = [...byHost.entries()].map(([host, rs], i): K8sObject => {
    // Most specific first: `/` goes last, as VirtualService routes match in order.
    const ordered = [...rs].sort((a, b) => b.path.length - a.path.length);
    return {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: layout.metadata(i === 0 ? 'openim' : `openim-${ordered[0]!.id}`),
      spec: { hosts: [host || '*'], gateways: ['openim-gateway'], http: ordered.flatMap((r) => httpRoutes(r)) },
    };
  });
  return [gateway, ...services];
}
