// The monitoring objects openim-deploy applies itself (not through a chart):
// one ServiceMonitor per OpenIM module with a metrics port, one for the
// infrastructure exporters, the PrometheusRule, the dashboards as ConfigMaps
// for Grafana's sidecar, and the Grafana admin Secret (placeholders only).
//
// Conventions other folders follow:
//   - every OpenIM module's Service is named after the module, labelled
//     app.kubernetes.io/name=<module>, app.kubernetes.io/part-of=openim, with a
//     port named `metrics` (templates/charts/openim-service);
//   - an infrastructure exporter (mongodb_exporter, redis_exporter,
//     kafka_exporter) is reachable through a Service in the OpenIM namespace
//     labelled app.kubernetes.io/component=metrics and
//     app.kubernetes.io/part-of=openim, with a port named `metrics`; its
//     app.kubernetes.io/name becomes the job label.

import type { DeploySpec } from '../../../config/schema.js';
import { MONITORING } from '../../../catalog/infrastructure.js';
import {
  installedModules,
  monitoringContext,
  metricsModules,
  openimAlertGroups,
  openimDashboards,
} from '../../../monitoring/index.js';
import { secretRef } from '../../../secrets/secrets.js';
import type { K8sObject } from '../yaml-docs.js';
import type { KubernetesLayout } from '../layout.js';

/** The label kube-prometheus-stack's default selectors look for; we also turn those selectors off in our release. */
const RELEASE_LABEL = { release: MONITORING.releases.stack } as const;

/** Label and value Grafana's dashboard sidecar watches (set in our stack values too). */
export const DASHBOARD_LABEL = { key: 'grafana_dashboard', value: '1' } as const;
export const DASHBOARD_FOLDER_ANNOTATION = 'grafana_folder';

const SCRAPE = { interval: MONITORING.scrapeInterval, scrapeTimeout: '10s' } as const;

/** One ServiceMonitor per OpenIM module that exposes metrics. */
export function moduleServiceMonitors(spec: DeploySpec, layout: KubernetesLayout): K8sObject[] {
  return metricsModules(spec).map(({ module }) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: layout.metadata(module.name, { ...RELEASE_LABEL, 'app.kubernetes.io/name': module.name }),
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': module.name, 'app.kubernetes.io/part-of': 'openim' } },
      namespaceSelector: { matchNames: [layout.namespace] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http', ...SCRAPE }],
    },
  }));
}

/** Infrastructure exporters, by label convention (see the header). */
export function exporterServiceMonitor(layout: KubernetesLayout): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: layout.metadata('openim-infrastructure-exporters', RELEASE_LABEL),
    spec: {
      jobLabel: 'app.kubernetes.io/name',
      selector: { matchLabels: { 'app.kubernetes.io/component': 'metrics', 'app.kubernetes.io/part-of': 'openim' } },
      namespaceSelector: { matchNames: [layout.namespace] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http', ...SCRAPE }],
    },
  };
}

export function prometheusRule(spec: DeploySpec, layout: KubernetesLayout): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: layout.metadata('openim-alerts', RELEASE_LABEL),
    spec: { groups: openimAlertGroups(monitoringContext(spec)) },
  };
}

/** Every module that logs (for the logs dashboard's module list). */
function loggingModules(spec: DeploySpec): string[] {
  return installedModules(spec).map((m) => m.name);
}

export function dashboardConfigMaps(spec: DeploySpec, layout: KubernetesLayout): K8sObject[] {
  const dashboards = openimDashboards(monitoringContext(spec), {
    logs: spec.logging.enabled,
    logModules: loggingModules(spec),
  });
  return dashboards.map((d) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      ...layout.metadata(`${d.uid}-dashboard`, { [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value }),
      annotations: { [DASHBOARD_FOLDER_ANNOTATION]: 'OpenIM' },
    },
    data: { [`${d.uid}.json`]: JSON.stringify(d, null, 2) },
  }));
}

export const GRAFANA_ADMIN_KEYS = { user: 'admin-user', password: 'admin-password' } as const;
const GRAFANA_ADMIN_USER = 'admin';

/** The existing Secret the Grafana chart reads the admin credentials from (value substituted by the executor). */
export function grafanaAdminSecret(layout: KubernetesLayout): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: layout.metadata(MONITORING.names.grafanaAdminSecret),
    type: 'Opaque',
    stringData: {
      [GRAFANA_ADMIN_KEYS.user]: GRAFANA_ADMIN_USER,
      [GRAFANA_ADMIN_KEYS.password]: secretRef('grafana.adminPassword'),
    },
  };
}
