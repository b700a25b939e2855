// Public addresses derived from openim.domain (OPENIM.md §4): one host for the
// API, WebSocket, files and the web client; `admin.<domain>` for the admin
// console, because the admin front is a single-page app built for `/` and
// cannot live under a path prefix.

import type { DeploySpec } from '../../config/rules.js';

export const ROUTE_PATHS = {
  api: '/api',
  msgGateway: '/msg_gateway',
  chat: '/chat',
  admin: '/complete_admin',
  objectStorage: '/im-minio-api',
} as const;

export interface PublicUrls {
  scheme: 'http' | 'https';
  /** Host of the API, WebSocket, files and web client. Empty when no domain is set. */
  host: string;
  adminHost: string;
  base: string;
  apiAddr: string;
  wsAddr: string;
  chatApi: string;
  adminApi: string;
  objectStorage: string;
  web: string;
  adminConsole: string;
}

export function publicUrls(spec: DeploySpec): PublicUrls {
  // Without TLS the ingress only serves plain HTTP; advertising https would be a lie.
  const scheme = spec.kubernetes.ingress.tls.mode === 'none' ? 'http' : 'https';
  const host = spec.openim.domain;
  // No domain (dev only): the routes match any host; URLs use localhost for a port-forwarded controller.
  const shown = host || 'localhost';
  const base = `${scheme}://${shown}`;
  const adminHost = host ? `admin.${host}` : '';
  return {
    scheme,
    host,
    adminHost,
    base,
    apiAddr: `${base}${ROUTE_PATHS.api}`,
    wsAddr: `${scheme === 'https' ? 'wss' : 'ws'}://${shown}${ROUTE_PATHS.msgGateway}`,
    chatApi: `${base}${ROUTE_PATHS.chat}`,
    adminApi: `${base}${ROUTE_PATHS.admin}`,
    objectStorage: spec.infrastructure.objectStorage.externalAddress || `${base}${ROUTE_PATHS.objectStorage}`,
    web: `${base}/`,
    adminConsole: `${scheme}://${adminHost || shown}/`,
  };
}
