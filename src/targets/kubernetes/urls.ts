// Public addresses derived from openim.domain (docs.openim.io's SDK addresses:
// https://<domain>/api, wss://<domain>/msg_gateway): one host for the
// API, WebSocket, files and the web client; `admin.<domain>` for the admin
// console, because the admin front is a single-page app built for `/` and
// cannot live under a path prefix. An IPv4 address as the domain: the URLs
// use it, the routes match any host (an Ingress host must be a DNS name), and
// the console has no host of its own, so it is not published.

import { isIpv4 } from '../../config/domain.js';
import type { DeploySpec } from '../../config/schema.js';

export const ROUTE_PATHS = {
  api: '/api',
  msgGateway: '/msg_gateway',
  chat: '/chat',
  admin: '/complete_admin',
  objectStorage: '/im-minio-api',
} as const;

/** The client addresses of one origin (`<scheme>://<host>`) under the route paths: the ingress and the binary target's proxy share them. */
export interface OriginUrls {
  base: string;
  apiAddr: string;
  wsAddr: string;
  chatApi: string;
  adminApi: string;
  objectStorage: string;
}

export function originUrls(scheme: 'http' | 'https', host: string): OriginUrls {
  const base = `${scheme}://${host}`;
  return {
    base,
    apiAddr: `${base}${ROUTE_PATHS.api}`,
    wsAddr: `${scheme === 'https' ? 'wss' : 'ws'}://${host}${ROUTE_PATHS.msgGateway}`,
    chatApi: `${base}${ROUTE_PATHS.chat}`,
    adminApi: `${base}${ROUTE_PATHS.admin}`,
    objectStorage: `${base}${ROUTE_PATHS.objectStorage}`,
  };
}

export interface PublicUrls extends OriginUrls {
  scheme: 'http' | 'https';
  /** Host of the API, WebSocket, files and web client in URLs (a name or an address). Empty when no domain is set. */
  host: string;
  /** Host the routes match: the domain when it is a DNS name; empty (any host) for an address or no domain. */
  routeHost: string;
  /** Host of the admin console; empty when it has none (no domain, or an address). */
  adminHost: string;
  web: string;
  /** Empty when the console is not published (no admin host). */
  adminConsole: string;
}

export function publicUrls(spec: DeploySpec): PublicUrls {
  // Without TLS the ingress only serves plain HTTP; advertising https would be a lie.
  const scheme = spec.kubernetes.ingress.tls.mode === 'none' ? 'http' : 'https';
  const host = spec.openim.domain;
  // No domain (dev only): the routes match any host; URLs use localhost for a port-forwarded controller.
  const shown = host || 'localhost';
  const origin = originUrls(scheme, shown);
  const named = host !== '' && !isIpv4(host);
  const adminHost = named ? `admin.${host}` : '';
  return {
    scheme,
    host,
    routeHost: named ? host : '',
    adminHost,
    ...origin,
    objectStorage: spec.infrastructure.objectStorage.externalAddress || origin.objectStorage,
    web: `${origin.base}/`,
    adminConsole: adminHost ? `${scheme}://${adminHost}/` : '',
  };
}
