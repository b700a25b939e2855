// The public routes of OpenIM (docs.openim.io's ingress paths; ports from
// catalog/modules.ts), as data every controller
// flavour turns into its own objects. Main host: API, WebSocket, chat,
// admin API, files and the web client on `/`; admin host: the admin console.

import type { DeploySpec } from '../../../config/schema.js';
import { FRONT_MODULES, PUBLIC_PORTS, modulePort } from '../../../catalog/modules.js';
import { objectStorageBackend } from '../infra-bridge.js';
import { ROUTE_PATHS, publicUrls } from '../urls.js';
import { grafanaRoute } from '../monitoring/route.js';
import type { Route } from './public-route.js';
import type { KubernetesLayout } from '../layout.js';

export function openimRoutes(spec: DeploySpec, layout: KubernetesLayout): Route[] {
  const route = (r: Partial<Route> & Pick<Route, 'id' | 'host' | 'path' | 'service' | 'port'>): Route => ({
    stripPrefix: r.path !== '/',
    websocket: false,
    largeBody: false,
    setHeaders: {},
    serviceNamespace: layout.namespace,
    ...r,
  });
  const urls = publicUrls(spec);
  // A DNS name becomes the host rule; an IP address (or no domain) matches any host.
  const host = urls.routeHost;
  const c = spec.openim.components;
  const routes: Route[] = [
    // OpenIM builds absolute URLs (e.g. in API responses) from this header.
    route({
      id: 'api',
      host,
      path: ROUTE_PATHS.api,
      service: 'openim-api',
      port: PUBLIC_PORTS.api,
      setHeaders: { 'X-Request-Api': urls.apiAddr },
    }),
    route({
      id: 'msg-gateway',
      host,
      path: ROUTE_PATHS.msgGateway,
      service: 'openim-msggateway',
      port: PUBLIC_PORTS.msgGateway,
      websocket: true,
    }),
  ];
  if (c.chat) {
    routes.push(
      route({ id: 'chat-api', host, path: ROUTE_PATHS.chat, service: 'chat-api', port: PUBLIC_PORTS.chatApi }),
    );
    routes.push(
      route({ id: 'admin-api', host, path: ROUTE_PATHS.admin, service: 'admin-api', port: PUBLIC_PORTS.adminApi }),
    );
  }
  const storage = objectStorageBackend(spec, layout);
  if (storage) {
    routes.push(
      route({
        id: 'object-storage',
        host,
        path: ROUTE_PATHS.objectStorage,
        service: storage.service,
        serviceNamespace: storage.namespace,
        port: storage.port,
        largeBody: true,
      }),
    );
    // Presigned form uploads (POST /object/initiate_form_data) go to <scheme>://<host>/<bucket> without the
    // /im-minio-api prefix: OpenIM's MinIO client keeps the prefix for every other presigned URL but sets only the
    // scheme and host on the form's (openimsdk/tools v0.0.50-alpha.63 s3/minio/minio.go:499-504, server v3.8.3),
    // so the bucket is routed as it is, unstripped (found by verify through Traefik on the real node). A bucket
    // named like another route's path keeps only that route.
    const bucketPath = `/${spec.infrastructure.objectStorage.bucket}`;
    if (!routes.some((r) => r.path === bucketPath)) {
      routes.push(
        route({
          id: 'object-storage-form',
          host,
          path: bucketPath,
          service: storage.service,
          serviceNamespace: storage.namespace,
          port: storage.port,
          largeBody: true,
          stripPrefix: false,
        }),
      );
    }
  }
  const web = FRONT_MODULES.find((m) => m.name === 'openim-web-front')!;
  if (c.webFront)
    routes.push(route({ id: 'web', host, path: '/', service: web.name, port: modulePort(web.name, 'http') }));
  // The admin console is a single-page app built for `/`: it gets its own host. Without a domain, or with an IP address, there is
  // no second host to give it (config warns, naming kubectl port-forward).
  const admin = FRONT_MODULES.find((m) => m.name === 'openim-admin-front')!;
  if (c.adminFront && urls.adminHost)
    routes.push(
      route({
        id: 'admin-console',
        host: urls.adminHost,
        path: '/',
        service: admin.name,
        port: modulePort(admin.name, 'http'),
      }),
    );
  const grafana = grafanaRoute(spec, layout);
  if (grafana) routes.push(grafana);
  return routes;
}

export function routeHosts(routes: readonly Route[]): string[] {
  return [...new Set(routes.map((r) => r.host).filter(Boolean))];
}

/** Seconds a WebSocket may stay idle behind the proxy. */
export const WEBSOCKET_TIMEOUT_SECONDS = 3600;
