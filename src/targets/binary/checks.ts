// Preflight for a host install: pure functions of (spec, facts). What the
// spec alone decides (artifact sources and pins, port collisions) is checked
// even without probing; the host itself only when it was probed.

import type { DeploySpec } from '../../config/schema.js';
import type { PreflightFinding } from '../../errors.js';
import { findingList } from '../../preflight/findings.js';
import type { HostNeed } from '../target.js';
import type { BinaryFacts } from '../../facts/types.js';
import { HOST_INFRA_PORTS } from '../../catalog/host-artifacts.js';
import { goVersionFor } from '../../catalog/go-builds.js';
import { binarySource, goOlder, productVersion } from '../../build/source.js';
import { findPortCollisions } from '../../openim-config/index.js';
import { isMonitoringArchive, plannedArtifact, type ArtifactId, type MonitoringArchiveId } from './artifacts.js';
import { mongoToolsWanted } from './mongo-tools.js';
import { bundledInfra, isLocalOnlyHost, objectExternalAddress, type InfraId } from './endpoints.js';
import { infraArtifacts } from './infrastructure.js';
import { binaryLayout, targetArch } from './layout.js';
import { openimModules } from './units.js';
import { binaryMonitoringServices } from './monitoring/services.js';
import { CADDY } from '../../catalog/proxy.js';
import { loopbackFilter } from './proxy/loopback.js';
import { providedTlsFindings } from './proxy/tls-files.js';
import { proxied } from './proxy/urls.js';
import { monitoringArtifacts, monitoringPackages } from './monitoring/steps.js';

/** What to set instead of pinning a monitoring archive. */
const MONITORING_INSTEAD: Record<MonitoringArchiveId, string> = {
  grafana: 'or use your own Grafana with monitoring.grafanaUrl',
  loki: 'or ship to your own Loki with logging.lokiUrl',
  alloy: 'or set logging.enabled=false',
};

const INFRA_PORTS: Record<InfraId, number[]> = {
  mongodb: [HOST_INFRA_PORTS.mongodb],
  redis: [HOST_INFRA_PORTS.redis],
  kafka: [HOST_INFRA_PORTS.kafka, HOST_INFRA_PORTS.kafkaController],
  objectStorage: [HOST_INFRA_PORTS.minio, HOST_INFRA_PORTS.minioConsole],
  etcd: [HOST_INFRA_PORTS.etcd, HOST_INFRA_PORTS.etcdPeer],
};

const ARCHIVE_FIX =
  'or give a mage export tarball instead: binary.source archive with binary.artifacts.server.file (and .chat.file) + sha256';

/** The fix of each host requirement: one wording for the preflight error and for the list a dry run prints. */
const HOST_FIX = {
  root: 'run with sudo',
  systemd: 'use a systemd host, or the kubernetes target',
  arch: 'OpenIM builds for amd64 and arm64',
  go: (version: string) =>
    `install Go ${version} or newer (https://go.dev/dl/; Debian: apt-get install golang-go if its version is new enough), ${ARCHIVE_FIX}`,
  packaged: (packaged: readonly InfraId[]) =>
    `install apt-get or dnf, or run ${packaged.join(' and ')} yourself and set infrastructure.${packaged[0]}.mode=external`,
  monitoringPackages:
    'install them yourself, point monitoring.prometheusUrl at your Prometheus, or set monitoring.enabled=false',
};

/** The newest Go any product built here declares. */
function goNeeded(spec: DeploySpec, built: readonly ('server' | 'chat')[]): { p: 'server' | 'chat'; go: string } {
  return built
    .map((p) => ({ p, go: goVersionFor(p, productVersion(spec, p)) }))
    .sort((a, b) => (goOlder(a.go, b.go) ? 1 : -1))[0]!;
}

/** Products the local Go toolchain builds (binary.source build). */
function builtProducts(spec: DeploySpec): ('server' | 'chat')[] {
  return (['server', ...(spec.openim.components.chat ? (['chat'] as const) : [])] as const).filter(
    (p) => binarySource(spec, p) === 'build',
  );
}

