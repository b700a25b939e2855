// The public `/grafana` route. Grafana runs in the OpenIM namespace (the
// stack's grafana.namespaceOverride) so every ingress flavour can reach it
// like the other back ends, on the same host and TLS certificate. Grafana
// serves from the sub-path itself (serve_from_sub_path), so the prefix is
// kept; Grafana Live uses WebSockets.

import type { DeploySpec } from '../../../config/schema.js';
import { MONITORING } from '../../../catalog/infrastructure.js';
import type { Route } from '../ingress/public-route.js';
import { publicUrls } from '../urls.js';
import type { KubernetesLayout } from '../layout.js';

/** The route for the bundled Grafana, or undefined when none is installed. */
export function grafanaRoute(spec: DeploySpec, layout: KubernetesLayout): Route | undefined {
  const m = spec.monitoring;
  if (!m.enabled || m.grafanaUrl) return undefined;
  return {
    id: 'grafana',
    host: publicUrls(spec).routeHost,
    path: MONITORING.names.grafanaPath,
    service: MONITORING.names.grafana,
    serviceNamespace: layout.namespace,
    port: MONITORING.ports.grafanaService,
    stripPrefix: false,
    websocket: true,
    largeBody: false,
    setHeaders: {},
  };
}
