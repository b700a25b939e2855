// Where OpenIM finds its infrastructure: in-cluster DNS names of the bundled
// releases, or the addresses the user gave for external ones. The config
// generator (src/openim-config) turns these into mongodb.yml, redis.yml,
// kafka.yml and minio.yml.

import type { DeploySpec } from '../../../config/schema.js';
import { INFRASTRUCTURE, ROOK_OBJECT_STORE, STORAGE_PROVISIONERS } from '../../../catalog/infrastructure.js';
import type { OpenIMEndpoints } from '../../../openim-config/types.js';
import type { KubernetesLayout } from '../layout.js';
import { publicUrls } from '../urls.js';
import { INFRA_SECRET_NAME, serviceAddress } from './names.js';
import { kafkaTopology, mongoTopology, objectStorageKind, redisTopology } from './topology.js';

/** The infrastructure part of OpenIMEndpoints; discovery, apiURL and grafanaURL belong to the target. */
export type InfrastructureEndpoints = Pick<OpenIMEndpoints, 'mongodb' | 'redis' | 'kafka' | 'objectStorage'>;

function mongodbEndpoint(spec: DeploySpec, layout: KubernetesLayout): OpenIMEndpoints['mongodb'] {
  const m = spec.infrastructure.mongodb;
  const authSource = m.authSource || m.database;
  if (m.mode === 'external') {
    // A uri may carry a password: the config generator refuses to put it in a ConfigMap.
    return { uri: m.uri, address: [...m.address], database: m.database, username: m.username, authSource };
  }
  const port = INFRASTRUCTURE.mongodb.ports.mongo;
  const topology = mongoTopology(spec);
  if (topology.replicaSet === null) {
    return {
      uri: '',
      address: [layout.serviceAddress(layout.infraReleases.mongodb, port)],
      database: m.database,
      username: m.username,
      authSource,
    };
  }
  return {
    uri: '',
    // Every member as a seed: the driver finds the primary from any of them.
    address: layout.podAddresses(layout.infraReleases.mongodb, topology.members, port),
    database: m.database,
    username: m.username,
    authSource,
    replicaSet: topology.replicaSet,
  };
}

function redisEndpoint(spec: DeploySpec, layout: KubernetesLayout): OpenIMEndpoints['redis'] {
  const r = spec.infrastructure.redis;
  if (r.mode === 'external') return { address: [...r.address], clusterMode: r.clusterMode };
  const port = INFRASTRUCTURE.redis.ports.redis;
  const topology = redisTopology(spec);
  if (topology.mode === 'standalone')
    return { address: [layout.serviceAddress(layout.infraReleases.redis, port)], clusterMode: false };
  return { address: layout.podAddresses(layout.infraReleases.redis, topology.nodes, port), clusterMode: true };
}

function kafkaEndpoint(spec: DeploySpec, layout: KubernetesLayout): OpenIMEndpoints['kafka'] {
  const k = spec.infrastructure.kafka;
  if (k.mode === 'external') return { address: [...k.address], username: k.username, tls: k.tls };
  // The advertised listeners themselves (pain point 5): the names the brokers hand back in metadata.
  const topology = kafkaTopology(spec);
  return {
    address: layout.podAddresses(layout.infraReleases.kafka, topology.nodes, INFRASTRUCTURE.kafka.ports.client),
    username: '',
    tls: false,
  };
}

/** host:port and TLS of an endpoint given as host:port or URL. */
export function parseEndpoint(endpoint: string): { hostPort: string; host: string; port: number; useSSL: boolean } {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? new URL(endpoint) : new URL(`http://${endpoint}`);
  const useSSL = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : useSSL ? 443 : 80;
  return { hostPort: `${url.hostname}:${port}`, host: url.hostname, port, useSSL };
}

