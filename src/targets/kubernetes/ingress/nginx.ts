// ingress-nginx: one Ingress per route, since its annotations apply to a whole
// Ingress and the routes need different ones (rewrite, WebSocket timeouts,
// body size). Dev only: the project was retired in March 2026 (config warns).

import type { DeploySpec } from '../../../config/schema.js';
import type { K8sObject } from '../yaml-docs.js';
import type { Route } from './public-route.js';
import { WEBSOCKET_TIMEOUT_SECONDS } from './routes.js';
import { tlsSecretName } from './tls.js';
import type { KubernetesLayout } from '../layout.js';

const A = 'nginx.ingress.kubernetes.io/';

function annotations(r: Route): Record<string, string> {
  const a: Record<string, string> = {};
  if (r.stripPrefix) {
    a[`${A}use-regex`] = 'true';
    a[`${A}rewrite-target`] = '/$2';
  }
  if (r.websocket) {
    a[`${A}proxy-read-timeout`] = String(WEBSOCKET_TIMEOUT_SECONDS);
    a[`${A}proxy-send-timeout`] = String(WEBSOCKET_TIMEOUT_SECONDS);
  }
  if (r.largeBody) {
    a[`${A}proxy-body-size`] = '0';
    a[`${A}proxy-request-buffering`] = 'off';
  }
  const headers = Object.keys(r.setHeaders);
  if (headers.length > 0) {
    // ingress-nginx has no per-Ingress request-header annotation; the snippet
    // keeps $scheme/$host dynamic. Needs allow-snippet-annotations (set when we install the controller).
    a[`${A}configuration-snippet`] = headers
      .map((h) =>
        h === 'X-Request-Api'
          ? `proxy_set_header ${h} $scheme://$host${r.path};`
          : `proxy_set_header ${h} "${r.setHeaders[h]}";`,
      )
      .join('\n');
  }
  return a;
}

/**
 * An Ingress only reaches Services in its own namespace; a back end elsewhere
 * (Ceph RGW) gets an ExternalName Service here, which ingress-nginx resolves.
 */
function localBackend(layout: KubernetesLayout, r: Route): { name: string; service?: K8sObject } {
  if (r.serviceNamespace === layout.namespace) return { name: r.service };
  const name = `openim-${r.id}-backend`;
  return {
    name,
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: layout.metadata(name),
      spec: {
        type: 'ExternalName',
        externalName: `${r.service}.${r.serviceNamespace}.svc.cluster.local`,
        ports: [{ name: 'http', port: r.port }],
      },
    },
  };
}

export function nginxObjects(spec: DeploySpec, layout: KubernetesLayout, routes: readonly Route[]): K8sObject[] {
  const secret = tlsSecretName(spec);
  const className = spec.kubernetes.ingress.className || 'nginx';
  const backends = routes.map((r) => localBackend(layout, r));
  const services = backends.flatMap((b) => (b.service ? [b.service] : []));
  return [
    ...services,
    ...routes.map((r, i) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { ...layout.metadata(`openim-${r.id}`), annotations: annotations(r) },
      spec: {
        ingressClassName: className,
        // With an IP address there is no host: the Secret's certificate serves any host the controller is reached by.
        ...(secret ? { tls: [{ ...(r.host ? { hosts: [r.host] } : {}), secretName: secret }] } : {}),
        rules: [
          {
            ...(r.host ? { host: r.host } : {}),
            http: {
              paths: [
                {
                  path: r.stripPrefix ? `${r.path}(/|$)(.*)` : r.path,
                  pathType: r.stripPrefix ? 'ImplementationSpecific' : 'Prefix',
                  backend: { service: { name: backends[i]!.name, port: { number: r.port } } },
                },
              ],
            },
          },
        ],
      },
    })),
  ];
}
