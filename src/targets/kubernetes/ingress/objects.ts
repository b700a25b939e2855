// The ingress objects for the chosen controller, plus the TLS Certificate.

import type { DeploySpec } from '../../../config/schema.js';
import type { K8sObject } from '../yaml-docs.js';
import { gatewayApiObjects } from './gateway-api.js';
import { ISTIO_GATEWAY_NAMESPACE, istioObjects } from './istio.js';
import { nginxObjects } from './nginx.js';
import { openimRoutes, routeHosts } from './routes.js';
import { certificate } from './tls.js';
import { traefikObjects } from './traefik.js';
import type { KubernetesLayout } from '../layout.js';

export function ingressObjects(spec: DeploySpec, layout: KubernetesLayout): K8sObject[] {
  const controller = spec.kubernetes.ingress.controller;
  if (controller === 'none') return [];
  const routes = openimRoutes(spec, layout);
  const objects =
    controller === 'nginx'
      ? nginxObjects(spec, layout, routes)
      : controller === 'traefik'
        ? traefikObjects(spec, layout, routes)
        : controller === 'istio'
          ? istioObjects(spec, layout, routes)
          : gatewayApiObjects(spec, layout, routes);
  const certNamespace = controller === 'istio' ? ISTIO_GATEWAY_NAMESPACE : layout.namespace;
  const cert = certificate(spec, routeHosts(routes), certNamespace);
  return cert ? [cert, ...objects] : objects;
}
