// The systemd units for OpenIM on a host, as data (systemd-ini.ts writes them):
// one template per module (`openim-<module>@.service`, instance = `-i` index),
// a oneshot check per product that waits for what it needs, and targets that
// group them: openim.target ⊃ openim-infra.target, openim-server.target,
// openim-chat.target. Start order: infrastructure → server → chat.

import type { DeploySpec } from '../../config/schema.js';
import type { Action, WriteAction } from '../../plan/types.js';
import { CHAT_MODULES, SERVER_MODULES, type OpenIMModule } from '../../catalog/modules.js';
import { OPENIM_TOOLS } from '../../catalog/host-artifacts.js';
import { serverRelease } from '../../catalog/openim-versions.js';
import type { BinaryLayout, Product } from './layout.js';
import { renderUnit, type UnitFile, type UnitSection } from './systemd-ini.js';
import { ALL_INTERFACE_MODULES, loopbackFilter } from './proxy/loopback.js';
import { PROXY_VARIABLES as LIVE_PROXY_VARIABLES } from '../day2/live-helpers.js';
import { exec } from '../../plan/actions.js';

export const HEADER =
  'Written by openim-deploy; a re-run overwrites changes.\nPut local changes in a drop-in: systemctl edit <unit>';

/**
 * Proxy variables a unit must not inherit: gRPC to etcd would go through the proxy (openimsdk/openim-docker issue #180).
 * The ones a live install is checked for, plus the proxy exceptions (no_proxy), which mean nothing without a proxy.
 */
export const PROXY_VARIABLES = [...LIVE_PROXY_VARIABLES, 'no_proxy', 'NO_PROXY'];

export const TARGETS = {
  all: 'openim.target',
  infra: 'openim-infra.target',
  server: 'openim-server.target',
  chat: 'openim-chat.target',
} as const;

export const CHECK_UNITS: Record<Product, string> = {
  server: 'openim-server-check.service',
  chat: 'openim-chat-check.service',
};

/**
 * Sandboxing for every OpenIM process: a network service that reads its
 * config, writes only below ReadWritePaths and needs no privilege. Rated
 * about 1.4 ("OK") by `systemd-analyze security`; the unit tests hold it
 * at 4.0 or better.
 */
export function hardening(readWritePaths: string[]): UnitSection {
  return {
    NoNewPrivileges: true,
    ProtectSystem: 'strict',
    ReadWritePaths: readWritePaths.join(' '),
    ProtectHome: true,
    PrivateTmp: true,
    PrivateDevices: true,
    DevicePolicy: 'closed',
    ProtectKernelTunables: true,
    ProtectKernelModules: true,
    ProtectKernelLogs: true,
    ProtectControlGroups: true,
    ProtectClock: true,
    ProtectHostname: true,
    ProtectProc: 'invisible',
    ProcSubset: 'pid',
    RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
    RestrictNamespaces: true,
    RestrictRealtime: true,
    RestrictSUIDSGID: true,
    LockPersonality: true,
    // Go binaries never need writable+executable memory.
    MemoryDenyWriteExecute: true,
    RemoveIPC: true,
    KeyringMode: 'private',
    UMask: '0027',
    CapabilityBoundingSet: '',
    AmbientCapabilities: '',
    SystemCallArchitectures: 'native',
    SystemCallFilter: ['@system-service', '~@privileged @resources'],
    SystemCallErrorNumber: 'EPERM',
  };
}

export function unitNameOf(module: OpenIMModule): string {
  return module.name.startsWith('openim-') ? module.name : `openim-${module.name}`;
}

export function instanceCount(spec: DeploySpec, module: OpenIMModule): number {
  return spec.openim.replicas[module.name] ?? module.instances[spec.profile];
}

export interface ModuleUnits {
  module: OpenIMModule;
  product: Product;
  /** Template unit file name, e.g. `openim-api@.service`. */
  template: string;
  /** Instance names, e.g. `openim-api@0.service`. */
  instances: string[];
}

export function openimModules(spec: DeploySpec): ModuleUnits[] {
  const modules: [OpenIMModule, Product][] = [
    ...SERVER_MODULES.map((m) => [m, 'server'] as [OpenIMModule, Product]),
    ...(spec.openim.components.chat ? CHAT_MODULES.map((m) => [m, 'chat'] as [OpenIMModule, Product]) : []),
  ];
  return modules.map(([module, product]) => {
    const name = unitNameOf(module);
    const count = instanceCount(spec, module);
    return {
      module,
      product,
      template: `${name}@.service`,
      instances: Array.from({ length: count }, (_, i) => `${name}@${i}.service`),
    };
  });
}

export interface UnitText {
  name: string;
  text: string;
}

/** Writes unit files into the unit directory, then reloads systemd so that it reads them. */
export function unitWriteActions(unitDir: string, units: UnitText[]): Action[] {
  return [
    ...units.map((u): WriteAction => ({
      kind: 'write',
      path: `${unitDir}/${u.name}`,
      mode: 0o644,
      content: u.text,
      render: `systemd/${u.name}`,
    })),
    exec(['systemctl', 'daemon-reload']),
  ];
}

export interface UnitContext {
  spec: DeploySpec;
  layout: BinaryLayout;
  /** Units of bundled infrastructure the checks wait for (e.g. openim-redis.service). */
  infraUnits: string[];
}

