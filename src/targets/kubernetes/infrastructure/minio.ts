// Values of templates/charts/openim-minio (mirrors its values.schema.json).

import type { DeploySpec } from '../../../config/schema.js';
import { INFRASTRUCTURE, JOB_RESOURCES, type ResourceSpec } from '../../../catalog/infrastructure.js';
import { chartImage, pullSecrets, type ChartImage } from './images.js';
import { INFRA_SECRET_NAME, type InfraSecretKey } from './names.js';
import { storageClassFor } from './storage-class.js';
import { minioNodes } from './topology.js';

export interface MinioValues {
  image: ChartImage;
  mcImage: ChartImage;
  imagePullSecrets: string[];
  nodes: number;
  ports: { api: number; console: number };
  auth: { existingSecret: string; rootUserKey: InfraSecretKey; rootPasswordKey: InfraSecretKey };
  bucket: { enabled: boolean; name: string };
  persistence: { size: string; storageClass: string };
  resources: ResourceSpec;
  securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number };
  setupJob: { backoffLimit: number; activeDeadlineSeconds: number; resources: ResourceSpec };
}

export function minioValues(spec: DeploySpec): MinioValues {
  const catalog = INFRASTRUCTURE.minio;
  return {
    image: chartImage(spec, catalog.images.minio),
    mcImage: chartImage(spec, catalog.images.mc),
    imagePullSecrets: pullSecrets(spec),
    nodes: minioNodes(spec),
    ports: { api: catalog.ports.api, console: catalog.ports.console },
    // OpenIM signs with the root credentials (minio.yml accessKeyID/secretAccessKey), as upstream's stack does.
    auth: {
      existingSecret: INFRA_SECRET_NAME,
      rootUserKey: 'object-storage-access-key',
      rootPasswordKey: 'object-storage-secret-key',
    },
    bucket: { enabled: true, name: spec.infrastructure.objectStorage.bucket },
    persistence: { size: spec.kubernetes.storage.sizes.objectStorage, storageClass: storageClassFor(spec) },
    resources: catalog.resources[spec.profile],
    securityContext: { runAsUser: catalog.user.uid, runAsGroup: catalog.user.gid, fsGroup: catalog.user.gid },
    setupJob: { backoffLimit: 6, activeDeadlineSeconds: 600, resources: JOB_RESOURCES },
  };
}
