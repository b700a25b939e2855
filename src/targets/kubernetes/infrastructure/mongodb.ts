// Values of templates/charts/openim-mongodb (mirrors its values.schema.json).

import type { DeploySpec } from '../../../config/schema.js';
import { INFRASTRUCTURE, JOB_RESOURCES, type ResourceSpec } from '../../../catalog/infrastructure.js';
import { chartImage, pullSecrets, type ChartImage } from './images.js';
import { INFRA_SECRET_NAME, type InfraSecretKey } from './names.js';
import { storageClassFor } from './storage-class.js';
import { mongoTopology } from './topology.js';

export interface MongoValues {
  image: ChartImage;
  imagePullSecrets: string[];
  nodes: number;
  port: number;
  replicaSet: { enabled: boolean; name: string };
  auth: {
    existingSecret: string;
    rootUsername: string;
    rootPasswordKey: InfraSecretKey;
    replicaSetKeyKey: InfraSecretKey;
    username: string;
    passwordKey: InfraSecretKey;
    database: string;
  };
  persistence: { size: string; storageClass: string };
  resources: ResourceSpec;
  securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number };
  setupJob: { backoffLimit: number; activeDeadlineSeconds: number; resources: ResourceSpec };
}

/** The bundled MongoDB's administrator (authSource admin); OpenIM never uses it. */
const MONGO_ROOT_USER = 'root';

export function mongodbValues(spec: DeploySpec): MongoValues {
  const catalog = INFRASTRUCTURE.mongodb;
  const topology = mongoTopology(spec);
  const mongo = spec.infrastructure.mongodb;
  return {
    image: chartImage(spec, catalog.images.mongo),
    imagePullSecrets: pullSecrets(spec),
    nodes: topology.members,
    port: catalog.ports.mongo,
    replicaSet: { enabled: topology.replicaSet !== null, name: topology.replicaSet ?? 'rs0' },
    auth: {
      existingSecret: INFRA_SECRET_NAME,
      rootUsername: MONGO_ROOT_USER,
      rootPasswordKey: 'mongodb-root-password',
      replicaSetKeyKey: 'mongodb-replica-set-key',
      // The user is created in the database it works on, so authSource = database (pain point 6).
      username: mongo.username,
      passwordKey: 'mongodb-password',
      database: mongo.database,
    },
    persistence: { size: spec.kubernetes.storage.sizes.mongodb, storageClass: storageClassFor(spec) },
    resources: catalog.resources[spec.profile],
    securityContext: { runAsUser: catalog.user.uid, runAsGroup: catalog.user.gid, fsGroup: catalog.user.gid },
    setupJob: { backoffLimit: 6, activeDeadlineSeconds: 900, resources: JOB_RESOURCES },
  };
}
