// Read-only probes of the host.

import type { DeploySpec } from '../../config/schema.js';
import type { Runner } from '../../process/runner.js';
import type { BinaryFacts, HostFacts } from '../../facts/types.js';
import { HOST_PACKAGES, type PackageManager } from '../../catalog/host-artifacts.js';
import { MONITORING } from '../../catalog/infrastructure.js';
import { gatherProvidedTls } from './proxy/tls-files.js';
import { probeOutput } from './probe-output.js';

const PROXY_VARS = ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'grpc_proxy'];

/** Listening TCP ports from `ss -Hltn` output. */
function parseListeningPorts(ssOutput: string): number[] {
  const ports = new Set<number>();
  for (const line of ssOutput.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    const port = Number(local?.slice(local.lastIndexOf(':') + 1));
    if (Number.isInteger(port) && port > 0) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Every distribution package the binary target may install with this package manager. */
export function catalogPackages(pm: PackageManager): string[] {
  return [
    ...Object.values(HOST_PACKAGES).map((p) => p.names[pm]),
    ...Object.values(MONITORING.hostPackages).map((p) => p[pm]),
  ];
}

/**
 * Installed packages among `names`, from `dpkg-query -W -f '${Package} ${db:Status-Status}\n'`
 * (apt) or `rpm -q --qf '%{NAME}\n'` (dnf) output. Both exit non-zero when
 * one name is missing and still print the others.
 */
export function parseInstalledPackages(pm: PackageManager, output: string, names: readonly string[]): string[] {
  const found = new Set<string>();
  for (const line of output.split('\n')) {
    const [name, status] = line.trim().split(/\s+/);
    if (!name || !names.includes(name)) continue;
    if (pm === 'dnf' || status === 'installed') found.add(name);
  }
  return names.filter((n) => found.has(n));
}

async function installedPackages(runner: Runner, pm: PackageManager): Promise<string[]> {
  const names = catalogPackages(pm);
  const argv =
    pm === 'apt'
      ? ['dpkg-query', '-W', '-f', '${Package} ${db:Status-Status}\n', ...names]
      : ['rpm', '-q', '--qf', '%{NAME}\n', ...names];
  try {
    return parseInstalledPackages(pm, (await runner.run(argv, { timeoutMs: 10_000 })).stdout, names);
  } catch {
    return [];
  }
}

function normaliseArch(machine: string): string {
  const m = machine.trim();
  return m === 'x86_64' ? 'amd64' : m === 'aarch64' ? 'arm64' : m;
}

export async function gatherBinaryFacts(
  spec: DeploySpec,
  runner: Runner,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BinaryFacts> {
  const [machine, uid, pid1, systemctl, ss, df, mem, java, apt, dnf, go] = await Promise.all([
    probeOutput(runner, ['uname', '-m']),
    probeOutput(runner, ['id', '-u']),
    probeOutput(runner, ['cat', '/proc/1/comm']),
    probeOutput(runner, ['systemctl', '--version']),
    probeOutput(runner, ['ss', '-Hltn']),
    probeOutput(runner, ['df', '--output=avail', '-B1', spec.binary.prefix.split('/').slice(0, 2).join('/') || '/']),
    probeOutput(runner, ['cat', '/proc/meminfo']),
    runner.run(['java', '-version'], { timeoutMs: 10_000 }).catch(() => undefined),
    probeOutput(runner, ['apt-get', '--version']),
    probeOutput(runner, ['dnf', '--version']),
    probeOutput(runner, ['go', 'env', 'GOVERSION', 'GOTOOLCHAIN', 'GOPROXY']),
  ]);
  const host: HostFacts = {
    arch: normaliseArch(machine ?? 'unknown'),
    isRoot: uid?.trim() === '0',
    systemdPid1: pid1?.trim() === 'systemd',
    portsInUse: ss ? parseListeningPorts(ss) : [],
    proxyEnv: PROXY_VARS.filter((v) => env[v]),
  };
  const sdVersion = /systemd (\d+)/.exec(systemctl ?? '');
  if (sdVersion) host.systemdVersion = Number(sdVersion[1]);
  const avail = Number(df?.trim().split('\n').pop());
  if (Number.isFinite(avail) && avail > 0) host.diskFreeBytes = avail;
  const memTotal = /MemTotal:\s+(\d+) kB/.exec(mem ?? '');
  if (memTotal) host.memoryBytes = Number(memTotal[1]) * 1024;
  const javaVersion = java && java.exitCode === 0 ? /version "(\d+)(\.[\d.]+)?/.exec(java.stderr + java.stdout) : null;
  if (apt !== undefined) host.packageManager = 'apt';
  else if (dnf !== undefined) host.packageManager = 'dnf';
  if (host.packageManager) host.installedPackages = await installedPackages(runner, host.packageManager);
  if (javaVersion)
    host.java = { path: 'java', version: javaVersion[1] + (javaVersion[2] ?? ''), major: Number(javaVersion[1]) };
  const [goVersion, gotoolchain, goproxy] = (go ?? '').trim().split('\n');
  if (goVersion?.startsWith('go'))
    host.go = { version: goVersion, gotoolchain: gotoolchain ?? '', goproxy: goproxy ?? '' };
  const providedTls = await gatherProvidedTls(spec, runner);
  return { target: 'binary', probed: true, host, ...(providedTls ? { providedTls } : {}) };
}
