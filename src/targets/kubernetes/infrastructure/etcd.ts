// Values of templates/charts/openim-etcd (mirrors its values.schema.json), and
// where OpenIM finds it. Installed for the OpenIM versions whose discovery on
// Kubernetes runs through etcd (catalog ServerRelease/ChatRelease
// kubernetes.discovery), with authentication on: root, password from the
// infrastructure Secret.

import type { DeploySpec } from '../../../config/schema.js';
import { HELPER_IMAGES, INFRASTRUCTURE, JOB_RESOURCES, type ResourceSpec } from '../../../catalog/infrastructure.js';
import { needsInClusterEtcd } from '../../../catalog/openim-versions.js';
import type { KubernetesLayout } from '../layout.js';
import { chartImage, pullSecrets, type ChartImage } from './images.js';
import { INFRA_SECRET_NAME, type InfraSecretKey } from './names.js';
import { storageClassFor } from './storage-class.js';

/** Registrations and leases only: far more than OpenIM writes. */
export const ETCD_VOLUME_SIZE = '1Gi';

/** The user OpenIM logs in as (discovery.yml etcd.username); etcd's auth needs a root user anyway. */
export const ETCD_ROOT_USER = 'root';

export interface EtcdValues {
  image: ChartImage;
  setupImage: ChartImage;
  imagePullSecrets: string[];
  members: number;
  clientPort: number;
  peerPort: number;
  auth: { existingSecret: string; rootPasswordKey: InfraSecretKey };
  persistence: { size: string; storageClass: string };
  resources: ResourceSpec;
  securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number };
  setupJob: { backoffLimit: number; activeDeadlineSeconds: number; resources: ResourceSpec };
}

/** The installer runs etcd in the cluster: a version needs etcd discovery and the user gave no etcd of their own. */
export function bundledEtcd(spec: DeploySpec): boolean {
  const chat = spec.openim.components.chat ? spec.openim.chatVersion : undefined;
  return needsInClusterEtcd(spec.openim.serverVersion, chat) && spec.infrastructure.etcd.mode === 'bundled';
}

/** host:port of the in-cluster etcd's client Service. */
export function etcdClientAddress(layout: KubernetesLayout): string {
  return layout.serviceAddress(layout.infraReleases.etcd, INFRASTRUCTURE.etcd.ports.client);
}

export function etcdValues(spec: DeploySpec): EtcdValues {
  const catalog = INFRASTRUCTURE.etcd;
  return {
    image: chartImage(spec, catalog.images.etcd),
    setupImage: chartImage(spec, HELPER_IMAGES.busybox),
    imagePullSecrets: pullSecrets(spec),
    members: catalog.nodes[spec.profile],
    clientPort: catalog.ports.client,
    peerPort: catalog.ports.peer,
    auth: { existingSecret: INFRA_SECRET_NAME, rootPasswordKey: 'etcd-root-password' },
    persistence: { size: ETCD_VOLUME_SIZE, storageClass: storageClassFor(spec) },
    resources: catalog.resources[spec.profile],
    securityContext: { runAsUser: catalog.user.uid, runAsGroup: catalog.user.gid, fsGroup: catalog.user.gid },
    setupJob: { backoffLimit: 6, activeDeadlineSeconds: 600, resources: JOB_RESOURCES },
  };
}
