// Every monitoring file the binary target writes (the binary steps write
// them like the OpenIM config files). Secrets appear only as placeholders;
// the one file holding a placeholder (Grafana's environment) is 0600.

import { stringify } from 'yaml';
import type { DeploySpec } from '../../../config/schema.js';
import { LOKI_SCHEMA_CONFIG, MONITORING } from '../../../catalog/infrastructure.js';
import {
  hostAlloyConfig,
  installedModules,
  lokiPushUrl,
  monitoringContext,
  openimAlertGroups,
  openimDashboards,
  rulesFile,
} from '../../../monitoring/index.js';
import { hostMonitoringChoices } from './choices.js';
import {
  environmentFileText,
  grafanaDashboardProvider,
  grafanaDatasources,
  grafanaEnvironment,
  hostLokiUrl,
} from './grafana.js';
import { monitoringPaths } from './paths.js';
import { prometheusConfigText, RULES_FILE } from './prometheus-config.js';

export interface MonitoringFile {
  /** Absolute path on the host. */
  path: string;
  content: string;
  mode: number;
  /** Path below `render --out DIR`. */
  render: string;
}

/** Loki single binary on the host: filesystem storage, in-memory ring, retention by the compactor. */
function hostLokiConfig(spec: DeploySpec): object {
  const data = monitoringPaths(spec).data.loki;
  return {
    auth_enabled: false,
    server: {
      http_listen_address: '127.0.0.1',
      http_listen_port: MONITORING.hostPorts.loki,
      grpc_listen_address: '127.0.0.1',
      grpc_listen_port: MONITORING.hostPorts.lokiGrpc,
    },
    common: {
      instance_addr: '127.0.0.1',
      path_prefix: data,
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' } },
      storage: { filesystem: { chunks_directory: `${data}/chunks`, rules_directory: `${data}/rules` } },
    },
    schema_config: LOKI_SCHEMA_CONFIG,
    limits_config: { retention_period: `${MONITORING.retention.lokiHours}h` },
    compactor: { working_directory: `${data}/compactor`, retention_enabled: true, delete_request_store: 'filesystem' },
    analytics: { reporting_enabled: false },
  };
}

export function binaryMonitoringFiles(spec: DeploySpec): MonitoringFile[] {
  const c = hostMonitoringChoices(spec);
  const paths = monitoringPaths(spec);
  const files: MonitoringFile[] = [];
  const add = (path: string, content: string, mode = 0o644) =>
    files.push({ path, content, mode, render: `monitoring/${path.slice(paths.configDir.length + 1)}` });
  const yaml = (o: object) => stringify(o, { lineWidth: 0 });

  if (spec.monitoring.enabled) {
    const ctx = monitoringContext(spec);
    // Written even for an external Prometheus: the user adds the jobs and rules to it.
    add(paths.prometheusConfig, prometheusConfigText(spec));
    add(`${paths.rulesDir}/${RULES_FILE}`, yaml(rulesFile(openimAlertGroups(ctx))));
    const dashboards = openimDashboards(ctx, {
      logs: c.alloy,
      logModules: installedModules(spec)
        .filter((m) => m.product !== 'front')
        .map((m) => m.name),
    });
    for (const d of dashboards) add(`${paths.grafanaDashboards}/${d.uid}.json`, `${JSON.stringify(d, null, 2)}\n`);
    if (c.grafana) {
      add(paths.grafanaEnv, environmentFileText(grafanaEnvironment(spec)), 0o600);
      add(`${paths.grafanaProvisioning}/datasources/openim.yaml`, grafanaDatasources(spec));
      add(`${paths.grafanaProvisioning}/dashboards/openim.yaml`, grafanaDashboardProvider(spec));
    }
  }
  if (c.loki) add(paths.lokiConfig, yaml(hostLokiConfig(spec)));
  if (c.alloy) add(paths.alloyConfig, hostAlloyConfig(lokiPushUrl(hostLokiUrl(spec))));
  return files;
}
