// What the binary target uses from monitoring (issue #8).

export { binaryMonitoringFiles, hostLokiConfig, type MonitoringFile } from './files.js';
export {
  binaryMonitoringServices,
  MONITORING_USER,
  type HostMonitoringService,
  type ExecutableSource,
} from './services.js';
export { hostGrafanaUrl, hostPrometheusUrl, hostLokiUrl } from './grafana.js';
export { prometheusConfig, prometheusConfigText, scrapeHost } from './prometheus-config.js';
export { hostMonitoringChoices, type HostMonitoringChoices } from './choices.js';
export { monitoringPaths, type MonitoringPaths } from './paths.js';