function objectStorageEndpoint(spec: DeploySpec, layout: KubernetesLayout): OpenIMEndpoints['objectStorage'] {
  const os = spec.infrastructure.objectStorage;
  // Presigned URLs point at externalAddress: the public /im-minio-api route unless the user set one (pain point 1).
  const routed = publicUrls(spec).objectStorage;
  const common = { provider: os.provider, bucket: os.bucket, region: os.region };
  switch (objectStorageKind(spec)) {
    case 'minio':
      return {
        ...common,
        internalAddress: layout.serviceAddress(layout.infraReleases.minio, INFRASTRUCTURE.minio.ports.api),
        externalAddress: routed,
        useSSL: false,
      };
    case 'rook-ceph':
      return {
        ...common,
        internalAddress: serviceAddress(
          `rook-ceph-rgw-${ROOK_OBJECT_STORE.name}`,
          STORAGE_PROVISIONERS['rook-ceph'].namespace,
          ROOK_OBJECT_STORE.port,
        ),
        externalAddress: routed,
        useSSL: false,
      };
    case 'external': {
      const endpoint = parseEndpoint(os.endpoint);
      // minio.yml internalAddress is host:port; cos/oss/kodo/aws take the endpoint URL as given.
      const internalAddress = os.provider === 'minio' || os.provider === 'rook-ceph' ? endpoint.hostPort : os.endpoint;
      const externalAddress =
        os.externalAddress ||
        (/^https?:\/\//.test(os.endpoint)
          ? os.endpoint
          : `${endpoint.useSSL ? 'https' : 'http'}://${endpoint.hostPort}`);
      return { ...common, internalAddress, externalAddress, useSSL: endpoint.useSSL };
    }
  }
}

/** Infrastructure endpoints for the OpenIM config; the target adds discovery, apiURL and grafanaURL. */
export function infrastructureEndpoints(spec: DeploySpec, layout: KubernetesLayout): InfrastructureEndpoints {
  return {
    mongodb: mongodbEndpoint(spec, layout),
    redis: redisEndpoint(spec, layout),
    kafka: kafkaEndpoint(spec, layout),
    objectStorage: objectStorageEndpoint(spec, layout),
  };
}

/** Where the object storage access key and secret key live, for IMENV_MINIO_* secretKeyRefs. */
export interface ObjectStorageCredentials {
  secretName: string;
  accessKeyKey: string;
  secretKeyKey: string;
  /**
   * True when the values are the installer's own secret ids (objectStorage.accessKey/secretKey);
   * false for rook-ceph, where Rook generates them into the ObjectBucketClaim's Secret.
   */
  fromInstallerSecrets: boolean;
}

/** Name of the ObjectBucketClaim (and of the Secret and ConfigMap Rook makes for it) in the OpenIM namespace. */
export const ROOK_BUCKET_CLAIM = 'openim-bucket';

export function objectStorageCredentials(spec: DeploySpec): ObjectStorageCredentials {
  if (objectStorageKind(spec) === 'rook-ceph') {
    return {
      secretName: ROOK_BUCKET_CLAIM,
      accessKeyKey: 'AWS_ACCESS_KEY_ID',
      secretKeyKey: 'AWS_SECRET_ACCESS_KEY',
      fromInstallerSecrets: false,
    };
  }
  return {
    secretName: INFRA_SECRET_NAME,
    accessKeyKey: 'object-storage-access-key',
    secretKeyKey: 'object-storage-secret-key',
    fromInstallerSecrets: true,
  };
}

/** The Service the `/im-minio-api` route forwards to (absent for external object storage). */
export function objectStorageBackend(
  spec: DeploySpec,
  layout: KubernetesLayout,
): { service: string; namespace: string; port: number } | undefined {
  switch (objectStorageKind(spec)) {
    case 'minio':
      return {
        service: layout.infraReleases.minio,
        namespace: layout.namespace,
        port: INFRASTRUCTURE.minio.ports.api,
      };
    case 'rook-ceph':
      // In the Rook namespace: an Ingress cannot point there directly (HTTPRoute can, with a ReferenceGrant).
      return {
        service: `rook-ceph-rgw-${ROOK_OBJECT_STORE.name}`,
        namespace: STORAGE_PROVISIONERS['rook-ceph'].namespace,
        port: ROOK_OBJECT_STORE.port,
      };
    case 'external':
      return undefined;
  }
}
