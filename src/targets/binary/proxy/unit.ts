// The proxy's unit: Caddy as the OpenIM user, sandboxed like the OpenIM
// processes (units.ts hardening) with one privilege, CAP_NET_BIND_SERVICE,
// to bind 443 and 80. Ordered after OpenIM's targets: it starts once the
// server and chat are up, and stops first.

import type { DeploySpec } from '../../../config/schema.js';
import type { BinaryLayout } from '../layout.js';
import { renderUnit, type UnitFile } from '../systemd-ini.js';
import { hardening, HEADER, PROXY_VARIABLES, TARGETS, type UnitText } from '../units.js';
import { PROXY_UNIT, type ProxyPaths } from './paths.js';

export function proxyUnit(spec: DeploySpec, layout: BinaryLayout, paths: ProxyPaths): UnitText {
  const after = ['network-online.target', TARGETS.server, ...(spec.openim.components.chat ? [TARGETS.chat] : [])];
  const unit: UnitFile = {
    Unit: {
      Description: 'Caddy reverse proxy for OpenIM (HTTPS, one public endpoint)',
      Documentation: 'https://caddyserver.com/docs/',
      Wants: 'network-online.target',
      After: after,
      PartOf: TARGETS.all,
      StartLimitIntervalSec: 0,
    },
    Service: {
      // `caddy run` tells systemd when its listeners are up (sd_notify READY=1).
      Type: 'notify',
      User: layout.user,
      Group: layout.group,
      UnsetEnvironment: PROXY_VARIABLES.join(' '),
      // Caddy derives its data and config folders from these when the config names none (storage is set; this keeps
      // anything else it writes out of the user's home, which is not mounted).
      Environment: [`XDG_DATA_HOME=${paths.storage}`, `XDG_CONFIG_HOME=${paths.storage}`, `HOME=${paths.storage}`],
      WorkingDirectory: paths.storage,
      ExecStart: `${paths.executable} run --config ${paths.config}`,
      Restart: 'always',
      RestartSec: '3s',
      TimeoutStopSec: '30s',
      LimitNOFILE: 100000,
      SyslogIdentifier: 'openim-proxy',
      ...hardening([paths.storage]),
      // The one privilege: bind ports below 1024.
      CapabilityBoundingSet: 'CAP_NET_BIND_SERVICE',
      AmbientCapabilities: 'CAP_NET_BIND_SERVICE',
    },
    Install: { WantedBy: TARGETS.all },
  };
  return { name: PROXY_UNIT, text: renderUnit(unit, HEADER) };
}
