// What rules and dashboards need to know about where OpenIM runs. The label
// contract both targets keep:
//   job       = OpenIM module name (openim-api, openim-rpc-user …) on every
//               series scraped from a module's metrics port. On Kubernetes the
//               ServiceMonitor's default job is the Service name, which is the
//               module name; on hosts the scrape config names the job.
//   namespace = the OpenIM namespace (Kubernetes only).
//   unit      = systemd instance unit, e.g. openim-api@0.service (hosts only).

import type { DeploySpec } from '../config/schema.js';
import { metricsModules } from './scrape-targets.js';
import type { Matcher } from './promql.js';
import { anyOf } from './promql.js';

type Platform = 'kubernetes' | 'host';

export interface MonitoringContext {
  platform: Platform;
  /** Kubernetes namespace of OpenIM; empty on hosts. */
  namespace: string;
  /** Jobs (= module names) that expose metrics. */
  jobs: string[];
}

export function monitoringContext(spec: DeploySpec): MonitoringContext {
  const platform: Platform = spec.target === 'kubernetes' ? 'kubernetes' : 'host';
  return {
    platform,
    namespace: platform === 'kubernetes' ? spec.kubernetes.namespace : '',
    jobs: metricsModules(spec).map((m) => m.module.name),
  };
}

/** Matchers selecting the OpenIM namespace on Kubernetes, nothing on hosts. */
export function namespaceMatchers(ctx: MonitoringContext): Matcher[] {
  return ctx.platform === 'kubernetes' ? [['namespace', '=', ctx.namespace]] : [];
}

/** Matchers selecting every OpenIM metrics target. */
export function openimMatchers(ctx: MonitoringContext): Matcher[] {
  return [...namespaceMatchers(ctx), ['job', '=~', anyOf(ctx.jobs)]];
}

/** Matchers selecting one module's targets. */
export function jobMatchers(ctx: MonitoringContext, job: string): Matcher[] {
  return [...namespaceMatchers(ctx), ['job', '=', job]];
}

/** systemd units of OpenIM and of the infrastructure the installer runs on a host. */
export const HOST_UNIT_PATTERN = 'openim.+\\.service';
