// What clients use when the proxy fronts OpenIM: one origin, the paths of the
// Kubernetes ingress (docs.openim.io: https://<domain>/api, wss://<domain>/msg_gateway). https unless binary.proxy.tls.mode is none.

import type { DeploySpec } from '../../../config/schema.js';
import { originUrls, type OriginUrls } from '../../kubernetes/urls.js';

export interface ProxyUrls extends OriginUrls {
  scheme: 'http' | 'https';
}

export function proxyUrls(spec: DeploySpec): ProxyUrls {
  const scheme = spec.binary.proxy.tls.mode === 'none' ? 'http' : 'https';
  const host = spec.openim.domain || 'localhost';
  return { scheme, ...originUrls(scheme, host) };
}

/** The proxy fronts OpenIM on this host. */
export function proxied(spec: DeploySpec): boolean {
  return spec.target === 'binary' && spec.binary.proxy.enabled;
}
