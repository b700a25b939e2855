// Names shared by the infrastructure charts, the plan and the OpenIM config:
// releases, the Secret they read, step ids other folders hang their steps on.

import type { SecretId } from '../../../secrets/secrets.js';

export const INFRA_RELEASES = {
  mongodb: 'openim-mongodb',
  redis: 'openim-redis',
  kafka: 'openim-kafka',
  minio: 'openim-minio',
  /** The Kafka chart without brokers: creates OpenIM's topics in an external Kafka. */
  kafkaTopics: 'openim-kafka-topics',
  /** Discovery for the versions whose Kubernetes-API discovery does not work (catalog kubernetes.discovery: etcd). */
  etcd: 'openim-etcd',
} as const;

/** The Secret every infrastructure chart reads its credentials from (`auth.existingSecret`). */
export const INFRA_SECRET_NAME = 'openim-infra-secrets';

/**
 * Keys of that Secret → the installer's secret ids. The Kubernetes secrets step
 * writes one entry per key with `secretRef(id)` as the value.
 */
export const INFRA_SECRET_KEYS = {
  'mongodb-root-password': 'mongodb.rootPassword',
  'mongodb-password': 'mongodb.password',
  'mongodb-replica-set-key': 'mongodb.replicaSetKey',
  'redis-password': 'redis.password',
  'kafka-password': 'kafka.password',
  'object-storage-access-key': 'objectStorage.accessKey',
  'object-storage-secret-key': 'objectStorage.secretKey',
  'etcd-root-password': 'etcd.password',
} as const satisfies Record<string, SecretId>;

export type InfraSecretKey = keyof typeof INFRA_SECRET_KEYS;

/** Storage provisioner installed (or the existing class noted): every PVC needs it. */
export const STORAGE_STEP = 'k8s.storage';
/** Every infrastructure component ready (bundled releases installed, external ones reachable). */
export const INFRASTRUCTURE_STEP = 'k8s.infrastructure';

export function releaseStepId(release: string): string {
  return `k8s.release.${release}`;
}

/** Values file the plan writes for a release (relative to the work dir, and below `render --out`). */
export function valuesFile(release: string): string {
  return `values/${release}.yaml`;
}

/** host:port of a Service inside the cluster. */
export function serviceAddress(service: string, namespace: string, port: number): string {
  return `${service}.${namespace}.svc:${port}`;
}

/** host:port of each StatefulSet pod behind the chart's headless Service (`<release>-headless`). */
export function podAddresses(release: string, namespace: string, count: number, port: number): string[] {
  return Array.from({ length: count }, (_, i) => `${release}-${i}.${release}-headless.${namespace}.svc:${port}`);
}
