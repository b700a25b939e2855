// The seam between the OpenIM side of the Kubernetes plan and the
// infrastructure side (./infrastructure: storage, MongoDB, Redis, Kafka,
// object storage, topics). Everything this folder takes from there goes
// through here, so the contract is visible in one place.

import type { DeploySpec } from '../../config/schema.js';
import type { KubernetesFacts } from '../../facts/types.js';
import type { Step } from '../../plan/types.js';
import type { SecretId } from '../../secrets/secrets.js';
import {
  infraSecret,
  infrastructureEndpoints,
  infrastructureSteps,
  objectStorageBackend as infraObjectStorageBackend,
  objectStorageCredentials,
  type InfrastructureEndpoints,
} from './infrastructure/index.js';
import { kubernetesLayout, type KubernetesLayout } from './layout.js';

export type InfraEndpoints = InfrastructureEndpoints;

export function infraSteps(spec: DeploySpec, layout: KubernetesLayout, facts: KubernetesFacts): Step[] {
  return infrastructureSteps(spec, layout, facts);
}

/** The layout is the planner's; callers that start from the spec alone (filesUrl, backup) get it derived here. */
export function infraEndpoints(spec: DeploySpec, layout: KubernetesLayout = kubernetesLayout(spec)): InfraEndpoints {
  return infrastructureEndpoints(spec, layout);
}

/** The Secret the infrastructure charts read; written and applied by the secrets step beside OpenIM's. */
export function infraSecretObject(layout: KubernetesLayout): object {
  return infraSecret(layout);
}

/** The Service the `/im-minio-api` route sends to; `namespace` may differ from OpenIM's (Ceph RGW). */
export function objectStorageBackend(
  spec: DeploySpec,
  layout: KubernetesLayout,
): { service: string; namespace: string; port: number } | undefined {
  return infraObjectStorageBackend(spec, layout);
}

/**
 * Where a credential OpenIM reads as an env variable lives. Object storage
 * keys made by Rook for the bucket claim live in that claim's Secret; every
 * other credential is the installer's own, in the OpenIM Secret.
 */
export function externalSecretSource(spec: DeploySpec, id: SecretId): { secretName: string; key: string } | undefined {
  const creds = objectStorageCredentials(spec);
  if (creds.fromInstallerSecrets) return undefined;
  if (id === 'objectStorage.accessKey') return { secretName: creds.secretName, key: creds.accessKeyKey };
  if (id === 'objectStorage.secretKey') return { secretName: creds.secretName, key: creds.secretKeyKey };
  return undefined;
}
