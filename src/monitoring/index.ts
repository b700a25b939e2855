// Target-independent monitoring: scrape targets from the catalog, alert
// rules, dashboards. The Kubernetes and binary folders turn these into
// ServiceMonitors/PrometheusRules/ConfigMaps and into Prometheus files.

export {
  monitoringContext,
  openimMatchers,
  HOST_UNIT_PATTERN,
  type MonitoringContext,
  type Platform,
} from './context.js';
export {
  catalogMetricsModules,
  installedModules,
  metricsModules,
  metricsPortOf,
  instancesOf,
  type MetricsModule,
} from './scrape-targets.js';
export { openimAlertGroups, rulesFile, ALERTS, type AlertRule, type RuleGroup } from './rules.js';
export { THRESHOLDS, FOR } from './thresholds.js';
export { openimDashboards, type DashboardOptions } from './dashboards/openim.js';
export { promqlOf, type Dashboard } from './dashboards/grafana.js';
export { kubernetesAlloyConfig, hostAlloyConfig, lokiPushUrl, lokiBaseUrl } from './log-shipping.js';
