// The monitoring processes a host runs, as data for the binary target's unit
// writer: executable source, ExecStart argv, port, writable paths. Prometheus
// and node_exporter come from the distribution (their package units are
// stopped and disabled, like Redis and etcd); Loki, Alloy and Grafana from
// upstream archives (catalog MONITORING.hostArchives).
//
// Restart tracking: node_exporter's systemd collector with
// --collector.systemd.enable-restarts-metrics exports NRestarts of every
// openim*.service unit as node_systemd_service_restart_total, and unit state
// as node_systemd_unit_state; the OpenIMCrashLooping / OpenIMRestartsHigh /
// OpenIMUnitFailed rules alert on them. It reads them over the system D-Bus
// (the unit must allow AF_UNIX).

import type { DeploySpec } from '../../../config/schema.js';
import type { HostArch } from '../../../catalog/host-artifacts.js';
import { substitute } from '../../../catalog/host-artifacts.js';
import { MONITORING } from '../../../catalog/infrastructure.js';
import { HOST_UNIT_PATTERN } from '../../../monitoring/index.js';
import { hostMonitoringChoices } from './choices.js';
import { monitoringPaths } from './paths.js';

type HostMonitoringId = 'prometheus' | 'node-exporter' | 'loki' | 'alloy' | 'grafana';

type ExecutableSource =
  | { kind: 'package'; apt: string; dnf: string; packageUnits: readonly string[] }
  | {
      kind: 'archive';
      archive: 'loki' | 'alloy' | 'grafana';
      url: string;
      version: string;
      format: 'zip' | 'tar';
      strip: number;
      installDir: string;
    };

export interface HostMonitoringService {
  id: HostMonitoringId;
  /** Unit name; matches HOST_UNIT_PATTERN so its restarts and logs are tracked too. */
  unit: string;
  description: string;
  source: ExecutableSource;
  argv: string[];
  port: number;
  /** HTTP path on 127.0.0.1:port that answers 200 once the process is ready (the install waits for it). */
  readyPath: string;
  /** EnvironmentFile= (Grafana). */
  environmentFile?: string;
  /** Directories the process writes (create them owned by the service user). */
  writablePaths: string[];
  /** Extra groups: Alloy reads the journal. */
  supplementaryGroups: string[];
}

/** Service user for the monitoring processes: not the OpenIM user, which can read OpenIM's credentials. */
export const MONITORING_USER = 'openim-monitoring';

function archiveSource(
  spec: DeploySpec,
  id: 'loki' | 'alloy' | 'grafana',
  arch: HostArch,
): ExecutableSource & { kind: 'archive' } {
  const a = MONITORING.hostArchives[id];
  return {
    kind: 'archive',
    archive: id,
    url: substitute(a.url, { version: a.version, arch }),
    version: a.version,
    format: a.format,
    strip: a.strip,
    installDir: `${monitoringPaths(spec).infraRoot}/${id}-${a.version}`,
  };
}

function executable(source: ExecutableSource & { kind: 'archive' }, arch: HostArch): string {
  return `${source.installDir}/${substitute(MONITORING.hostArchives[source.archive].executable, { arch })}`;
}

export function binaryMonitoringServices(spec: DeploySpec, arch: HostArch): HostMonitoringService[] {
  const c = hostMonitoringChoices(spec);
  const paths = monitoringPaths(spec);
  const ports = MONITORING.hostPorts;
  const services: HostMonitoringService[] = [];
  if (c.nodeExporter) {
    const pkg = MONITORING.hostPackages.nodeExporter;
    // An external Prometheus must reach it; the bundled one scrapes loopback.
    const listen = spec.monitoring.prometheusUrl ? '0.0.0.0' : '127.0.0.1';
    services.push({
      id: 'node-exporter',
      unit: 'openim-node-exporter.service',
      description: 'node_exporter for OpenIM (host, systemd unit state and restarts)',
      source: { kind: 'package', apt: pkg.apt, dnf: pkg.dnf, packageUnits: pkg.packageUnits },
      argv: [
        pkg.executable,
        `--web.listen-address=${listen}:${ports.nodeExporter}`,
        '--collector.systemd',
        `--collector.systemd.unit-include=${HOST_UNIT_PATTERN}`,
        '--collector.systemd.enable-restarts-metrics',
      ],
      port: ports.nodeExporter,
      readyPath: '/metrics',
      writablePaths: [],
      supplementaryGroups: [],
    });
  }
  if (c.prometheus) {
    const pkg = MONITORING.hostPackages.prometheus;
    services.push({
      id: 'prometheus',
      unit: 'openim-prometheus.service',
      description: 'Prometheus for OpenIM',
      source: { kind: 'package', apt: pkg.apt, dnf: pkg.dnf, packageUnits: pkg.packageUnits },
      argv: [
        pkg.executable,
        `--config.file=${paths.prometheusConfig}`,
        `--storage.tsdb.path=${paths.data.prometheus}`,
        `--storage.tsdb.retention.time=${MONITORING.retention.prometheus}`,
        `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      ],
      port: ports.prometheus,
      readyPath: '/-/ready',
      writablePaths: [paths.data.prometheus],
      supplementaryGroups: [],
    });
  }
  if (c.loki) {
    const source = archiveSource(spec, 'loki', arch);
    services.push({
      id: 'loki',
      unit: 'openim-loki.service',
      description: 'Loki for OpenIM logs',
      source,
      argv: [executable(source, arch), `-config.file=${paths.lokiConfig}`],
      port: ports.loki,
      readyPath: '/ready',
      writablePaths: [paths.data.loki],
      supplementaryGroups: [],
    });
  }
  if (c.alloy) {
    const source = archiveSource(spec, 'alloy', arch);
    services.push({
      id: 'alloy',
      unit: 'openim-alloy.service',
      description: "Grafana Alloy: ships the OpenIM units' journal to Loki",
      source,
      argv: [
        executable(source, arch),
        'run',
        paths.alloyConfig,
        `--storage.path=${paths.data.alloy}`,
        `--server.http.listen-addr=127.0.0.1:${ports.alloy}`,
        '--disable-reporting',
      ],
      port: ports.alloy,
      readyPath: '/-/ready',
      writablePaths: [paths.data.alloy],
      supplementaryGroups: ['systemd-journal'],
    });
  }
  if (c.grafana) {
    const source = archiveSource(spec, 'grafana', arch);
    services.push({
      id: 'grafana',
      unit: 'openim-grafana.service',
      description: 'Grafana for OpenIM',
      source,
      argv: [executable(source, arch), 'server', `--homepath=${source.installDir}`],
      port: ports.grafana,
      readyPath: '/api/health',
      environmentFile: paths.grafanaEnv,
      writablePaths: [paths.data.grafana],
      supplementaryGroups: [],
    });
  }
  return services;
}
