// What the Kubernetes plan uses from monitoring (issue #8).

export { monitoringSteps, loggingSteps, MONITORING_STEPS, MONITORING_FILES } from './steps.js';
export { grafanaUrl } from './urls.js';
export { grafanaRoute } from './route.js';
export { OPERATOR_CRDS } from './choices.js';
