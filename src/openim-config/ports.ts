// Fixed ports from the catalog (`autoSetPorts: false`). Instance N of a
// module is started with `-i N` and takes `ports[N]`, so each list holds one
// port per instance: base, base+1, … (the upstream convention, e.g. push
// 10170..10177 for 8 instances).

import type { DeploySpec } from '../config/schema.js';
import { findModule, type ModulePort, type OpenIMModule } from '../catalog/modules.js';
import type { ConfigOptions } from './types.js';

function moduleOrThrow(name: string): OpenIMModule {
  const mod = findModule(name);
  if (!mod) throw new Error(`unknown OpenIM module ${name}`);
  return mod;
}

/** Instances of a module: options, else spec replicas, else the profile default; at least 1. */
export function instancesOf(spec: DeploySpec, options: ConfigOptions, moduleName: string): number {
  const mod = moduleOrThrow(moduleName);
  const count = options.instances[moduleName] ?? spec.openim.replicas[moduleName] ?? mod.instances[spec.profile];
  return Math.max(1, count);
}

/** `[base, base+1, …]` for the module's port of that name, one per instance. */
export function portList(moduleName: string, portName: ModulePort['name'], count: number): number[] {
  const base = moduleOrThrow(moduleName).ports.find((p) => p.name === portName)?.port;
  if (base === undefined) throw new Error(`module ${moduleName} has no ${portName} port`);
  return Array.from({ length: Math.max(1, count) }, (_, i) => base + i);
}

export interface PortUse {
  module: string;
  portName: ModulePort['name'];
  port: number;
}

/**
 * Ports that two instances would both bind when every instance of the given
 * modules runs on one host (binary target). e.g. two msggateway instances take
 * ws 10001 and 10002, and 10002 is openim-api's. Kubernetes pods each use
 * index 0 in their own network namespace and need not care.
 */
export function findPortCollisions(
  spec: DeploySpec,
  options: ConfigOptions,
  moduleNames: readonly string[],
): PortUse[][] {
  const byPort = new Map<number, PortUse[]>();
  for (const name of moduleNames) {
    const mod = moduleOrThrow(name);
    const count = instancesOf(spec, options, name);
    for (const p of mod.ports) {
      for (const port of portList(name, p.name, count)) {
        const uses = byPort.get(port) ?? [];
        uses.push({ module: name, portName: p.name, port });
        byPort.set(port, uses);
      }
    }
  }
  return [...byPort.values()].filter((uses) => uses.length > 1);
}
