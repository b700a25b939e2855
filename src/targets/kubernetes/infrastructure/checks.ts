// Preflight for storage and infrastructure: pure functions of (spec, facts).
// The Kubernetes target adds these findings to its own.

import type { DeploySpec } from '../../../config/schema.js';
import type { PreflightFinding } from '../../../errors.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import { STORAGE_PROVISIONERS } from '../../../catalog/infrastructure.js';
import { externalAddresses, type ExternalComponent } from './external.js';
import { storageClassFor } from './storage-class.js';
import { kafkaTopology, mongoTopology, objectStorageKind, redisTopology } from './topology.js';
import { findingList } from '../../../preflight/findings.js';

const LOOPBACK = /^(localhost|127\.[0-9.]+|\[?::1\]?|0\.0\.0\.0)$/;

export function infrastructureChecks(spec: DeploySpec, facts: KubernetesFacts): PreflightFinding[] {
  const { findings, error, warn } = findingList();
  const infra = spec.infrastructure;

  // Topology: what each bundled component can actually run as.
  if (infra.redis.mode === 'bundled' && redisTopology(spec).nodes === 2) {
    error(
      'redis.nodes',
      'infrastructure.redis.replicas 2 is neither a single node nor a Redis Cluster (at least 3 masters)',
      'use 1 (dev) or 6 (3 masters + 3 replicas)',
    );
  }
  if (infra.mongodb.mode === 'bundled' && mongoTopology(spec).members % 2 === 0) {
    warn(
      'mongodb.members',
      `a replica set of ${mongoTopology(spec).members} members has no tie-breaker: losing half of them stops writes`,
      'use an odd number (3 or 5)',
    );
  }
  if (infra.kafka.mode === 'bundled' && kafkaTopology(spec).nodes % 2 === 0) {
    warn(
      'kafka.nodes',
      `${kafkaTopology(spec).nodes} KRaft controllers tolerate no more failures than ${kafkaTopology(spec).nodes - 1} would`,
      'use an odd number (3 or 5)',
    );
  }
  if (objectStorageKind(spec) === 'minio') {
    const os = infra.objectStorage;
    if (os.accessKey !== undefined && os.accessKey.length < 3)
      error('objectStorage.accessKey', 'MinIO refuses a root user shorter than 3 characters');
    if (os.secretKey !== undefined && os.secretKey.length < 8)
      error('objectStorage.secretKey', 'MinIO refuses a root password shorter than 8 characters');
  }

  // External addresses must be reachable from pods: a loopback address points at the pod itself.
  for (const component of ['mongodb', 'redis', 'kafka', 'objectStorage'] as ExternalComponent[]) {
    const mode = component === 'objectStorage' ? infra.objectStorage.mode : infra[component].mode;
    if (mode !== 'external') continue;
    for (const address of externalAddresses(spec, component) ?? []) {
      const host = address.slice(0, address.lastIndexOf(':'));
      if (LOOPBACK.test(host)) {
        error(
          `${component}.address`,
          `external ${component} address ${address} is a loopback address: inside a pod it is the pod itself`,
          'give an address the cluster nodes can reach',
        );
      }
    }
  }

  if (!facts.probed || !facts.cluster?.reachable) return findings;
  const cluster = facts.cluster;
  const storage = spec.kubernetes.storage;
  const storageClass = storageClassFor(spec);
  const usesPvcs =
    infra.mongodb.mode === 'bundled' ||
    infra.redis.mode === 'bundled' ||
    infra.kafka.mode === 'bundled' ||
    objectStorageKind(spec) === 'minio';
  if (
    usesPvcs &&
    storage.backend !== 'existing' &&
    !storage.install &&
    !cluster.storageClasses.some((sc) => sc.name === storageClass)
  ) {
    error(
      'storage.class-missing',
      `StorageClass ${storageClass} does not exist and kubernetes.storage.install is false`,
      'install the provisioner, or set kubernetes.storage.install=true',
    );
  }
  if (storage.backend === 'rook-ceph' && !storage.install && !cluster.crds.includes('cephclusters.ceph.rook.io')) {
    error(
      'crd.cephclusters.ceph.rook.io',
      'Rook is not installed (CRD cephclusters.ceph.rook.io missing) and kubernetes.storage.install is false',
      'set kubernetes.storage.install=true or install Rook first',
    );
  }
  if (
    objectStorageKind(spec) === 'rook-ceph' &&
    !storage.install &&
    !cluster.crds.includes('objectbucketclaims.objectbucket.io')
  ) {
    error(
      'crd.objectbucketclaims.objectbucket.io',
      'rook-ceph object storage needs ObjectBucketClaims (CRD objectbucketclaims.objectbucket.io missing)',
      'install the Rook operator first',
    );
  }
  if (storage.backend === 'local-path' && storage.install) {
    const pin = STORAGE_PROVISIONERS['local-path'];
    const clash = cluster.storageClasses.find((sc) => sc.name === storageClass && sc.provisioner !== pin.provisioner);
    if (clash)
      error(
        'storage.class-taken',
        `StorageClass ${storageClass} already exists with provisioner ${clash.provisioner}`,
        'set kubernetes.storage.storageClass to another name, or use backend existing',
      );
  }
  return findings;
}
