// What the Kubernetes target and the config generator use from this folder.

export { infrastructureSteps, localReleaseStep, ROOK_BUCKET_STEP } from './steps.js';
export { storageSteps, ROOK_OPERATOR_STEP } from './storage.js';
export { storageClassFor } from './storage-class.js';
export {
  infrastructureEndpoints,
  objectStorageBackend,
  objectStorageCredentials,
  ROOK_BUCKET_CLAIM,
  type InfrastructureEndpoints,
  type ObjectStorageCredentials,
} from './endpoints.js';
export { infrastructureChecks } from './checks.js';
export { infraSecret, infraSecretData } from './secret.js';
export { INFRA_RELEASES, INFRA_SECRET_KEYS, INFRA_SECRET_NAME, INFRASTRUCTURE_STEP, STORAGE_STEP } from './names.js';
