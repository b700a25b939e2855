// Monitoring and logging on a host, as plan steps: a dedicated service user,
// its folders, the distribution packages (Prometheus, node_exporter) or the
// verified upstream archives (Grafana, Loki, Alloy), the files of
// binaryMonitoringFiles, one hardened unit per process under
// openim-monitoring.target, then start and readiness.
//
// Start order: after the bundled infrastructure (its package step and units),
// and nothing of OpenIM needs any of these steps, so a monitoring failure
// never blocks OpenIM. The monitoring processes run as openim-monitoring,
// which cannot read OpenIM's config (0750 root:openim) or the credentials.

import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import type { DeploySpec } from '../../../config/schema.js';
import type { HostArch, PackageManager } from '../../../catalog/host-artifacts.js';
import { MONITORING } from '../../../catalog/infrastructure.js';
import type { ExecAction, Step, WaitAction } from '../../../plan/types.js';
import type { ArtifactId, MonitoringArchiveId, PlannedArtifact } from '../artifacts.js';
import type { BinaryLayout } from '../layout.js';
import { BINARY_STEP, fetchStepId, monitoringExtractStepId } from '../step-ids.js';
import { execStart, renderUnit, type UnitFile, type UnitSection } from '../systemd-ini.js';
import { hardening, HEADER, PROXY_VARIABLES, unitWriteActions, type UnitText } from '../units.js';
import { binaryMonitoringFiles } from './files.js';
import { hostGrafanaUrl } from './grafana.js';
import { monitoringPaths } from './paths.js';
import { packageInstallActions } from '../packages.js';
import { binaryMonitoringServices, MONITORING_USER, type HostMonitoringService } from './services.js';
import { exec } from '../../../plan/actions.js';
import { systemUserAction } from '../system-user.js';

export const MONITORING_TARGET = 'openim-monitoring.target';

/** Archives the host's monitoring needs (fetched and verified with everything else, before the host changes). */
export function monitoringArtifacts(spec: DeploySpec, arch: HostArch): MonitoringArchiveId[] {
  return binaryMonitoringServices(spec, arch).flatMap((s) => (s.source.kind === 'archive' ? [s.source.archive] : []));
}

/** Distribution packages the host's monitoring needs. */
export function monitoringPackages(
  spec: DeploySpec,
  arch: HostArch,
  pm: PackageManager,
): { names: string[]; packageUnits: string[] } {
  const packaged = binaryMonitoringServices(spec, arch).flatMap((s) => (s.source.kind === 'package' ? [s.source] : []));
  return { names: packaged.map((p) => p[pm]), packageUnits: packaged.flatMap((p) => p.packageUnits) };
}

/** Processes that need more of the host than an OpenIM process does, and why. */
function serviceHardening(service: HostMonitoringService): UnitSection {
  const base = hardening(service.writablePaths);
  if (service.id === 'node-exporter') {
    return {
      ...base,
      // /proc/stat, /proc/meminfo, /proc/diskstats… are what it exports; ProcSubset=pid would hide them.
      ProcSubset: 'all',
      // Filesystem stats of every mount, /home included; still not writable.
      ProtectHome: 'read-only',
    };
  }
  return base;
}

/** Units a monitoring process starts after, when they run on this host (no Requires: each retries on its own). */
function orderAfter(service: HostMonitoringService, present: Set<string>): string[] {
  const wanted: Record<HostMonitoringService['id'], string[]> = {
    'node-exporter': [],
    prometheus: ['openim-node-exporter.service'],
    loki: [],
    alloy: ['openim-loki.service'],
    grafana: ['openim-prometheus.service', 'openim-loki.service'],
  };
  return wanted[service.id].filter((u) => present.has(u));
}