/** Bundled infrastructure that comes from the distribution's packages. */
function packagedInfra(spec: DeploySpec): InfraId[] {
  return bundledInfra(spec).filter((c) => c === 'redis' || c === 'etcd');
}

/** Java for Kafka on this host: bundled Kafka runs on it, and kafka-topics.sh creates the topics. */
function javaNeed(spec: DeploySpec): { message: string; fix: string } | undefined {
  const kafka = spec.infrastructure.kafka;
  if (kafka.mode === 'bundled')
    return {
      message: 'bundled Kafka needs Java 11 or newer',
      fix: 'apt-get install -y openjdk-17-jre-headless, or use an external Kafka',
    };
  if (kafka.createTopics)
    return {
      message: 'creating the Kafka topics runs kafka-topics.sh, which needs Java 11 or newer',
      fix: 'install Java, or create the topics yourself and set infrastructure.kafka.createTopics=false',
    };
  return undefined;
}

/**
 * Everything this config asks of the host, whether or not it is met: `install --dry-run` and `plan`
 * print it (they probe nothing), and install's preflight checks each of them with the same id and
 * fix (a test keeps the two lists the same). #19 Medium 13: say before anything runs what is needed.
 */
export function binaryHostNeeds(spec: DeploySpec): HostNeed[] {
  const needs: HostNeed[] = [
    {
      id: 'host.root',
      need: 'root: installing units, system users and folders under /etc and /var/lib',
      fix: HOST_FIX.root,
    },
    { id: 'host.systemd', need: 'systemd as PID 1', fix: HOST_FIX.systemd },
    {
      id: 'host.arch',
      need: `an amd64 or arm64 machine${spec.binary.arch === 'auto' ? '' : ` (binary.arch ${spec.binary.arch})`}`,
      fix: HOST_FIX.arch,
    },
  ];
  const built = builtProducts(spec);
  if (built.length) {
    const go = goNeeded(spec, built);
    needs.push({
      id: 'build.go',
      need: `Go ${go.go} or newer on PATH (binary.source build compiles OpenIM ${built.join(' and ')}; the first build takes minutes)`,
      fix: HOST_FIX.go(go.go),
    });
  }
  const java = javaNeed(spec);
  if (java) needs.push({ id: 'host.java', need: java.message.replace(/^./, (c) => c.toUpperCase()), fix: java.fix });
  const packaged = packagedInfra(spec);
  if (packaged.length)
    needs.push({
      id: 'host.package-manager',
      need: `apt-get or dnf: bundled ${packaged.join(' and ')} come from the distribution's packages`,
      fix: HOST_FIX.packaged(packaged),
    });
  const monitoringPkgs = monitoringPackages(spec, targetArch(spec, undefined), 'apt').names;
  if (monitoringPkgs.length)
    needs.push({
      id: 'monitoring.packages',
      need: `apt-get or dnf: Prometheus and node_exporter come from the distribution's packages (Debian: ${monitoringPkgs.join(', ')})`,
      fix: HOST_FIX.monitoringPackages,
    });
  return needs;
}

