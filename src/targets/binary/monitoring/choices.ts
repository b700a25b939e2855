// What runs on the host for monitoring.enabled / logging.enabled and the
// external-endpoint settings. node_exporter always runs with monitoring: it
// is where unit state and restart counts (NRestarts) come from, and an
// external Prometheus scrapes it too.

import type { DeploySpec } from '../../../config/schema.js';

export interface HostMonitoringChoices {
  nodeExporter: boolean;
  prometheus: boolean;
  grafana: boolean;
  loki: boolean;
  alloy: boolean;
}

export function hostMonitoringChoices(spec: DeploySpec): HostMonitoringChoices {
  const m = spec.monitoring;
  const l = spec.logging;
  return {
    nodeExporter: m.enabled,
    prometheus: m.enabled && !m.prometheusUrl,
    grafana: m.enabled && !m.grafanaUrl,
    loki: l.enabled && !l.lokiUrl,
    alloy: l.enabled,
  };
}
