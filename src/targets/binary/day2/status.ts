// `status` on a host: one `systemctl show` for every OpenIM and bundled
// infrastructure unit (restarts, state, main PID, the result of the last
// exit), and the `current` links for the running versions.

import type { DeploySpec } from '../../../config/schema.js';
import { HOST_INFRA_PORTS } from '../../../catalog/host-artifacts.js';
import { assembleReport } from '../../day2/report.js';
import type { ComponentStatus, StatusReport } from '../../day2/types.js';
import type { Runner } from '../../../process/runner.js';
import type { DeployState } from '../../../state/types.js';
import { bundledInfra, type InfraId } from '../endpoints.js';
import { INFRA_UNITS } from '../infrastructure.js';
import { binaryLayout } from '../layout.js';
import { CHECK_UNITS, openimModules } from '../units.js';
import { CADDY } from '../../../catalog/proxy.js';
import { PROXY_UNIT } from '../proxy/paths.js';
import { daysLeft, servedCertificate, type ServedCertificate } from '../proxy/tls-files.js';
import { proxied, proxyUrls } from '../proxy/urls.js';

const SHOW_PROPERTIES = [
  'Id',
  'LoadState',
  'ActiveState',
  'SubState',
  'NRestarts',
  'MainPID',
  'ExecMainStartTimestamp',
  'ExecMainCode',
  'ExecMainStatus',
  'Result',
];

export type UnitProperties = Record<string, string>;

/** `systemctl show -p … a b c`: blocks separated by blank lines, one per unit, in order. */
export function parseShow(text: string): UnitProperties[] {
  const blocks: UnitProperties[] = [];
  let current: UnitProperties = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (Object.keys(current).length) blocks.push(current);
      current = {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) current[line.slice(0, eq)] = line.slice(eq + 1);
  }
  if (Object.keys(current).length) blocks.push(current);
  return blocks;
}

const INFRA_PORTS: Record<InfraId, number> = {
  mongodb: HOST_INFRA_PORTS.mongodb,
  redis: HOST_INFRA_PORTS.redis,
  kafka: HOST_INFRA_PORTS.kafka,
  objectStorage: HOST_INFRA_PORTS.minio,
  etcd: HOST_INFRA_PORTS.etcd,
};

/** Units `status` looks at, grouped by component. */
function binaryComponents(spec: DeploySpec): {
  name: string;
  product: ComponentStatus['product'];
  units: string[];
  endpoints: string[];
  version: 'server' | 'chat' | 'infra';
}[] {
  const out: ReturnType<typeof binaryComponents> = bundledInfra(spec).map((id) => ({
    name: INFRA_UNITS[id].replace(/\.service$/, ''),
    product: 'infrastructure' as const,
    units: [INFRA_UNITS[id]],
    endpoints: [`127.0.0.1:${INFRA_PORTS[id]}`],
    version: 'infra' as const,
  }));
  for (const m of openimModules(spec)) {
    const endpoints = m.instances.flatMap((_, i) => m.module.ports.map((p) => `127.0.0.1:${p.port + i}/${p.name}`));
    out.push({ name: m.module.name, product: m.product, units: m.instances, endpoints, version: m.product });
  }
  if (proxied(spec)) {
    const ports = spec.binary.proxy.tls.mode === 'none' ? [CADDY.ports.http] : [CADDY.ports.https, CADDY.ports.http];
    out.push({
      name: 'openim-proxy',
      product: 'other',
      units: [PROXY_UNIT],
      endpoints: ports.map((p) => `:${p}`),
      version: 'infra',
    });
  }
  return out;
}

/**
 * Why a unit last stopped. While it runs again, systemctl show has only the new
 * process (ExecMainCode 0): the reason comes from the journal line systemd
 * writes on each exit (`lastExits`, see journalExit).
 */
function exitText(p: UnitProperties, lastExit?: string): string {
  const code = p.ExecMainCode;
  if (!code || code === '0') return lastExit ? `last exit: ${lastExit}` : 'last exit not in the journal';
  const status = p.ExecMainStatus ?? '?';
  // ExecMainCode follows siginfo's CLD_*: 1 exited, 2 killed, 3 dumped core.
  const how =
    code === '1'
      ? `exited with status ${status}`
      : code === '2'
        ? `killed by signal ${status}`
        : code === '3'
          ? `dumped core (signal ${status})`
          : `status ${status}`;
  return `${p.Result && p.Result !== 'success' ? `${p.Result}: ` : ''}${how}`;
}

/** systemd's `<unit>: Main process exited, code=killed, status=9/KILL` → `killed by signal 9 (KILL)`. */
export function journalExit(line: string): string | undefined {
  const m = /Main process exited, code=(\w+), status=(\d+)(?:\/(\w+))?/.exec(line);
  if (!m) return undefined;
  const [, code, status, name] = m;
  const label = name ? ` (${name})` : '';
  if (code === 'exited') return `exited with status ${status}${label}`;
  if (code === 'killed') return `killed by signal ${status}${label}`;
  if (code === 'dumped') return `dumped core (signal ${status}${label})`;
  return `${code} ${status}${label}`;
}

