// Values of the upstream nfs-subdir-external-provisioner chart (keys read from
// its values.yaml: kubernetes-sigs/nfs-subdir-external-provisioner,
// charts/nfs-subdir-external-provisioner/values.yaml at the pinned chart version).

import type { DeploySpec } from '../../../config/schema.js';
import { STORAGE_PROVISIONERS } from '../../../catalog/infrastructure.js';
import { pulledImage } from './images.js';

export function nfsValues(spec: DeploySpec, storageClass: string): Record<string, unknown> {
  const pin = STORAGE_PROVISIONERS.nfs;
  const image = pulledImage(spec, pin.images.provisioner);
  return {
    nfs: { server: spec.kubernetes.storage.nfs.server, path: spec.kubernetes.storage.nfs.path },
    // The chart takes the registry inside `repository`.
    image: { repository: `${image.registry}/${image.repository}`, tag: image.tag, pullPolicy: 'IfNotPresent' },
    ...(spec.images.pullSecret ? { imagePullSecrets: [{ name: spec.images.pullSecret }] } : {}),
    storageClass: {
      create: true,
      name: storageClass,
      provisionerName: pin.provisioner,
      // Never take over the cluster default: only the installer's PVCs name this class.
      defaultClass: false,
      reclaimPolicy: 'Delete',
      // A deleted claim's directory is renamed archived-…, not erased.
      archiveOnDelete: true,
    },
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
  };
}