function monitoringUnit(service: HostMonitoringService, present: Set<string>): UnitFile {
  return {
    Unit: {
      Description: service.description,
      Documentation: 'https://docs.openim.io/',
      Wants: 'network-online.target',
      After: ['network-online.target', ...orderAfter(service, present)],
      PartOf: MONITORING_TARGET,
      StartLimitIntervalSec: 0,
    },
    Service: {
      Type: 'simple',
      User: MONITORING_USER,
      Group: MONITORING_USER,
      ...(service.supplementaryGroups.length ? { SupplementaryGroups: service.supplementaryGroups.join(' ') } : {}),
      UnsetEnvironment: PROXY_VARIABLES.join(' '),
      ...(service.environmentFile ? { EnvironmentFile: service.environmentFile } : {}),
      WorkingDirectory: service.writablePaths[0] ?? '/',
      ExecStart: execStart(service.argv),
      Restart: 'always',
      RestartSec: '5s',
      TimeoutStopSec: '60s',
      LimitNOFILE: 65536,
      SyslogIdentifier: service.unit.replace(/\.service$/, ''),
      ...serviceHardening(service),
    },
    Install: { WantedBy: MONITORING_TARGET },
  };
}

/** Every monitoring unit file (the target and one service per process), rendered. */
function monitoringUnitFiles(services: HostMonitoringService[]): UnitText[] {
  if (services.length === 0) return [];
  const present = new Set(services.map((s) => s.unit));
  const target: UnitFile = {
    Unit: {
      Description: 'OpenIM monitoring and logging (OpenIM never waits for it)',
      Documentation: 'https://docs.openim.io/',
    },
    Install: { WantedBy: 'multi-user.target' },
  };
  return [
    { name: MONITORING_TARGET, text: renderUnit(target, HEADER) },
    ...services.map((s) => ({ name: s.unit, text: renderUnit(monitoringUnit(s, present), HEADER) })),
  ];
}

export interface MonitoringPlanContext {
  spec: DeploySpec;
  layout: BinaryLayout;
  arch: HostArch;
  packageManager: PackageManager;
  /** Packages already on the host (facts): no apt-get/dnf for them. */
  installedPackages: readonly string[];
  artifacts: Partial<Record<ArtifactId, PlannedArtifact>>;
  /** Steps monitoring starts after: the infrastructure's start (and so its package step). */
  after: string[];
}

export interface MonitoringPlan {
  steps: Step[];
  /** Unit files of the monitoring processes and their target. */
  units: UnitText[];
  /** Lines for the install summary: where to look, never a secret value. */
  summary: string[];
}

