// How many nodes each bundled component runs, and in which shape, from the
// spec's overrides and the catalog's profile defaults.

import type { DeploySpec } from '../../../config/schema.js';
import { INFRASTRUCTURE } from '../../../catalog/infrastructure.js';

export interface MongoTopology {
  members: number;
  /** Replica set name when members > 1 (a single member runs standalone with --auth). */
  replicaSet: string | null;
}

const MONGO_REPLICA_SET = 'rs0';

export function mongoTopology(spec: DeploySpec): MongoTopology {
  const members = spec.infrastructure.mongodb.replicas ?? INFRASTRUCTURE.mongodb.nodes[spec.profile];
  return { members, replicaSet: members > 1 ? MONGO_REPLICA_SET : null };
}

export interface RedisTopology {
  /**
   * OpenIM 3.8 reads redis.yml `clusterMode` (standalone or Redis Cluster) and
   * has no sentinel client, so high availability means Redis Cluster.
   */
  mode: 'standalone' | 'cluster';
  nodes: number;
  /** Replicas per master (redis-cli --cluster-replicas). */
  clusterReplicas: number;
}

export function redisTopology(spec: DeploySpec): RedisTopology {
  const nodes = spec.infrastructure.redis.replicas ?? INFRASTRUCTURE.redis.nodes[spec.profile];
  if (nodes < 3) return { mode: 'standalone', nodes, clusterReplicas: 0 };
  // A cluster needs three masters; every further full set of three adds a replica per master.
  return { mode: 'cluster', nodes, clusterReplicas: Math.floor(nodes / 3) - 1 };
}

export interface KafkaTopology {
  nodes: number;
  /** Replicas of every topic: min(3, nodes). */
  replicationFactor: number;
  /** factor - 1 (at least 1): one node may be down without stopping producers using acks=all. */
  minInsyncReplicas: number;
}

export function kafkaTopology(spec: DeploySpec): KafkaTopology {
  const nodes = spec.infrastructure.kafka.brokers ?? INFRASTRUCTURE.kafka.nodes[spec.profile];
  const replicationFactor = Math.min(3, nodes);
  return { nodes, replicationFactor, minInsyncReplicas: Math.max(1, replicationFactor - 1) };
}

export function minioNodes(spec: DeploySpec): number {
  return INFRASTRUCTURE.minio.nodes[spec.profile];
}

/** What provides object storage on Kubernetes. */
export type ObjectStorageKind = 'minio' | 'rook-ceph' | 'external';

export function objectStorageKind(spec: DeploySpec): ObjectStorageKind {
  const os = spec.infrastructure.objectStorage;
  if (os.mode === 'external') return 'external';
  return os.provider === 'rook-ceph' ? 'rook-ceph' : 'minio';
}
