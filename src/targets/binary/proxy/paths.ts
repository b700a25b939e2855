// Where the proxy lives on a host, from binary.* alone:
//
//   <prefix>/infra/caddy-<version>/caddy        the executable (release archive or build)
//   <configDir>/proxy/caddy.json                its whole config (0640 root:<user>)
//   <configDir>/proxy/tls.{crt,key}             copies of binary.proxy.tls.provided (0640 root:<user>)
//   <dataDir>/proxy/                            Caddy's storage: certificates, ACME account, internal CA
//   <configDir>/tls/ca.crt                      self-signed: the internal CA's root, for clients to trust

import { CADDY } from '../../../catalog/proxy.js';
import type { BinaryLayout } from '../layout.js';

export const PROXY_UNIT = 'openim-proxy.service';

export interface ProxyPaths {
  home: string;
  executable: string;
  configDir: string;
  config: string;
  storage: string;
  providedCert: string;
  providedKey: string;
  /** The internal CA's root inside Caddy's storage. */
  internalRoot: string;
  /** Where clients find the CA to trust (self-signed). */
  caFile: string;
}

export function proxyPaths(layout: BinaryLayout): ProxyPaths {
  const home = `${layout.infraRoot}/caddy-${CADDY.version}`;
  const configDir = `${layout.configDir}/proxy`;
  const storage = `${layout.dataDir}/proxy`;
  return {
    home,
    executable: `${home}/caddy`,
    configDir,
    config: `${configDir}/caddy.json`,
    storage,
    providedCert: `${configDir}/tls.crt`,
    providedKey: `${configDir}/tls.key`,
    internalRoot: `${storage}/${CADDY.internalRoot}`,
    caFile: `${layout.configDir}/tls/ca.crt`,
  };
}
