// What the monitoring and logging toggles mean on Kubernetes:
//   monitoring.enabled + no prometheusUrl → kube-prometheus-stack (operator,
//     Prometheus, Alertmanager, node-exporter, kube-state-metrics)
//   monitoring.enabled + no grafanaUrl    → Grafana (the stack's subchart)
//   logging.enabled + no lokiUrl          → Loki single binary
//   logging.enabled                       → Alloy ships pod logs (to either Loki)
// ServiceMonitors and PrometheusRules are applied when an operator will read
// them: the bundled one, or one whose CRDs the cluster already has.

import type { DeploySpec } from '../../../config/schema.js';
import type { KubernetesFacts } from '../../../facts/types.js';

export const OPERATOR_CRDS = [
  'servicemonitors.monitoring.coreos.com',
  'prometheusrules.monitoring.coreos.com',
] as const;

export interface MonitoringChoices {
  bundledPrometheus: boolean;
  bundledGrafana: boolean;
  /** The kube-prometheus-stack release is needed (for Prometheus, Grafana or both). */
  stack: boolean;
  /** Apply ServiceMonitors/PrometheusRules (else they are only rendered). */
  applyOperatorObjects: boolean;
  bundledLoki: boolean;
  shipLogs: boolean;
}

export function monitoringChoices(spec: DeploySpec, facts: KubernetesFacts): MonitoringChoices {
  const m = spec.monitoring;
  const bundledPrometheus = m.enabled && !m.prometheusUrl;
  const bundledGrafana = m.enabled && !m.grafanaUrl;
  const crds = facts.cluster?.crds ?? [];
  return {
    bundledPrometheus,
    bundledGrafana,
    stack: bundledPrometheus || bundledGrafana,
    applyOperatorObjects: m.enabled && (bundledPrometheus || OPERATOR_CRDS.every((c) => crds.includes(c))),
    bundledLoki: spec.logging.enabled && !spec.logging.lokiUrl,
    shipLogs: spec.logging.enabled,
  };
}