export function binaryStatus(
  spec: DeploySpec,
  props: UnitProperties[],
  versions: { server?: string; chat?: string },
  state: DeployState,
  now = new Date(),
  lastExits: Record<string, string> = {},
  certificate?: ServedCertificate | { error: string },
): StatusReport {
  const byId = new Map(props.map((p) => [p.Id ?? '', p]));
  const components: ComponentStatus[] = binaryComponents(spec).map((c) => {
    const units = c.units.map((u) => byId.get(u) ?? { Id: u, LoadState: 'not-found' });
    const running = units.filter(
      (u) => u.ActiveState === 'active' && (u.SubState === 'running' || u.SubState === 'exited'),
    );
    const restarts = units.reduce((sum, u) => sum + (Number(u.NRestarts) || 0), 0);
    const restarted = units.filter((u) => Number(u.NRestarts) > 0);
    const bad = units.find((u) => u.ActiveState !== 'active');
    const component: ComponentStatus = {
      name: c.name,
      kind: 'systemd unit',
      product: c.product,
      version: c.version === 'infra' ? '' : (versions[c.version] ?? ''),
      desired: units.length,
      ready: running.length,
      restarts,
      endpoints: c.endpoints,
      healthy: running.length === units.length,
    };
    if (restarted.length)
      component.lastRestart = restarted
        .map(
          (u) =>
            `${u.Id}: ${exitText(u, lastExits[u.Id ?? ''])}${u.ExecMainStartTimestamp ? `, running since ${u.ExecMainStartTimestamp}` : ''}`,
        )
        .join('; ');
    if (bad)
      component.waiting =
        bad.LoadState === 'not-found'
          ? `${bad.Id} not found`
          : `${bad.Id} ${bad.ActiveState}/${bad.SubState}${bad.Result && bad.Result !== 'success' ? ` (${bad.Result})` : ''}`;
    return component;
  });
  const p = proxyUrls(spec);
  const urls = proxied(spec)
    ? [
        { name: 'api', url: p.apiAddr },
        { name: 'websocket', url: p.wsAddr },
        ...(spec.openim.components.chat
          ? [
              { name: 'chat', url: p.chatApi },
              { name: 'admin', url: p.adminApi },
            ]
          : []),
        { name: 'files', url: p.objectStorage },
      ]
    : [
        { name: 'api', url: `http://${spec.openim.domain || '127.0.0.1'}:${portOf(spec, 'openim-api')}` },
        {
          name: 'websocket',
          url: `ws://${spec.openim.domain || '127.0.0.1'}:${portOf(spec, 'openim-msggateway', 'ws')}`,
        },
      ];
  const report = assembleReport(spec, state, components, urls, now);
  if (certificate) {
    const mode = spec.binary.proxy.tls.mode;
    report.certificate =
      'error' in certificate ? certificate : { ...certificate, daysLeft: daysLeft(certificate.notAfter, now), mode };
    // Caddy renews what it obtains itself; a provided certificate is the operator's to renew.
    if ('daysLeft' in report.certificate && report.certificate.daysLeft < 0) {
      report.problems.push(
        `the proxy's certificate (${report.certificate.names}) expired on ${report.certificate.notAfter}`,
      );
      report.healthy = false;
    }
  }
  return report;
}

function portOf(spec: DeploySpec, module: string, name = 'http'): number {
  const m = openimModules(spec).find((x) => x.module.name === module);
  return m?.module.ports.find((p) => p.name === name)?.port ?? 0;
}

export async function readBinaryStatus(spec: DeploySpec, runner: Runner, state: DeployState): Promise<StatusReport> {
  const units = [...binaryComponents(spec).flatMap((c) => c.units), ...Object.values(CHECK_UNITS)];
  const r = await runner.run(
    ['systemctl', 'show', '--no-pager', `--property=${SHOW_PROPERTIES.join(',')}`, '--', ...units],
    { timeoutMs: 20_000 },
  );
  if (r.exitCode !== 0) throw new Error(`systemctl show exited ${r.exitCode}: ${r.stderr.trim()}`);
  const layout = binaryLayout(spec);
  const link = async (path: string) => {
    const l = await runner.run(['readlink', path], { timeoutMs: 5000 });
    return l.exitCode === 0 ? l.stdout.trim() : undefined;
  };
  const [server, chat] = await Promise.all([link(layout.current.server), link(layout.current.chat)]);
  const props = parseShow(r.stdout);
  const lastExits: Record<string, string> = {};
  for (const p of props.filter((u) => Number(u.NRestarts) > 0 && (!u.ExecMainCode || u.ExecMainCode === '0'))) {
    const j = await runner.run(
      ['journalctl', '--no-pager', '-o', 'cat', '-n', '1', '-u', p.Id ?? '', '--grep', 'Main process exited'],
      { timeoutMs: 10_000 },
    );
    const exit = j.exitCode === 0 ? journalExit(j.stdout.trim()) : undefined;
    if (exit && p.Id) lastExits[p.Id] = exit;
  }
  const certificate =
    proxied(spec) && spec.binary.proxy.tls.mode !== 'none'
      ? await servedCertificate(spec, CADDY.ports.https)
      : undefined;
  return binaryStatus(
    spec,
    props,
    { ...(server ? { server } : {}), ...(chat ? { chat } : {}) },
    state,
    new Date(),
    lastExits,
    certificate,
  );
}
