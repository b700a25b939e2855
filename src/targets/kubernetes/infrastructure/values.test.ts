import { describe, expect, it } from 'vitest';
import { INFRASTRUCTURE } from '../../../catalog/infrastructure.js';
import { KAFKA_PARTITIONS, KAFKA_TOPICS } from '../../../catalog/modules.js';
import { kafkaClusterId, kafkaTopicsValues as kafkaTopicsValuesWith, kafkaValues as kafkaValuesWith } from './kafka.js';
import { minioValues } from './minio.js';
import { mongodbValues } from './mongodb.js';
import { redisValues } from './redis.js';
import { devSpec, EXTERNAL_SETS, productionSpec } from '../../../../test/helpers/kubernetes-infrastructure-specs.js';
import { withLayout } from '../../../../test/helpers/kubernetes-specs.js';

const kafkaTopicsValues = withLayout(kafkaTopicsValuesWith);
const kafkaValues = withLayout(kafkaValuesWith);

describe('infrastructure chart values', () => {
  it('dev runs single instances on local-path with the dev sizes', () => {
    const spec = devSpec();
    const mongo = mongodbValues(spec);
    expect(mongo.nodes).toBe(1);
    expect(mongo.replicaSet.enabled).toBe(false);
    expect(mongo.persistence).toEqual({ size: '5Gi', storageClass: 'local-path' });
    expect(redisValues(spec)).toMatchObject({
      mode: 'standalone',
      nodes: 1,
      persistence: { size: '1Gi', storageClass: 'local-path' },
    });
    expect(kafkaValues(spec)).toMatchObject({
      nodes: 1,
      replication: { factor: 1, minInsyncReplicas: 1 },
      persistence: { size: '5Gi' },
    });
    expect(minioValues(spec)).toMatchObject({ nodes: 1, persistence: { size: '10Gi' } });
    expect(mongo.resources).toEqual(INFRASTRUCTURE.mongodb.resources.dev);
  });

  it('production runs a 3-member replica set, a 6-node Redis Cluster, 3 KRaft nodes and 4 MinIO nodes', () => {
    const spec = productionSpec();
    expect(mongodbValues(spec)).toMatchObject({
      nodes: 3,
      replicaSet: { enabled: true, name: 'rs0' },
      persistence: { size: '20Gi', storageClass: 'nfs-client' },
    });
    expect(redisValues(spec)).toMatchObject({
      mode: 'cluster',
      nodes: 6,
      clusterReplicas: 1,
      persistence: { size: '5Gi', storageClass: 'nfs-client' },
    });
    expect(kafkaValues(spec)).toMatchObject({
      nodes: 3,
      replication: { factor: 3, minInsyncReplicas: 2 },
      topics: { replicationFactor: 3 },
      heapOpts: '-Xms1g -Xmx1g',
    });
    expect(minioValues(spec)).toMatchObject({ nodes: 4, persistence: { size: '50Gi', storageClass: 'nfs-client' } });
    expect(kafkaValues(spec).resources).toEqual(INFRASTRUCTURE.kafka.resources.production);
  });

  it('takes PVC sizes, StorageClass and node counts from the spec', () => {
    const spec = productionSpec(
      'kubernetes.storage.sizes.mongodb=33Gi',
      'kubernetes.storage.sizes.redis=7Gi',
      'kubernetes.storage.sizes.kafka=44Gi',
      'kubernetes.storage.sizes.objectStorage=200Gi',
      'kubernetes.storage.storageClass=fast-nfs',
      'infrastructure.mongodb.replicas=5',
      'infrastructure.redis.replicas=3',
      'infrastructure.kafka.brokers=5',
    );
    expect(mongodbValues(spec)).toMatchObject({ nodes: 5, persistence: { size: '33Gi', storageClass: 'fast-nfs' } });
    expect(redisValues(spec)).toMatchObject({
      mode: 'cluster',
      nodes: 3,
      clusterReplicas: 0,
      persistence: { size: '7Gi', storageClass: 'fast-nfs' },
    });
    expect(kafkaValues(spec)).toMatchObject({
      nodes: 5,
      replication: { factor: 3, minInsyncReplicas: 2 },
      persistence: { size: '44Gi' },
    });
    expect(minioValues(spec).persistence).toEqual({ size: '200Gi', storageClass: 'fast-nfs' });
  });

  it('creates the four OpenIM topics with the catalog partition count', () => {
    const items = kafkaValues(productionSpec()).topics.items;
    expect(items.map((t) => t.name)).toEqual([...KAFKA_TOPICS]);
    expect(items.map((t) => t.name)).toEqual(['toRedis', 'toMongo', 'toPush', 'toOfflinePush']);
    expect(items.every((t) => t.partitions === KAFKA_PARTITIONS && t.partitions === 8)).toBe(true);
  });

  it('gives every namespace a stable, valid KRaft cluster id', () => {
    const id = kafkaClusterId('openim');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(kafkaClusterId('openim')).toBe(id);
    expect(kafkaClusterId('other')).not.toBe(id);
    expect(kafkaValues(devSpec()).clusterId).toBe(id);
  });

  it('creates topics in an external Kafka the way OpenIM connects to it', () => {
    const values = kafkaTopicsValues(productionSpec(...EXTERNAL_SETS));
    expect(values.broker.enabled).toBe(false);
    expect(values.topics).toMatchObject({
      enabled: true,
      bootstrapServers: 'kafka-1.mq.internal:9093,kafka-2.mq.internal:9093',
      replicationFactor: 0,
      security: {
        protocol: 'SASL_SSL',
        username: 'openim',
        existingSecret: 'openim-infra-secrets',
        passwordKey: 'kafka-password',
      },
    });
  });

  it('leaves topics to the user when createTopics is false', () => {
    expect(kafkaValues(devSpec('infrastructure.kafka.createTopics=false')).topics.enabled).toBe(false);
  });

  it('points MongoDB at the configured user and database, and MinIO at the configured bucket', () => {
    const spec = devSpec(
      'infrastructure.mongodb.username=im',
      'infrastructure.mongodb.database=im_db',
      'infrastructure.objectStorage.bucket=im-files',
    );
    expect(mongodbValues(spec).auth).toMatchObject({
      username: 'im',
      database: 'im_db',
      existingSecret: 'openim-infra-secrets',
    });
    expect(minioValues(spec).bucket).toEqual({ enabled: true, name: 'im-files' });
  });

  it('rewrites every image to the mirror and adds the pull secret', () => {
    const spec = devSpec('images.mirror=registry.internal:5000/mirror', 'images.pullSecret=regcred');
    const all = [mongodbValues(spec), redisValues(spec), kafkaValues(spec), minioValues(spec)];
    const images = all.flatMap((v) => [v.image, ...('mcImage' in v ? [v.mcImage] : [])]);
    expect(images).toHaveLength(5);
    for (const image of images) expect(image.repository).toMatch(/^registry\.internal:5000\/mirror\//);
    expect(minioValues(spec).mcImage.repository).toBe('registry.internal:5000/mirror/minio/mc');
    expect(mongodbValues(spec).image).toMatchObject({
      repository: 'registry.internal:5000/mirror/library/mongo',
      tag: INFRASTRUCTURE.mongodb.images.mongo.tag,
    });
    for (const v of all) expect(v.imagePullSecrets).toEqual(['regcred']);
  });

  it('uses only official upstream images, never bitnami', () => {
    const values = [devSpec(), productionSpec()].flatMap((s) => [
      mongodbValues(s),
      redisValues(s),
      kafkaValues(s),
      minioValues(s),
    ]);
    expect(JSON.stringify(values)).not.toMatch(/bitnami/i);
    expect(JSON.stringify(INFRASTRUCTURE)).not.toMatch(/bitnami/i);
  });
});
