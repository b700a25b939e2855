// Target-independent monitoring: scrape targets from the catalog, alert
// rules, dashboards. The Kubernetes and binary folders turn these into
// ServiceMonitors/PrometheusRules/ConfigMaps and into Prometheus files.

export { monitoringContext, HOST_UNIT_PATTERN, type MonitoringContext } from './context.js';
export { catalogMetricsModules, installedModules, metricsModules } from './scrape-targets.js';
export { openimAlertGroups, rulesFile, ALERTS } from './rules.js';
export { THRESHOLDS } from './thresholds.js';
export { openimDashboards } from './dashboards/openim.js';
export { promqlOf, type Dashboard } from './dashboards/grafana.js';
export { hostAlloyConfig, lokiPushUrl } from './log-shipping.js';