function common(ctx: UnitContext): UnitSection {
  return {
    User: ctx.layout.user,
    Group: ctx.layout.group,
    UnsetEnvironment: PROXY_VARIABLES.join(' '),
  };
}

/** Behind the proxy, the listeners that ignore listenIP get systemd's IP filter (proxy/loopback.ts). */
function loopbackOnly(spec: DeploySpec, module: OpenIMModule): UnitSection {
  if (!ALL_INTERFACE_MODULES.includes(module.name)) return {};
  const filter = loopbackFilter(spec);
  return 'allow' in filter ? { IPAddressDeny: 'any', IPAddressAllow: filter.allow.join(' ') } : {};
}

function moduleUnit(ctx: UnitContext, m: ModuleUnits): UnitFile {
  const { layout } = ctx;
  const product = m.product;
  const target = product === 'server' ? TARGETS.server : TARGETS.chat;
  const binary = `${layout.current[product]}/bin/${m.module.name}`;
  return {
    Unit: {
      Description: `OpenIM ${product} ${m.module.name} (instance %i)`,
      Documentation: 'https://docs.openim.io/',
      // Wants, not Requires: if the check gives up, Restart=always keeps retrying until the infrastructure is back.
      Wants: ['network-online.target', CHECK_UNITS[product]],
      After: ['network-online.target', CHECK_UNITS[product]],
      PartOf: target,
      // Never give up restarting.
      StartLimitIntervalSec: 0,
    },
    Service: {
      Type: 'simple',
      ...common(ctx),
      WorkingDirectory: layout.work[product],
      ExecStart: `${binary} -i %i -c ${layout.config[product]}`,
      Restart: 'always',
      RestartSec: '3s',
      TimeoutStopSec: '30s',
      // At least upstream's start-up check (start-config.yml maxFileDescriptors), and room for
      // msggateway's websocketMaxConnNum 100000 connections.
      LimitNOFILE: Math.max(serverRelease(ctx.spec.openim.serverVersion).maxFileDescriptors, 100000),
      SyslogIdentifier: `${m.module.name}-%i`,
      ...hardening([layout.work[product]]),
      ...loopbackOnly(ctx.spec, m.module),
    },
    Install: { WantedBy: target },
  };
}

function checkUnit(ctx: UnitContext, product: Product): UnitFile {
  const { layout } = ctx;
  const waitsFor =
    product === 'server'
      ? ['network-online.target', TARGETS.infra, ...ctx.infraUnits]
      : ['network-online.target', TARGETS.server];
  return {
    Unit: {
      Description:
        product === 'server'
          ? 'OpenIM server: wait for MongoDB, Redis, Kafka, object storage and etcd'
          : 'OpenIM chat: wait for its infrastructure and the OpenIM server API',
      Wants: ['network-online.target'],
      After: waitsFor,
      PartOf: product === 'server' ? TARGETS.server : TARGETS.chat,
    },
    Service: {
      Type: 'oneshot',
      RemainAfterExit: true,
      ...common(ctx),
      WorkingDirectory: layout.work[product],
      ExecStart: `${layout.current[product]}/tools/${OPENIM_TOOLS.checkComponent} -c ${layout.config[product]}`,
      // check-component itself waits up to 180 s.
      TimeoutStartSec: '300s',
      SyslogIdentifier: `openim-${product}-check`,
      ...hardening([layout.work[product]]),
    },
    Install: { WantedBy: product === 'server' ? TARGETS.server : TARGETS.chat },
  };
}

function targetUnits(ctx: UnitContext): Record<string, UnitFile> {
  const chat = ctx.spec.openim.components.chat;
  const units: Record<string, UnitFile> = {
    [TARGETS.all]: {
      Unit: { Description: 'OpenIM: infrastructure, server and chat', Documentation: 'https://docs.openim.io/' },
      Install: { WantedBy: 'multi-user.target' },
    },
    [TARGETS.infra]: {
      Unit: { Description: 'OpenIM infrastructure run on this host', PartOf: TARGETS.all },
      Install: { WantedBy: TARGETS.all },
    },
    [TARGETS.server]: {
      Unit: { Description: 'OpenIM server', After: TARGETS.infra, PartOf: TARGETS.all },
      Install: { WantedBy: TARGETS.all },
    },
  };
  if (chat) {
    units[TARGETS.chat] = {
      Unit: { Description: 'OpenIM chat', After: TARGETS.server, PartOf: TARGETS.all },
      Install: { WantedBy: TARGETS.all },
    };
  }
  return units;
}

/** Every OpenIM unit file (targets, checks, module templates), rendered. */
export function openimUnitFiles(ctx: UnitContext): UnitText[] {
  const files: UnitText[] = [];
  for (const [name, unit] of Object.entries(targetUnits(ctx))) files.push({ name, text: renderUnit(unit, HEADER) });
  const products: Product[] = ctx.spec.openim.components.chat ? ['server', 'chat'] : ['server'];
  for (const product of products)
    files.push({ name: CHECK_UNITS[product], text: renderUnit(checkUnit(ctx, product), HEADER) });
  for (const m of openimModules(ctx.spec))
    files.push({ name: m.template, text: renderUnit(moduleUnit(ctx, m), HEADER) });
  return files;
}
