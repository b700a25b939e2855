// What the Kubernetes plan uses from monitoring (issue #8).

export { monitoringSteps, loggingSteps, MONITORING_STEPS, MONITORING_FILES } from './steps.js';
export { grafanaUrl, prometheusUrl, lokiUrl, lokiPushTarget } from './urls.js';
export { grafanaRoute } from './route.js';
export { monitoringChoices, OPERATOR_CRDS, type MonitoringChoices } from './choices.js';
export {
  moduleServiceMonitors,
  exporterServiceMonitor,
  prometheusRule,
  dashboardConfigMaps,
  grafanaAdminSecret,
} from './objects.js';
export { stackValues, lokiValues, alloyValues } from './values.js';
