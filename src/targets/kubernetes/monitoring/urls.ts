// Addresses of the monitoring services on Kubernetes: in-cluster for the
// datasources and the log shipper, public for Grafana.

import type { DeploySpec } from '../../../config/schema.js';
import { CLUSTER_ADDONS, MONITORING } from '../../../catalog/infrastructure.js';
import { lokiBaseUrl, lokiPushUrl } from '../../../monitoring/log-shipping.js';
import { publicUrls } from '../urls.js';

/**
 * `openim-api.yml prometheus.grafanaURL`: the user's Grafana, else the
 * bundled one under `/grafana` on the public host; empty without monitoring.
 */
export function grafanaUrl(spec: DeploySpec): string {
  if (!spec.monitoring.enabled) return '';
  return spec.monitoring.grafanaUrl || `${publicUrls(spec).base}${MONITORING.names.grafanaPath}`;
}

/** Prometheus as Grafana reaches it. */
export function prometheusUrl(spec: DeploySpec): string {
  if (spec.monitoring.prometheusUrl) return spec.monitoring.prometheusUrl;
  const ns = CLUSTER_ADDONS['kube-prometheus-stack'].namespace;
  return `http://${MONITORING.releases.stack}-prometheus.${ns}.svc:${MONITORING.ports.prometheus}`;
}

/** Loki base URL (Grafana datasource). */
export function lokiUrl(spec: DeploySpec): string {
  if (spec.logging.lokiUrl) return lokiBaseUrl(spec.logging.lokiUrl);
  return `http://${MONITORING.names.loki}.${CLUSTER_ADDONS.loki.namespace}.svc:${MONITORING.ports.loki}`;
}

/** Where Alloy pushes. */
export function lokiPushTarget(spec: DeploySpec): string {
  return lokiPushUrl(spec.logging.lokiUrl || lokiUrl(spec));
}
