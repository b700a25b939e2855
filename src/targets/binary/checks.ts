// Preflight for a host install: pure functions of (spec, facts).

import type { DeploySpec } from '../../config/rules.js';
import type { PreflightFinding } from '../../errors.js';
import type { BinaryFacts } from '../../facts/types.js';
import { ALL_MODULES, FRONT_HOST_PORTS } from '../../catalog/modules.js';

export function binaryChecks(spec: DeploySpec, facts: BinaryFacts): PreflightFinding[] {
  const findings: PreflightFinding[] = [];
  const host = facts.host;
  if (!facts.probed || !host) return findings;
  const error = (id: string, message: string, fix?: string) => findings.push({ id, severity: 'error', message, ...(fix ? { fix } : {}) });
  const warn = (id: string, message: string, fix?: string) => findings.push({ id, severity: 'warn', message, ...(fix ? { fix } : {}) });

  if (!host.isRoot) error('host.root', 'installing units and system users needs root', 'run with sudo');
  if (!host.systemdPid1) error('host.systemd', 'systemd is not PID 1 on this host', 'use a systemd host, or the kubernetes target');
  if (host.arch !== 'amd64' && host.arch !== 'arm64') error('host.arch', `unsupported architecture ${host.arch}`, 'OpenIM builds for amd64 and arm64');
  if (spec.binary.arch !== 'auto' && spec.binary.arch !== host.arch) error('host.arch-mismatch', `binary.arch is ${spec.binary.arch} but this host is ${host.arch}`);
  if (spec.infrastructure.kafka.mode === 'bundled' && (!host.java || host.java.major < 11)) {
    error('host.java', 'bundled Kafka needs Java 11 or newer', 'apt-get install -y openjdk-17-jre-headless, or use an external Kafka');
  }
  if (host.proxyEnv.length > 0) {
    warn('host.proxy', `proxy variables set (${host.proxyEnv.join(', ')}): gRPC to etcd would be sent through the proxy`, 'the units clear them; unset them for this shell too, or set no_proxy=127.0.0.1,localhost');
  }
  if (host.diskFreeBytes !== undefined && host.diskFreeBytes < 10 * 2 ** 30) {
    warn('host.disk', `only ${(host.diskFreeBytes / 2 ** 30).toFixed(1)} GiB free under ${spec.binary.prefix}`, 'OpenIM and its data want 10 GiB or more');
  }
  const wanted = ALL_MODULES.flatMap((m) => m.ports.map((p) => ({ module: m.name, port: m.product === 'front' ? FRONT_HOST_PORTS[m.name]! : p.port })));
  for (const { module, port } of wanted) {
    if (host.portsInUse.includes(port)) warn(`port.${port}`, `port ${port} (${module}) is already in use`, 'stop what listens there, unless it is an earlier OpenIM install');
  }
  return findings;
}
