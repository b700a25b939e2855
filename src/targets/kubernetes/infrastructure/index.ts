// What the Kubernetes target and the config generator use from this folder.

export { infrastructureSteps } from './steps.js';
export {
  infrastructureEndpoints,
  objectStorageBackend,
  objectStorageCredentials,
  type InfrastructureEndpoints,
} from './endpoints.js';
export { infrastructureChecks } from './checks.js';
export { infraSecret } from './secret.js';