export function binaryChecks(spec: DeploySpec, facts: BinaryFacts): PreflightFinding[] {
  const { findings, error, warn } = findingList();
  const host = facts.probed ? facts.host : undefined;
  const layout = binaryLayout(spec);
  const arch = targetArch(spec, host?.arch);
  const modules = openimModules(spec);

  // Artifacts: a source and a pinned checksum for each, or nothing is installed.
  const ids: ArtifactId[] = [
    'server',
    ...(spec.openim.components.chat ? (['chat'] as const) : []),
    ...infraArtifacts(spec),
    ...monitoringArtifacts(spec, arch),
    ...(mongoToolsWanted(spec) ? (['mongotools'] as const) : []),
    ...(proxied(spec) ? (['caddy'] as const) : []),
  ];
  const built = builtProducts(spec);
  for (const id of ids) {
    if ((built as readonly ArtifactId[]).includes(id)) continue;
    const instead = isMonitoringArchive(id) ? `, ${MONITORING_INSTEAD[id]}` : '';
    for (const problem of plannedArtifact(spec, id, arch, layout).problems) {
      const key = `binary.artifacts.${id}`;
      if (problem.field === 'url')
        error(
          `artifact.${id}.source`,
          problem.message,
          `set ${key}.url, ${key}.file, binary.mirror or offline.bundle (--set ${key}.file=PATH --set ${key}.sha256=HEX)${instead}`,
        );
      else
        error(
          `artifact.${id}.sha256`,
          problem.message,
          `set ${key}.sha256 to the checksum published with the artifact (--set ${key}.sha256=HEX; sha256sum FILE prints it)${instead}`,
        );
    }
  }

  // binary.source build: the local Go toolchain builds server and chat.
  if (built.length && host) {
    const needs = goNeeded(spec, built);
    if (!host.go) {
      error(
        'build.go',
        `binary.source build needs the Go toolchain to build OpenIM ${built.join(' and ')}, and go is not on PATH`,
        HOST_FIX.go(needs.go),
      );
    } else if (goOlder(host.go.version, needs.go)) {
      const toolchain = spec.binary.build.gotoolchain || host.go.gotoolchain;
      const text = `local ${host.go.version} is older than go ${needs.go}, which OpenIM ${needs.p} ${productVersion(spec, needs.p)} declares in its go.mod`;
      if (toolchain.startsWith('local'))
        error(
          'build.go.version',
          `${text}, and GOTOOLCHAIN=${toolchain} forbids fetching a newer toolchain`,
          `install Go ${needs.go} or newer, or set binary.build.gotoolchain auto (go then downloads go${needs.go} through the module proxy), ${ARCHIVE_FIX}`,
        );
      else
        warn(
          'build.go.version',
          `${text}: with GOTOOLCHAIN=${toolchain || 'auto'} go downloads that toolchain through the module proxy (${spec.binary.build.goproxy || host.go.goproxy || 'GOPROXY'}) before building`,
          `install Go ${needs.go} or newer to skip the download, or set binary.build.gotoolchain`,
        );
    }
  }

  // One host: instance N of every module binds base+N; two modules must not meet.
  const instances = Object.fromEntries(modules.map((m) => [m.module.name, m.instances.length]));
  const collisions = findPortCollisions(
    spec,
    { secretMode: 'inline', logToStdout: true, logDirectory: '', instances },
    modules.filter((m) => m.instances.length > 0).map((m) => m.module.name),
  );
  for (const uses of collisions) {
    error(
      `port.collision.${uses[0]!.port}`,
      `port ${uses[0]!.port} would be bound by ${uses.map((u) => `${u.module} (${u.portName})`).join(' and ')} on this host`,
      'lower openim.replicas for one of them: on one host each extra instance takes the next port',
    );
  }
  const modulePorts = new Map(
    modules.flatMap((m) =>
      m.module.ports.flatMap((p) => m.instances.map((_, i) => [p.port + i, m.module.name] as const)),
    ),
  );
  for (const c of bundledInfra(spec)) {
    for (const port of INFRA_PORTS[c]) {
      const owner = modulePorts.get(port);
      if (owner)
        error(
          `port.collision.${port}`,
          `port ${port} would be bound by ${owner} and the bundled ${c} on this host`,
          `lower openim.replicas.${owner}`,
        );
    }
  }
  if (spec.openim.components.webFront || spec.openim.components.adminFront) {
    warn(
      'binary.fronts',
      'the web and admin fronts are not installed by the binary target (they ship as container images only)',
      'set openim.components.webFront/adminFront to false to silence this',
    );
  }
  const files = objectExternalAddress(spec);
  if (
    spec.infrastructure.objectStorage.provider === 'minio' &&
    URL.canParse(files) &&
    isLocalOnlyHost(new URL(files).hostname)
  ) {
    warn(
      'objectStorage.local-only',
      `MinIO's external address is ${files}: presigned upload and download URLs work only on this machine, no other device can send or open files`,
      "pass --domain <this host's IP or DNS name> (or set infrastructure.objectStorage.externalAddress to a URL clients reach)",
    );
  }
  if (proxied(spec)) {
    const filter = loopbackFilter(spec);
    if ('reason' in filter) {
      warn(
        'proxy.raw-ports',
        `msggateway, chat-api and admin-api bind every interface whatever their config says, and ${filter.reason}: they stay reachable beside the proxy`,
        'firewall those ports, or give the infrastructure by IP address',
      );
    }
  }
  if (spec.profile === 'production' && bundledInfra(spec).length > 0) {
    warn(
      'binary.single-node-infra',
      `bundled ${bundledInfra(spec).join(', ')} run as single instances on this host: no replication`,
      'use external, replicated infrastructure for production',
    );
  }

  if (facts.providedTls) {
    for (const f of providedTlsFindings(spec, facts.providedTls, new Date())) {
      if (f.severity === 'error') error(f.id, f.message, f.fix);
      else if (f.severity === 'warn') warn(f.id, f.message, f.fix);
    }
  }
  if (!host) return findings;
  if (!host.isRoot) error('host.root', 'installing units and system users needs root', HOST_FIX.root);
  if (!host.systemdPid1) error('host.systemd', 'systemd is not PID 1 on this host', HOST_FIX.systemd);
  if (host.arch !== 'amd64' && host.arch !== 'arm64')
    error('host.arch', `unsupported architecture ${host.arch}`, HOST_FIX.arch);
  if (spec.binary.arch !== 'auto' && spec.binary.arch !== host.arch)
    error('host.arch-mismatch', `binary.arch is ${spec.binary.arch} but this host is ${host.arch}`);
  const java = javaNeed(spec);
  if (java && (!host.java || host.java.major < 11)) error('host.java', java.message, java.fix);
  const packaged = packagedInfra(spec);
  if (packaged.length > 0 && !host.packageManager) {
    error(
      'host.package-manager',
      `bundled ${packaged.join(' and ')} come from the distribution's packages, but neither apt-get nor dnf was found`,
      HOST_FIX.packaged(packaged),
    );
  }
  const monitoringPkgs = monitoringPackages(spec, arch, 'apt').names;
  if (!host.packageManager && monitoringPkgs.length > 0) {
    error(
      'monitoring.packages',
      `Prometheus and node_exporter come from the distribution's packages (Debian: ${monitoringPkgs.join(', ')}), but neither apt-get nor dnf was found`,
      HOST_FIX.monitoringPackages,
    );
  }
  if (host.proxyEnv.length > 0) {
    warn(
      'host.proxy',
      `proxy variables set (${host.proxyEnv.join(', ')}): gRPC to etcd would be sent through the proxy`,
      'the units clear them; unset them for this shell too, or set no_proxy=127.0.0.1,localhost',
    );
  }
  if (host.diskFreeBytes !== undefined && host.diskFreeBytes < 10 * 2 ** 30) {
    warn(
      'host.disk',
      `only ${(host.diskFreeBytes / 2 ** 30).toFixed(1)} GiB free under ${spec.binary.prefix}`,
      'OpenIM and its data want 10 GiB or more',
    );
  }
  const wanted = [
    ...modules.flatMap((m) =>
      m.module.ports.flatMap((p) => m.instances.map((_, i) => ({ who: m.module.name, port: p.port + i }))),
    ),
    ...bundledInfra(spec).flatMap((c) => INFRA_PORTS[c].map((port) => ({ who: c, port }))),
    ...binaryMonitoringServices(spec, arch).map((s) => ({ who: s.unit.replace(/\.service$/, ''), port: s.port })),
    ...(proxied(spec)
      ? [
          { who: 'openim-proxy', port: CADDY.ports.https },
          { who: 'openim-proxy', port: CADDY.ports.http },
        ]
      : []),
  ];
  for (const { who, port } of wanted) {
    if (host.portsInUse.includes(port))
      warn(
        `port.${port}`,
        `port ${port} (${who}) is already in use`,
        'stop what listens there, unless it is an earlier OpenIM install',
      );
  }
  return findings;
}
