// Which OpenIM processes expose Prometheus metrics and how many instances of
// each run, derived from the catalog (src/catalog/modules.ts): every module
// with a port named `metrics`. Both targets scrape exactly these.

import type { DeploySpec } from '../config/schema.js';
import { ALL_MODULES, type OpenIMModule } from '../catalog/modules.js';

export interface MetricsModule {
  module: OpenIMModule;
  /** Metrics port of instance 0; instance i of a host listens on port + i (open-im-server config/openim-*.yml@v3.8.3, prometheus.ports). */
  port: number;
  /** Pods (Kubernetes) or `-i` instances (host). */
  instances: number;
}

/** The metrics port of a module, if it has one. */
function metricsPortOf(module: OpenIMModule): number | undefined {
  return module.ports.find((p) => p.name === 'metrics')?.port;
}

/** Every catalog module with a metrics port, whether or not a spec enables it. */
export function catalogMetricsModules(): OpenIMModule[] {
  return ALL_MODULES.filter((m) => metricsPortOf(m) !== undefined);
}

/** Same count as the targets use: the spec's override, else the profile default. */
function instancesOf(spec: DeploySpec, module: OpenIMModule): number {
  return spec.openim.replicas[module.name] ?? module.instances[spec.profile];
}

function enabled(spec: DeploySpec, module: OpenIMModule): boolean {
  const c = spec.openim.components;
  if (module.product === 'chat') return c.chat;
  if (module.product === 'front') return module.name === 'openim-web-front' ? c.webFront : c.adminFront;
  return true;
}

/** Every module this install runs (server always; chat and fronts by openim.components). */
export function installedModules(spec: DeploySpec): OpenIMModule[] {
  return ALL_MODULES.filter((m) => enabled(spec, m));
}

/** Modules of this install that expose metrics and run at least one instance. */
export function metricsModules(spec: DeploySpec): MetricsModule[] {
  return catalogMetricsModules()
    .filter((m) => enabled(spec, m))
    .map((module) => ({ module, port: metricsPortOf(module)!, instances: instancesOf(spec, module) }))
    .filter((m) => m.instances > 0);
}
