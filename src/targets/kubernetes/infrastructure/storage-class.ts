// The one answer to "which StorageClass does a PVC use".

import type { DeploySpec } from '../../../config/schema.js';
import { STORAGE_PROVISIONERS } from '../../../catalog/infrastructure.js';

/**
 * The StorageClass of every PVC the installer creates: the one the user named,
 * else the class the chosen provisioner creates (local-path, nfs-client,
 * ceph-block). Backend `existing` always names one (a config rule).
 */
export function storageClassFor(spec: DeploySpec): string {
  const storage = spec.kubernetes.storage;
  if (storage.storageClass) return storage.storageClass;
  if (storage.backend === 'existing') return '';
  return STORAGE_PROVISIONERS[storage.backend].storageClass;
}
