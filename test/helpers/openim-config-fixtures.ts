// Shared inputs for this folder's tests: a Kubernetes and a single-host case.

import { deploySpecSchema, type DeploySpecInput } from '../../src/config/schema.js';
import type { DeploySpec } from '../../src/config/schema.js';
import type { ConfigOptions, OpenIMEndpoints } from '../../src/openim-config/types.js';

export function specOf(input: DeploySpecInput): DeploySpec {
  return deploySpecSchema.parse(input);
}

export const k8sEndpoints: OpenIMEndpoints = {
  mongodb: {
    uri: '',
    address: ['openim-mongodb-0.openim-mongodb.openim.svc:27017'],
    database: 'openim_v3',
    username: 'openIM',
    authSource: '',
  },
  redis: { address: ['openim-redis.openim.svc:6379'], clusterMode: false },
  kafka: { address: ['openim-kafka.openim.svc:9092'], username: '', tls: false },
  objectStorage: {
    provider: 'minio',
    internalAddress: 'openim-minio.openim.svc:9000',
    externalAddress: 'https://im.example.com/im-minio-api',
    bucket: 'openim',
    region: '',
    useSSL: false,
  },
  discovery: { kind: 'kubernetes', namespace: 'default' },
  apiURL: 'http://openim-api.default.svc:10002',
  grafanaURL: 'https://im.example.com/grafana',
  network: { rpcListenIP: '0.0.0.0', rpcRegisterIP: '' },
  chatProxyHeader: 'X-Real-IP',
};

export const hostEndpoints: OpenIMEndpoints = {
  mongodb: { uri: '', address: ['127.0.0.1:27017'], database: 'openim_v3', username: 'openIM', authSource: '' },
  redis: { address: ['127.0.0.1:6379'], clusterMode: false },
  kafka: { address: ['127.0.0.1:9092'], username: '', tls: false },
  objectStorage: {
    provider: 'minio',
    internalAddress: '127.0.0.1:10005',
    externalAddress: 'http://192.168.1.10:10005',
    bucket: 'openim',
    region: '',
    useSSL: false,
  },
  discovery: { kind: 'etcd', address: ['127.0.0.1:2379'], username: '' },
  apiURL: 'http://127.0.0.1:10002',
  grafanaURL: '',
  network: { rpcListenIP: '127.0.0.1', rpcRegisterIP: '127.0.0.1' },
  chatProxyHeader: '',
};

export const envOptions: ConfigOptions = {
  secretMode: 'env',
  logToStdout: true,
  logDirectory: '/tmp/openim-logs',
  instances: {},
};
export const inlineOptions: ConfigOptions = {
  secretMode: 'inline',
  logToStdout: true,
  logDirectory: '/var/log/openim',
  instances: {},
};
