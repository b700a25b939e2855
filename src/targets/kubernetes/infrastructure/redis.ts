// Values of templates/charts/openim-redis (mirrors its values.schema.json).

import type { DeploySpec } from '../../../config/schema.js';
import { INFRASTRUCTURE, JOB_RESOURCES, type ResourceSpec } from '../../../catalog/infrastructure.js';
import { chartImage, pullSecrets, type ChartImage } from './images.js';
import { INFRA_SECRET_NAME, type InfraSecretKey } from './names.js';
import { storageClassFor } from './storage-class.js';
import { redisTopology } from './topology.js';

export interface RedisValues {
  image: ChartImage;
  imagePullSecrets: string[];
  mode: 'standalone' | 'cluster';
  nodes: number;
  clusterReplicas: number;
  port: number;
  busPort: number;
  auth: { existingSecret: string; passwordKey: InfraSecretKey };
  maxmemoryPolicy: 'noeviction';
  persistence: { size: string; storageClass: string };
  resources: ResourceSpec;
  securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number };
  setupJob: { backoffLimit: number; activeDeadlineSeconds: number; resources: ResourceSpec };
}

export function redisValues(spec: DeploySpec): RedisValues {
  const catalog = INFRASTRUCTURE.redis;
  const topology = redisTopology(spec);
  return {
    image: chartImage(spec, catalog.images.redis),
    imagePullSecrets: pullSecrets(spec),
    mode: topology.mode,
    nodes: topology.nodes,
    clusterReplicas: topology.clusterReplicas,
    port: catalog.ports.redis,
    busPort: catalog.ports.clusterBus,
    auth: { existingSecret: INFRA_SECRET_NAME, passwordKey: 'redis-password' },
    // OpenIM keeps sequences and tokens in Redis: evicting them silently would corrupt state.
    maxmemoryPolicy: 'noeviction',
    persistence: { size: spec.kubernetes.storage.sizes.redis, storageClass: storageClassFor(spec) },
    resources: catalog.resources[spec.profile],
    securityContext: { runAsUser: catalog.user.uid, runAsGroup: catalog.user.gid, fsGroup: catalog.user.gid },
    setupJob: { backoffLimit: 6, activeDeadlineSeconds: 900, resources: JOB_RESOURCES },
  };
}
