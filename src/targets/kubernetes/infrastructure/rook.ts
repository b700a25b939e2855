// Values of the upstream rook-ceph (operator) and rook-ceph-cluster charts,
// and the ObjectBucketClaim that gives OpenIM its bucket on Ceph RGW. Keys
// follow the charts' values.yaml (rook/rook: deploy/charts/rook-ceph/values.yaml
// and deploy/charts/rook-ceph-cluster/values.yaml at the pinned tag); they are not renderable offline, so a test cannot prove them: check
// with `helm show values rook-release/rook-ceph-cluster --version <pin>` when
// bumping the pin.

import type { DeploySpec } from '../../../config/schema.js';
import { ROOK_CSI_IMAGES, ROOK_OBJECT_STORE, STORAGE_PROVISIONERS } from '../../../catalog/infrastructure.js';
import type { KubernetesLayout } from '../layout.js';
import { pulledImage } from './images.js';
import { ROOK_BUCKET_CLAIM } from './endpoints.js';
import { objectStorageKind } from './topology.js';

const rook = STORAGE_PROVISIONERS['rook-ceph'];

/** The CephCluster's name (the chart's clusterName), waited on after install. */
export const ROOK_CLUSTER_NAME = 'rook-ceph';

function pullSecretList(spec: DeploySpec): { name: string }[] | undefined {
  return spec.images.pullSecret ? [{ name: spec.images.pullSecret }] : undefined;
}

export function rookOperatorValues(spec: DeploySpec): Record<string, unknown> {
  const operator = pulledImage(spec, rook.images.operator);
  const values: Record<string, unknown> = {
    image: { repository: `${operator.registry}/${operator.repository}`, tag: operator.tag, pullPolicy: 'IfNotPresent' },
    // The cluster chart creates the StorageClasses; the operator chart makes none.
    monitoring: { enabled: false },
  };
  // CSI sidecars follow the operator chart's own tags: only the repositories a rewrite rule or the mirror moves are set.
  const csi: Record<string, { repository: string }> = {};
  for (const [key, ref] of Object.entries(ROOK_CSI_IMAGES)) {
    const pulled = pulledImage(spec, { ...ref, tag: 'unused' });
    if (pulled.registry !== ref.registry || pulled.repository !== ref.repository)
      csi[key] = { repository: `${pulled.registry}/${pulled.repository}` };
  }
  if (Object.keys(csi).length > 0) values.csi = csi;
  const secrets = pullSecretList(spec);
  if (secrets) values.imagePullSecrets = secrets;
  return values;
}

/** Replication per profile: dev runs on one node with unsafe single copies; production keeps three. */
function replicated(spec: DeploySpec): Record<string, unknown> {
  return spec.profile === 'production' ? { size: 3 } : { size: 1, requireSafeReplicaSize: false };
}

export function rookClusterValues(spec: DeploySpec, storageClass: string): Record<string, unknown> {
  const ceph = pulledImage(spec, rook.images.ceph);
  const production = spec.profile === 'production';
  const ns = rook.namespace;
  const failureDomain = production ? 'host' : 'osd';
  const values: Record<string, unknown> = {
    operatorNamespace: ns,
    clusterName: ROOK_CLUSTER_NAME,
    cephImage: { repository: `${ceph.registry}/${ceph.repository}`, tag: ceph.tag, allowUnsupported: false },
    toolbox: { enabled: false },
    monitoring: { enabled: false },
    cephClusterSpec: {
      dataDirHostPath: '/var/lib/rook',
      mon: { count: production ? 3 : 1, allowMultiplePerNode: !production },
      mgr: { count: production ? 2 : 1, allowMultiplePerNode: !production },
      dashboard: { enabled: false },
      // Rook only takes raw devices without a filesystem or partitions.
      storage: { useAllNodes: true, useAllDevices: true },
    },
    cephBlockPools: [
      {
        name: 'openim-blockpool',
        spec: { failureDomain, replicated: replicated(spec) },
        storageClass: {
          enabled: true,
          name: storageClass,
          // Only the installer's PVCs name this class; the cluster default stays as it is.
          isDefault: false,
          reclaimPolicy: 'Delete',
          allowVolumeExpansion: true,
          volumeBindingMode: 'Immediate',
          parameters: {
            imageFormat: '2',
            imageFeatures: 'layering',
            'csi.storage.k8s.io/provisioner-secret-name': 'rook-csi-rbd-provisioner',
            'csi.storage.k8s.io/provisioner-secret-namespace': ns,
            'csi.storage.k8s.io/controller-expand-secret-name': 'rook-csi-rbd-provisioner',
            'csi.storage.k8s.io/controller-expand-secret-namespace': ns,
            'csi.storage.k8s.io/node-stage-secret-name': 'rook-csi-rbd-node',
            'csi.storage.k8s.io/node-stage-secret-namespace': ns,
            'csi.storage.k8s.io/fstype': 'ext4',
          },
        },
      },
    ],
    // No CephFS: nothing in OpenIM needs a shared filesystem.
    cephFileSystems: [],
    cephObjectStores: objectStorageKind(spec) === 'rook-ceph' ? [objectStore(spec, failureDomain)] : [],
  };
  const secrets = pullSecretList(spec);
  if (secrets) values.imagePullSecrets = secrets;
  return values;
}

/** RGW, the S3 endpoint OpenIM uses instead of MinIO when objectStorage.provider is rook-ceph. */
function objectStore(spec: DeploySpec, failureDomain: string): Record<string, unknown> {
  return {
    name: ROOK_OBJECT_STORE.name,
    spec: {
      metadataPool: { failureDomain, replicated: replicated(spec) },
      dataPool: { failureDomain, replicated: replicated(spec) },
      preservePoolsOnDelete: true,
      gateway: { port: ROOK_OBJECT_STORE.port, instances: spec.profile === 'production' ? 2 : 1 },
    },
    storageClass: {
      enabled: true,
      name: ROOK_OBJECT_STORE.bucketStorageClass,
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
    },
    ingress: { enabled: false },
  };
}

/** The bucket OpenIM stores files in; Rook writes its keys into a Secret of the same name. */
export function rookBucketClaim(spec: DeploySpec, layout: KubernetesLayout): Record<string, unknown> {
  return {
    apiVersion: 'objectbucket.io/v1alpha1',
    kind: 'ObjectBucketClaim',
    metadata: {
      name: ROOK_BUCKET_CLAIM,
      namespace: layout.namespace,
      labels: { ...layout.labels },
    },
    spec: {
      bucketName: spec.infrastructure.objectStorage.bucket,
      storageClassName: ROOK_OBJECT_STORE.bucketStorageClass,
    },
  };
}
