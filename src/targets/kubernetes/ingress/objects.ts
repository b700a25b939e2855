// The ingress objects for the chosen controller, plus the TLS Certificate.

import type { DeploySpec } from '../../../config/schema.js';
import type { K8sObject } from '../yaml-docs.js';
import { gatewayApiObjects } from './gateway-api.js';
import { ISTIO_GATEWAY_NAMESPACE, istioObjects } from './istio.js';
import { nginxObjects } from './nginx.js';
import { openimRoutes, routeHosts } from './routes.js';
import { certificate } from './tls.js';
import { traefikObjects } from './traefik.js';

export function ingressObjects(spec: DeploySpec): K8sObject[] {
  const controller = spec.kubernetes.ingress.controller;
  if (controller === 'none') return [];
  const routes = openimRoutes(spec);
  const objects =
    controller === 'nginx'
      ? nginxObjects(spec, routes)
      : controller === 'traefik'
        ? traefikObjects(spec, routes)
        : controller === 'istio'
          ? istioObjects(spec, routes)
          : gatewayApiObjects(spec, routes);
  const certNamespace = controller === 'istio' ? ISTIO_GATEWAY_NAMESPACE : spec.kubernetes.namespace;
  const cert = certificate(spec, routeHosts(routes), certNamespace);
  return cert ? [cert, ...objects] : objects;
}
