// The host Prometheus configuration: one job per OpenIM module with a static
// target per instance (instance i listens on the module's metrics port + i,
// the same rule the OpenIM config files follow), node_exporter, and the
// monitoring services themselves. Alert rules are loaded from files.

import { Document } from 'yaml';
import type { DeploySpec } from '../../../config/schema.js';
import { MONITORING } from '../../../catalog/infrastructure.js';
import { metricsModules } from '../../../monitoring/index.js';
import { unitNameOf } from '../units.js';
import { hostMonitoringChoices } from './choices.js';
import { monitoringPaths } from './paths.js';

interface StaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scrape_interval?: string;
  static_configs: StaticConfig[];
}

export interface PrometheusConfig {
  global: { scrape_interval: string; evaluation_interval: string; external_labels?: Record<string, string> };
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

/**
 * Address the scrape targets are reached at: loopback for the bundled
 * Prometheus, the host's public name for an external one (OpenIM metrics
 * ports listen on every interface).
 */
function scrapeHost(spec: DeploySpec): string {
  return spec.monitoring.prometheusUrl ? spec.openim.domain || '127.0.0.1' : '127.0.0.1';
}

export const RULES_FILE = 'openim-alerts.yml';

export function prometheusConfig(spec: DeploySpec): PrometheusConfig {
  const host = scrapeHost(spec);
  const paths = monitoringPaths(spec);
  const c = hostMonitoringChoices(spec);
  const ports = MONITORING.hostPorts;
  const openim: ScrapeConfig[] = metricsModules(spec).map(({ module, port, instances }) => ({
    job_name: module.name,
    metrics_path: '/metrics',
    static_configs: Array.from({ length: instances }, (_, i) => ({
      targets: [`${host}:${port + i}`],
      labels: { unit: `${unitNameOf(module)}@${i}.service`, index: String(i) },
    })),
  }));
  const local = (job: string, port: number): ScrapeConfig => ({
    job_name: job,
    static_configs: [{ targets: [`${host}:${port}`] }],
  });
  return {
    global: { scrape_interval: MONITORING.scrapeInterval, evaluation_interval: MONITORING.scrapeInterval },
    rule_files: [`${paths.rulesDir}/*.yml`],
    scrape_configs: [
      ...openim,
      local('node', ports.nodeExporter),
      ...(c.prometheus ? [local('prometheus', ports.prometheus)] : []),
      ...(c.loki ? [local('loki', ports.loki)] : []),
      ...(c.alloy ? [local('alloy', ports.alloy)] : []),
      ...(c.grafana ? [local('grafana', ports.grafana)] : []),
    ],
  };
}

export function prometheusConfigText(spec: DeploySpec): string {
  const doc = new Document(prometheusConfig(spec));
  doc.commentBefore = spec.monitoring.prometheusUrl
    ? ` Written by openim-deploy for the Prometheus at ${spec.monitoring.prometheusUrl}:\n add these scrape_configs and the rules in ${monitoringPaths(spec).rulesDir} to it.`
    : ' Written by openim-deploy; a re-run overwrites changes.';
  return doc.toString({ lineWidth: 0 });
}
