// What the binary target uses from monitoring (issue #8).

export { binaryMonitoringFiles } from './files.js';
export { binaryMonitoringServices } from './services.js';
export { hostGrafanaUrl } from './grafana.js';
export { prometheusConfig } from './prometheus-config.js';
