// Where OpenIM finds its infrastructure on a host: bundled components on
// loopback at the catalog ports, external ones where the user says.

import type { DeploySpec } from '../../config/schema.js';
import { HOST_INFRA_PORTS } from '../../catalog/host-artifacts.js';
import { PUBLIC_PORTS } from '../../catalog/modules.js';
import type { OpenIMEndpoints } from '../../openim-config/types.js';
import { hostGrafanaUrl } from './monitoring/grafana.js';
import { CADDY } from '../../catalog/proxy.js';
import { proxied, proxyUrls } from './proxy/urls.js';

export type InfraId = 'mongodb' | 'redis' | 'kafka' | 'objectStorage' | 'etcd';

const loopback = (port: number) => `127.0.0.1:${port}`;

/** Bundled infrastructure components, in start order. MinIO counts only when it is the provider. */
export function bundledInfra(spec: DeploySpec): InfraId[] {
  const i = spec.infrastructure;
  const out: InfraId[] = [];
  if (i.mongodb.mode === 'bundled') out.push('mongodb');
  if (i.redis.mode === 'bundled') out.push('redis');
  if (i.kafka.mode === 'bundled') out.push('kafka');
  if (i.objectStorage.mode === 'bundled' && i.objectStorage.provider === 'minio') out.push('objectStorage');
  if (i.etcd.mode === 'bundled') out.push('etcd');
  return out;
}

/**
 * A host name no other device reaches: empty, loopback, or a `*.localhost`
 * name (which glibc does not even resolve on this host: the real run found
 * `http://openim.localhost:10005` unusable on Debian).
 */
export function isLocalOnlyHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === '' || h === 'localhost' || h.endsWith('.localhost') || h.startsWith('127.') || h === '::1';
}

/**
 * The URL clients use for files (presigned URLs point here): given, else the
 * domain on MinIO's port. With no domain other devices reach, the dev profile
 * gets 127.0.0.1 (files work from this machine only; preflight
 * `objectStorage.local-only` says so) and production is refused by the
 * config generator (unreachableReason).
 */
export function objectExternalAddress(spec: DeploySpec): string {
  const os = spec.infrastructure.objectStorage;
  if (os.externalAddress) return os.externalAddress;
  if (os.mode === 'external') return /^https?:\/\//.test(os.endpoint) ? os.endpoint : `http://${os.endpoint}`;
  // Behind the proxy: its /im-minio-api route, on the scheme it serves.
  if (proxied(spec)) return proxyUrls(spec).objectStorage;
  const domain = spec.openim.domain;
  return `http://${isLocalOnlyHost(domain) ? '127.0.0.1' : domain}:${HOST_INFRA_PORTS.minio}`;
}

export function binaryEndpoints(spec: DeploySpec): OpenIMEndpoints {
  const i = spec.infrastructure;
  const bundled = new Set(bundledInfra(spec));
  const os = i.objectStorage;
  return {
    mongodb: bundled.has('mongodb')
      ? {
          uri: '',
          address: [loopback(HOST_INFRA_PORTS.mongodb)],
          database: i.mongodb.database,
          username: i.mongodb.username,
          authSource: i.mongodb.database,
        }
      : {
          uri: i.mongodb.uri,
          address: [...i.mongodb.address],
          database: i.mongodb.database,
          username: i.mongodb.username,
          authSource: i.mongodb.authSource,
        },
    redis: bundled.has('redis')
      ? { address: [loopback(HOST_INFRA_PORTS.redis)], clusterMode: false }
      : { address: [...i.redis.address], clusterMode: i.redis.clusterMode },
    kafka: bundled.has('kafka')
      ? { address: [loopback(HOST_INFRA_PORTS.kafka)], username: '', tls: false }
      : { address: [...i.kafka.address], username: i.kafka.username, tls: i.kafka.tls },
    objectStorage: {
      provider: os.provider,
      internalAddress: bundled.has('objectStorage') ? loopback(HOST_INFRA_PORTS.minio) : os.endpoint,
      externalAddress: objectExternalAddress(spec),
      bucket: os.bucket,
      region: os.region,
      useSSL: /^https:\/\//.test(os.endpoint),
    },
    discovery: bundled.has('etcd')
      ? { kind: 'etcd', address: [loopback(HOST_INFRA_PORTS.etcd)], username: '' }
      : { kind: 'etcd', address: [...i.etcd.address], username: i.etcd.username },
    apiURL: `http://127.0.0.1:${PUBLIC_PORTS.api}`,
    // openim-api.yml prometheus.grafanaURL: the bundled Grafana on this host, else the user's.
    grafanaURL: hostGrafanaUrl(spec),
    // One host: RPC servers listen on loopback and register it (peers dial what is registered);
    // only the client-facing ports (API, WebSocket, chat APIs, MinIO) listen on every interface.
    // Behind the proxy the client-facing ports are loopback too: the proxy is the one public endpoint.
    network: {
      rpcListenIP: '127.0.0.1',
      rpcRegisterIP: '127.0.0.1',
      ...(proxied(spec) ? { publicListenIP: '127.0.0.1' } : {}),
    },
    // Behind the proxy chat reads the client's address from the header Caddy sets (chat's own ports are
    // then on loopback, so only Caddy reaches them); without it nothing sits in front: the peer address.
    chatProxyHeader: proxied(spec) ? CADDY.clientIpHeader.name : '',
  };
}

export interface HostPort {
  host: string;
  port: number;
}

function parseHostPort(text: string, defaultPort: number): HostPort | undefined {
  const bare = text
    .replace(/^[a-z+]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .replace(/^[^@]*@/, '');
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(bare);
  if (!m || !m[1]) return undefined;
  return { host: m[1], port: m[2] ? Number(m[2]) : defaultPort };
}

/** Hosts of a mongodb:// URI (none for mongodb+srv://, which needs DNS SRV lookups). */
function mongoUriHosts(uri: string): HostPort[] {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^/?]+)/.exec(uri);
  if (!m) return [];
  return m[1]!.split(',').flatMap((h) => parseHostPort(h, HOST_INFRA_PORTS.mongodb) ?? []);
}

/** Every infrastructure address OpenIM connects to, for TCP readiness probes before the server starts. */
export function infraAddresses(spec: DeploySpec): { id: InfraId; address: HostPort }[] {
  const e = binaryEndpoints(spec);
  const out: { id: InfraId; address: HostPort }[] = [];
  const add = (id: InfraId, list: string[], port: number) => {
    for (const a of list) {
      const hp = parseHostPort(a, port);
      if (hp) out.push({ id, address: hp });
    }
  };
  if (e.mongodb.uri) for (const hp of mongoUriHosts(e.mongodb.uri)) out.push({ id: 'mongodb', address: hp });
  else add('mongodb', e.mongodb.address, HOST_INFRA_PORTS.mongodb);
  add('redis', e.redis.address, HOST_INFRA_PORTS.redis);
  add('kafka', e.kafka.address, HOST_INFRA_PORTS.kafka);
  const os = spec.infrastructure.objectStorage;
  if (os.provider === 'minio' || (os.mode === 'external' && os.endpoint)) {
    const defaultPort = /^https:/.test(e.objectStorage.internalAddress) ? 443 : 80;
    add('objectStorage', e.objectStorage.internalAddress ? [e.objectStorage.internalAddress] : [], defaultPort);
  }
  if (e.discovery.kind === 'etcd') add('etcd', e.discovery.address, HOST_INFRA_PORTS.etcd);
  return out;
}
