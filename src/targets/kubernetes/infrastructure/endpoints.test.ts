import { describe, expect, it } from 'vitest';
import {
  infrastructureEndpoints as infrastructureEndpointsWith,
  objectStorageBackend as objectStorageBackendWith,
  objectStorageCredentials,
  parseEndpoint,
} from './endpoints.js';
import { devSpec, EXTERNAL_SETS, productionSpec } from '../../../../test/helpers/kubernetes-infrastructure-specs.js';
import { withLayout } from '../../../../test/helpers/kubernetes-specs.js';

const infrastructureEndpoints = withLayout(infrastructureEndpointsWith);
const objectStorageBackend = withLayout(objectStorageBackendWith);

describe('infrastructureEndpoints', () => {
  it('dev: the client Services of single instances', () => {
    const e = infrastructureEndpoints(devSpec());
    expect(e.mongodb).toEqual({
      uri: '',
      address: ['openim-mongodb.openim.svc:27017'],
      database: 'openim_v3',
      username: 'openIM',
      authSource: 'openim_v3',
    });
    expect(e.redis).toEqual({ address: ['openim-redis.openim.svc:6379'], clusterMode: false });
    expect(e.kafka).toEqual({
      address: ['openim-kafka-0.openim-kafka-headless.openim.svc:9092'],
      username: '',
      tls: false,
    });
    expect(e.objectStorage).toEqual({
      provider: 'minio',
      internalAddress: 'openim-minio.openim.svc:9000',
      // dev preset: tls none → plain http on the public route.
      externalAddress: 'http://openim.localhost/im-minio-api',
      bucket: 'openim',
      region: '',
      useSSL: false,
    });
  });

  it('production: replica-set members, Redis Cluster nodes and the advertised Kafka listeners', () => {
    const e = infrastructureEndpoints(productionSpec('kubernetes.namespace=im'));
    expect(e.mongodb).toEqual({
      uri: '',
      address: [0, 1, 2].map((i) => `openim-mongodb-${i}.openim-mongodb-headless.im.svc:27017`),
      database: 'openim_v3',
      username: 'openIM',
      authSource: 'openim_v3',
      replicaSet: 'rs0',
    });
    expect(e.redis).toEqual({
      address: [0, 1, 2, 3, 4, 5].map((i) => `openim-redis-${i}.openim-redis-headless.im.svc:6379`),
      clusterMode: true,
    });
    expect(e.kafka.address).toEqual([0, 1, 2].map((i) => `openim-kafka-${i}.openim-kafka-headless.im.svc:9092`));
    expect(e.objectStorage.internalAddress).toBe('openim-minio.im.svc:9000');
    expect(e.objectStorage.externalAddress).toBe('https://im.example.com/im-minio-api');
  });

  it('keeps an externalAddress the user set', () => {
    const e = infrastructureEndpoints(
      productionSpec('infrastructure.objectStorage.externalAddress=https://files.example.com/im'),
    );
    expect(e.objectStorage.externalAddress).toBe('https://files.example.com/im');
  });

  it('external: the addresses and settings the user gave', () => {
    const e = infrastructureEndpoints(productionSpec(...EXTERNAL_SETS));
    expect(e.mongodb).toEqual({
      uri: '',
      address: ['mongo-a.db.internal:27017', 'mongo-b.db.internal:27017'],
      database: 'openim_v3',
      username: 'openIM',
      authSource: 'admin',
    });
    expect(e.redis).toEqual({
      address: ['redis-0.cache.internal:6379', 'redis-1.cache.internal:6379', 'redis-2.cache.internal:6379'],
      clusterMode: true,
    });
    expect(e.kafka).toEqual({
      address: ['kafka-1.mq.internal:9093', 'kafka-2.mq.internal:9093'],
      username: 'openim',
      tls: true,
    });
    expect(e.objectStorage).toEqual({
      provider: 'minio',
      internalAddress: 's3.files.internal:443',
      externalAddress: 'https://files.example.com',
      bucket: 'openim',
      region: '',
      useSSL: true,
    });
  });

  it('rook-ceph: RGW is the S3 endpoint, its keys come from the bucket claim', () => {
    const spec = productionSpec(
      'kubernetes.storage.backend=rook-ceph',
      'infrastructure.objectStorage.provider=rook-ceph',
    );
    const e = infrastructureEndpoints(spec);
    expect(e.objectStorage).toMatchObject({
      provider: 'rook-ceph',
      internalAddress: 'rook-ceph-rgw-openim.rook-ceph.svc:80',
      externalAddress: 'https://im.example.com/im-minio-api',
      useSSL: false,
    });
    expect(objectStorageCredentials(spec)).toEqual({
      secretName: 'openim-bucket',
      accessKeyKey: 'AWS_ACCESS_KEY_ID',
      secretKeyKey: 'AWS_SECRET_ACCESS_KEY',
      fromInstallerSecrets: false,
    });
    expect(objectStorageBackend(spec)).toEqual({ service: 'rook-ceph-rgw-openim', namespace: 'rook-ceph', port: 80 });
  });

  it('MinIO: credentials from the infrastructure Secret, routed to the MinIO Service', () => {
    const spec = devSpec();
    expect(objectStorageCredentials(spec)).toEqual({
      secretName: 'openim-infra-secrets',
      accessKeyKey: 'object-storage-access-key',
      secretKeyKey: 'object-storage-secret-key',
      fromInstallerSecrets: true,
    });
    expect(objectStorageBackend(spec)).toEqual({ service: 'openim-minio', namespace: 'openim', port: 9000 });
    expect(objectStorageBackend(productionSpec(...EXTERNAL_SETS))).toBeUndefined();
  });

  it('parses endpoints given as host:port or URL', () => {
    expect(parseEndpoint('minio.internal:9000')).toEqual({
      hostPort: 'minio.internal:9000',
      host: 'minio.internal',
      port: 9000,
      useSSL: false,
    });
    expect(parseEndpoint('https://s3.example.com')).toEqual({
      hostPort: 's3.example.com:443',
      host: 's3.example.com',
      port: 443,
      useSSL: true,
    });
    expect(parseEndpoint('http://10.0.0.5')).toMatchObject({ hostPort: '10.0.0.5:80', useSSL: false });
  });
});