function digest(parts: string[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(`${p}\0`);
  return hash.digest('hex').slice(0, 16);
}

/** Every folder below `root` that holds one of `paths`, parents first. */
function foldersBelow(root: string, paths: string[]): string[] {
  const out = new Set<string>([root]);
  for (const p of paths) {
    const chain: string[] = [];
    for (let d = dirname(p); d.startsWith(`${root}/`); d = dirname(d)) chain.unshift(d);
    for (const d of chain) out.add(d);
  }
  return [...out];
}

export function monitoringPlan(ctx: MonitoringPlanContext): MonitoringPlan {
  const { spec, layout, arch } = ctx;
  const services = binaryMonitoringServices(spec, arch);
  const files = binaryMonitoringFiles(spec);
  const paths = monitoringPaths(spec);
  const plan: MonitoringPlan = { steps: [], units: [], summary: [] };
  if (files.length === 0 && services.length === 0) return plan;

  // What must be in place before the processes start: packages, unpacked archives, config files.
  const prepared = [
    monitoringPackagesStep(ctx),
    ...monitoringExtractSteps(ctx, services),
    monitoringConfigStep(files, paths),
  ].filter((s): s is Step => s !== undefined);
  plan.steps.push(monitoringUserStep(paths), monitoringDirsStep(services, files, paths), ...prepared);
  if (services.length === 0) return plan; // external Prometheus and Grafana: only the files for them

  plan.units = monitoringUnitFiles(services);
  const units = monitoringUnitsStep(layout, plan.units);
  const needs = [BINARY_STEP.monitoringDirs, ...prepared.map((s) => s.id), units.id];
  plan.steps.push(units, monitoringStartStep(ctx, services, files, plan.units, needs), monitoringHealthStep(services));
  plan.summary.push(...monitoringSummary(spec, services, paths));
  return plan;
}

type MonitoringPaths = ReturnType<typeof monitoringPaths>;
type MonitoringFile = ReturnType<typeof binaryMonitoringFiles>[number];

function monitoringUserStep(paths: MonitoringPaths): Step {
  const user = MONITORING_USER;
  return {
    id: BINARY_STEP.monitoringUser,
    title: `System user ${user}`,
    phase: 'monitoring',
    needs: [BINARY_STEP.user],
    actions: [systemUserAction(user, paths.dataDir)],
  };
}

function monitoringDirsStep(services: HostMonitoringService[], files: MonitoringFile[], paths: MonitoringPaths): Step {
  const user = MONITORING_USER;
  const writable = services.flatMap((s) => s.writablePaths);
  return {
    id: BINARY_STEP.monitoringDirs,
    title: 'Monitoring directories',
    phase: 'monitoring',
    needs: [BINARY_STEP.dirs, BINARY_STEP.monitoringUser],
    actions: [
      // Readable by the monitoring processes, not by the OpenIM user.
      exec([
        'install',
        '-d',
        '-m',
        '0750',
        '-o',
        'root',
        '-g',
        user,
        ...foldersBelow(
          paths.configDir,
          files.map((f) => f.path),
        ),
        paths.dataDir,
      ]),
      ...(writable.length ? [exec(['install', '-d', '-m', '0750', '-o', user, '-g', user, ...writable])] : []),
    ],
  };
}

/** Prometheus and node_exporter from the distribution, unless installed; their own services off (Debian's unit names). */
function monitoringPackagesStep(ctx: MonitoringPlanContext): Step | undefined {
  const pm = ctx.packageManager;
  const packages = monitoringPackages(ctx.spec, ctx.arch, pm);
  if (packages.names.length === 0) return undefined;
  const missing = packages.names.filter((n) => !ctx.installedPackages.includes(n));
  const install = packageInstallActions(pm, missing);
  const actions: ExecAction[] = [
    ...install,
    // The packages' own services would hold the ports; the hardened openim-* units replace them. The unit names are Debian's.
    ...(pm === 'apt' && packages.packageUnits.length
      ? [exec(['systemctl', 'disable', '--now', ...packages.packageUnits])]
      : []),
  ];
  if (actions.length === 0) return undefined;
  return {
    id: BINARY_STEP.monitoringPackages,
    title: missing.length
      ? `Packages ${missing.join(', ')}`
      : `Packages ${packages.names.join(', ')} (installed; their own services off)`,
    phase: 'monitoring',
    // After the infrastructure's own package step: two package managers at once would fight over the lock.
    needs: [BINARY_STEP.dirs, ...ctx.after],
    retries: 2,
    actions,
  };
}

/** One step per upstream archive (Grafana, Loki, Alloy): unpacked into its install folder. */
function monitoringExtractSteps(ctx: MonitoringPlanContext, services: HostMonitoringService[]): Step[] {
  return services.flatMap((s): Step[] => {
    if (s.source.kind !== 'archive') return [];
    const source = s.source;
    const planned = ctx.artifacts[source.archive]!;
    const executable = s.argv[0]!;
    return [
      {
        id: monitoringExtractStepId(source.archive),
        title: `Unpack ${planned.title} into ${source.installDir}`,
        phase: 'monitoring',
        component: source.archive,
        needs: [BINARY_STEP.dirs, fetchStepId(source.archive)],
        actions: [
          {
            kind: 'extract',
            archive: planned.path,
            to: source.installDir,
            ...(source.strip ? { strip: source.strip } : {}),
          },
          // A zip made without Unix modes would leave it 0644.
          exec(['chmod', '0755', executable]),
        ],
      },
    ];
  });
}

function monitoringConfigStep(files: MonitoringFile[], paths: MonitoringPaths): Step | undefined {
  if (files.length === 0) return undefined;
  return {
    id: BINARY_STEP.monitoringConfig,
    title: `Monitoring config (${files.length} files in ${paths.configDir})`,
    phase: 'monitoring',
    needs: [BINARY_STEP.monitoringDirs],
    actions: files.map((f) => ({
      kind: 'write' as const,
      path: f.path,
      mode: f.mode,
      content: f.content,
      render: f.render,
    })),
  };
}

function monitoringUnitsStep(layout: BinaryLayout, units: UnitText[]): Step {
  return {
    id: BINARY_STEP.monitoringUnits,
    title: `Monitoring units (${units.length} files in ${layout.unitDir})`,
    phase: 'monitoring',
    needs: [BINARY_STEP.dirs],
    actions: unitWriteActions(layout.unitDir, units),
  };
}

/** Start (restart when the digest of binaries, config and units moved) after everything it needs and `ctx.after`. */
function monitoringStartStep(
  ctx: MonitoringPlanContext,
  services: HostMonitoringService[],
  files: MonitoringFile[],
  units: UnitText[],
  needs: string[],
): Step {
  const unitNames = services.map((s) => s.unit);
  const pins = services.flatMap((s) =>
    s.source.kind === 'archive' ? [ctx.artifacts[s.source.archive]!.fetch.sha256] : [],
  );
  const state = digest([...pins, ...files.map((f) => f.content), ...units.map((u) => u.text)]);
  return {
    id: BINARY_STEP.monitoringStart,
    title: `Start ${unitNames.join(', ')}`,
    phase: 'monitoring',
    needs: [...needs, ...ctx.after],
    actions: [
      { kind: 'note', text: `monitoring ${state}: restarted when its binaries, config or units change` },
      exec(['systemctl', 'enable', MONITORING_TARGET, ...unitNames]),
      exec(['systemctl', 'restart', ...unitNames]),
      // The target up too, as a boot would bring it (stop/restart it to act on all of monitoring).
      exec(['systemctl', 'start', MONITORING_TARGET]),
    ],
  };
}

function monitoringHealthStep(services: HostMonitoringService[]): Step {
  const unitNames = services.map((s) => s.unit);
  return {
    id: BINARY_STEP.monitoringHealth,
    title: 'Monitoring answers',
    phase: 'verify',
    needs: [BINARY_STEP.monitoringStart],
    actions: [
      ...services.map((s): WaitAction => ({
        kind: 'wait',
        probe: { kind: 'http', url: `http://127.0.0.1:${s.port}${s.readyPath}`, expectStatus: 200 },
        // Loki's ring takes a while to settle on a first start.
        timeoutSeconds: s.id === 'loki' ? 300 : 180,
        intervalSeconds: 2,
      })),
      {
        kind: 'wait',
        probe: { kind: 'exec', argv: ['systemctl', 'is-active', '--quiet', ...unitNames] },
        timeoutSeconds: 60,
        intervalSeconds: 2,
      },
    ],
  };
}

/** Summary lines: where Grafana, Prometheus and the logs are (or what to add to the user's own). */
function monitoringSummary(spec: DeploySpec, services: HostMonitoringService[], paths: MonitoringPaths): string[] {
  const summary: string[] = [];
  const host = spec.openim.domain || '<this host>';
  const ids = new Set(services.map((s) => s.id));
  if (ids.has('grafana'))
    summary.push(
      `Grafana ${hostGrafanaUrl(spec)} (user admin, password grafana.adminPassword in ${spec.binary.stateDir}/state.json)`,
    );
  else if (spec.monitoring.grafanaUrl)
    summary.push(
      `Grafana: yours at ${spec.monitoring.grafanaUrl}; dashboards to import are in ${paths.grafanaDashboards}`,
    );
  if (ids.has('prometheus'))
    summary.push(
      `Prometheus http://127.0.0.1:${MONITORING.hostPorts.prometheus} (loopback only; alert rules in ${paths.rulesDir})`,
    );
  else
    summary.push(
      `Prometheus: add the scrape jobs of ${paths.prometheusConfig} and the rules in ${paths.rulesDir} to ${spec.monitoring.prometheusUrl}; node_exporter listens on ${host}:${MONITORING.hostPorts.nodeExporter}`,
    );
  if (ids.has('alloy'))
    summary.push(
      `logs: the journal of openim* units is shipped to Loki at ${spec.logging.lokiUrl || `http://127.0.0.1:${MONITORING.hostPorts.loki}`}`,
    );
  summary.push(`monitoring status: systemctl list-dependencies ${MONITORING_TARGET}`);
  return summary;
}
