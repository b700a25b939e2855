// What clients use when the proxy fronts OpenIM: one origin, the paths of the
// Kubernetes ingress (OPENIM.md §4). https unless binary.proxy.tls.mode is none.

import type { DeploySpec } from '../../../config/rules.js';
import { ROUTE_PATHS } from '../../kubernetes/urls.js';

export interface ProxyUrls {
  scheme: 'http' | 'https';
  base: string;
  apiAddr: string;
  wsAddr: string;
  chatApi: string;
  adminApi: string;
  objectStorage: string;
}

export function proxyUrls(spec: DeploySpec): ProxyUrls {
  const scheme = spec.binary.proxy.tls.mode === 'none' ? 'http' : 'https';
  const host = spec.openim.domain || 'localhost';
  const base = `${scheme}://${host}`;
  return {
    scheme,
    base,
    apiAddr: `${base}${ROUTE_PATHS.api}`,
    wsAddr: `${scheme === 'https' ? 'wss' : 'ws'}://${host}${ROUTE_PATHS.msgGateway}`,
    chatApi: `${base}${ROUTE_PATHS.chat}`,
    adminApi: `${base}${ROUTE_PATHS.admin}`,
    objectStorage: `${base}${ROUTE_PATHS.objectStorage}`,
  };
}

/** The proxy fronts OpenIM on this host. */
export function proxied(spec: DeploySpec): boolean {
  return spec.target === 'binary' && spec.binary.proxy.enabled;
}
