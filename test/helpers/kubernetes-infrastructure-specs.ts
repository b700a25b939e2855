// Specs for this folder's tests, resolved the way the CLI resolves them
// (presets, --set, defaults and cross-field rules).

import { resolveConfig } from '../../src/config/resolve.js';
import type { DeploySpec } from '../../src/config/schema.js';
import { NFS_SERVER_SET } from './config-presets.js';

export function devSpec(...sets: string[]): DeploySpec {
  return resolveConfig({ preset: 'dev', sets: ['kubernetes.namespace=openim', ...sets] }).spec;
}

export function productionSpec(...sets: string[]): DeploySpec {
  return resolveConfig({
    preset: 'production',
    sets: ['openim.domain=im.example.com', NFS_SERVER_SET, 'kubernetes.namespace=openim', ...sets],
  }).spec;
}

/** Every infrastructure component external, with credentials where the rules ask for them. */
export const EXTERNAL_SETS = [
  'infrastructure.etcd.mode=external',
  'infrastructure.etcd.address[0]=etcd-0.etcd.internal:2379',
  'infrastructure.mongodb.mode=external',
  'infrastructure.mongodb.address[0]=mongo-a.db.internal:27017',
  'infrastructure.mongodb.address[1]=mongo-b.db.internal:27017',
  'infrastructure.mongodb.password=Mongo-Pass-1',
  'infrastructure.mongodb.authSource=admin',
  'infrastructure.redis.mode=external',
  'infrastructure.redis.address[0]=redis-0.cache.internal:6379',
  'infrastructure.redis.address[1]=redis-1.cache.internal:6379',
  'infrastructure.redis.address[2]=redis-2.cache.internal:6379',
  'infrastructure.redis.clusterMode=true',
  'infrastructure.kafka.mode=external',
  'infrastructure.kafka.address[0]=kafka-1.mq.internal:9093',
  'infrastructure.kafka.address[1]=kafka-2.mq.internal:9093',
  'infrastructure.kafka.username=openim',
  'infrastructure.kafka.password=Kafka-Pass-1',
  'infrastructure.kafka.tls=true',
  'infrastructure.objectStorage.mode=external',
  'infrastructure.objectStorage.endpoint=https://s3.files.internal',
  'infrastructure.objectStorage.externalAddress=https://files.example.com',
  'infrastructure.objectStorage.accessKey=AKIAEXAMPLE',
  'infrastructure.objectStorage.secretKey=Secret-Key-Example',
];
