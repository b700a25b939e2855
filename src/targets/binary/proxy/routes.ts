// The proxy's routes: the same paths, prefixes and behaviours as the
// Kubernetes ingress (targets/kubernetes/ingress/routes.ts), to OpenIM's
// loopback ports, one upstream per instance. No web or admin front and no
// Grafana: the binary target installs none of them behind the proxy.

import type { DeploySpec } from '../../../config/schema.js';
import { HOST_INFRA_PORTS } from '../../../catalog/host-artifacts.js';
import { CADDY } from '../../../catalog/proxy.js';
import { findModule, PUBLIC_PORTS } from '../../../catalog/modules.js';
import { ROUTE_PATHS } from '../../kubernetes/urls.js';
import { bundledInfra } from '../endpoints.js';
import { instanceCount } from '../units.js';
import { proxyUrls } from './urls.js';

export interface ProxyRoute {
  id: string;
  /** A prefix without trailing slash: matches the path itself and everything below it. */
  path: string;
  /** host:port of each upstream (one per instance). */
  upstreams: string[];
  /** The back end serves at `/`: the prefix is removed before forwarding. */
  stripPrefix: boolean;
  /** WebSocket upgrade, kept open as long as both sides want (no stream timeout). */
  websocket: boolean;
  /** File uploads: no body size limit, no request buffering. */
  largeBody: boolean;
  /** Request headers to set. */
  setHeaders: Record<string, string>;
}

const loopback = (port: number, instances: number) =>
  Array.from({ length: instances }, (_, i) => `127.0.0.1:${port + i}`);

export function proxyRoutes(spec: DeploySpec): ProxyRoute[] {
  const urls = proxyUrls(spec);
  const count = (name: string) => instanceCount(spec, findModule(name)!);
  const route = (r: Partial<ProxyRoute> & Pick<ProxyRoute, 'id' | 'path' | 'upstreams'>): ProxyRoute => ({
    stripPrefix: true,
    websocket: false,
    largeBody: false,
    setHeaders: {},
    ...r,
  });
  const routes: ProxyRoute[] = [
    // OpenIM builds absolute URLs (e.g. in API responses) from this header, as behind the ingress.
    route({
      id: 'api',
      path: ROUTE_PATHS.api,
      upstreams: loopback(PUBLIC_PORTS.api, count('openim-api')),
      setHeaders: { 'X-Request-Api': urls.apiAddr },
    }),
    route({
      id: 'msg-gateway',
      path: ROUTE_PATHS.msgGateway,
      upstreams: loopback(PUBLIC_PORTS.msgGateway, count('openim-msggateway')),
      websocket: true,
    }),
  ];
  if (spec.openim.components.chat) {
    // Chat takes the client's address from this header (share.yml proxyHeader, binary/endpoints.ts), not the peer's: Caddy's.
    const clientIp = { [CADDY.clientIpHeader.name]: CADDY.clientIpHeader.value };
    routes.push(
      route({
        id: 'chat-api',
        path: ROUTE_PATHS.chat,
        upstreams: loopback(PUBLIC_PORTS.chatApi, count('chat-api')),
        setHeaders: clientIp,
      }),
    );
    routes.push(
      route({
        id: 'admin-api',
        path: ROUTE_PATHS.admin,
        upstreams: loopback(PUBLIC_PORTS.adminApi, count('admin-api')),
        setHeaders: clientIp,
      }),
    );
  }
  if (bundledInfra(spec).includes('objectStorage')) {
    const minio = [`127.0.0.1:${HOST_INFRA_PORTS.minio}`];
    routes.push(route({ id: 'object-storage', path: ROUTE_PATHS.objectStorage, upstreams: minio, largeBody: true }));
    // Presigned form uploads go to <scheme>://<host>/<bucket> without the /im-minio-api prefix (OpenIM's MinIO
    // client sets only scheme and host on the form's URL: openimsdk/tools v0.0.50-alpha.63 s3/minio/minio.go:499-504),
    // so the bucket gets a route of its own, unstripped, as on the ingress.
    const bucketPath = `/${spec.infrastructure.objectStorage.bucket}`;
    if (!routes.some((r) => r.path === bucketPath))
      routes.push(
        route({ id: 'object-storage-form', path: bucketPath, upstreams: minio, largeBody: true, stripPrefix: false }),
      );
  }
  return routes;
}
