// OpenIM's own ports once the proxy fronts them: loopback only.
//
// openim-api takes a listen address (openim-api.yml api.listenIP, internal/api/init.go@v3.8.3:84) and
// MinIO one on its command line (--address), so both bind 127.0.0.1. Three listeners ignore any address:
// msggateway's WebSocket binds `:port` (internal/msggateway/ws_server.go@v3.8.3:164) and chat-api/admin-api
// too (chat internal/api/chat/start.go@v1.8.4:82). For those units systemd's per-unit IP filter
// (IPAddressDeny=any, IPAddressAllow=localhost + the infrastructure they talk to) drops every packet from
// or to another address. It needs the unified cgroup hierarchy (cgroup v2, the default on current
// distributions); where systemd cannot load it, systemd logs so and runs the unit unfiltered: firewall
// those ports yourself there (README, single host in production).

import type { DeploySpec } from '../../../config/schema.js';
import { isIpv4 } from '../../../config/domain.js';
import { infraAddresses, isLocalOnlyHost } from '../endpoints.js';
import { proxied } from './urls.js';

/** Modules whose client port binds every interface, whatever their config says. */
export const ALL_INTERFACE_MODULES: readonly string[] = ['openim-msggateway', 'chat-api', 'admin-api'];

export type LoopbackFilter = { allow: string[] } | { reason: string };

/** The IP filter for those modules, or why there is none (the proxy is off, or infrastructure named by host name). */
export function loopbackFilter(spec: DeploySpec): LoopbackFilter {
  if (!proxied(spec)) return { reason: "the proxy is off: OpenIM's ports are the public endpoint" };
  const allow = new Set<string>(['localhost']);
  const named: string[] = [];
  for (const { address } of infraAddresses(spec)) {
    if (isLocalOnlyHost(address.host) && !address.host.endsWith('.localhost')) continue;
    if (isIpv4(address.host)) allow.add(address.host);
    else named.push(address.host);
  }
  if (named.length > 0) {
    return {
      reason: `external infrastructure is named by host name (${[...new Set(named)].join(', ')}) and systemd's IP filter takes addresses only`,
    };
  }
  return { allow: [...allow] };
}
