// `status` on a host: one `systemctl show` for every OpenIM and bundled
// infrastructure unit (restarts, state, main PID, the result of the last
// exit), and the `current` links for the running versions.

import type { DeploySpec } from '../../../config/rules.js';
import { HOST_INFRA_PORTS } from '../../../catalog/host-artifacts.js';
import { assembleReport } from '../../../day2/report.js';
import type { ComponentStatus, StatusReport } from '../../../day2/types.js';
import type { Runner } from '../../../exec/runner.js';
import type { DeployState } from '../../../state/types.js';
import { bundledInfra, type InfraId } from '../endpoints.js';
import { INFRA_UNITS } from '../infrastructure.js';
import { binaryLayout } from '../layout.js';
import { CHECK_UNITS, openimModules } from '../units.js';

export const SHOW_PROPERTIES = ['Id', 'LoadState', 'ActiveState', 'SubState', 'NRestarts', 'MainPID', 'ExecMainStartTimestamp', 'ExecMainCode', 'ExecMainStatus', 'Result'];

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
export function binaryComponents(spec: DeploySpec): { name: string; product: ComponentStatus['product']; units: string[]; endpoints: string[]; version: 'server' | 'chat' | 'infra' }[] {
  const out: ReturnType<typeof binaryComponents> = bundledInfra(spec).map((id) => ({ name: INFRA_UNITS[id].replace(/\.service$/, ''), product: 'infrastructure' as const, units: [INFRA_UNITS[id]], endpoints: [`127.0.0.1:${INFRA_PORTS[id]}`], version: 'infra' as const }));
  for (const m of openimModules(spec)) {
    const endpoints = m.instances.flatMap((_, i) => m.module.ports.map((p) => `127.0.0.1:${p.port + i}/${p.name}`));
    out.push({ name: m.module.name, product: m.product, units: m.instances, endpoints, version: m.product });
  }
  return out;
}

function exitText(p: UnitProperties): string {
  const code = p.ExecMainCode;
  const status = p.ExecMainStatus ?? '?';
  // ExecMainCode follows siginfo's CLD_*: 1 exited, 2 killed, 3 dumped core.
  const how = code === '1' ? `exited with status ${status}` : code === '2' ? `killed by signal ${status}` : code === '3' ? `dumped core (signal ${status})` : `status ${status}`;
  return `${p.Result && p.Result !== 'success' ? `${p.Result}: ` : ''}${how}`;
}

export function binaryStatus(spec: DeploySpec, props: UnitProperties[], versions: { server?: string; chat?: string }, state: DeployState, now = new Date()): StatusReport {
  const byId = new Map(props.map((p) => [p.Id ?? '', p]));
  const components: ComponentStatus[] = binaryComponents(spec).map((c) => {
    const units = c.units.map((u) => byId.get(u) ?? { Id: u, LoadState: 'not-found' });
    const running = units.filter((u) => u.ActiveState === 'active' && (u.SubState === 'running' || u.SubState === 'exited'));
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
    if (restarted.length) component.lastRestart = restarted.map((u) => `${u.Id}: ${exitText(u)}${u.ExecMainStartTimestamp ? `, running since ${u.ExecMainStartTimestamp}` : ''}`).join('; ');
    if (bad) component.waiting = bad.LoadState === 'not-found' ? `${bad.Id} not found` : `${bad.Id} ${bad.ActiveState}/${bad.SubState}${bad.Result && bad.Result !== 'success' ? ` (${bad.Result})` : ''}`;
    return component;
  });
  const urls = [
    { name: 'api', url: `http://${spec.openim.domain || '127.0.0.1'}:${portOf(spec, 'openim-api')}` },
    { name: 'websocket', url: `ws://${spec.openim.domain || '127.0.0.1'}:${portOf(spec, 'openim-msggateway', 'ws')}` },
  ];
  return assembleReport(spec, state, components, urls, now);
}

function portOf(spec: DeploySpec, module: string, name = 'http'): number {
  const m = openimModules(spec).find((x) => x.module.name === module);
  return m?.module.ports.find((p) => p.name === name)?.port ?? 0;
}

export async function readBinaryStatus(spec: DeploySpec, runner: Runner, state: DeployState): Promise<StatusReport> {
  const units = [...binaryComponents(spec).flatMap((c) => c.units), ...Object.values(CHECK_UNITS)];
  const r = await runner.run(['systemctl', 'show', '--no-pager', `--property=${SHOW_PROPERTIES.join(',')}`, '--', ...units], { timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new Error(`systemctl show exited ${r.exitCode}: ${r.stderr.trim()}`);
  const layout = binaryLayout(spec);
  const link = async (path: string) => {
    const l = await runner.run(['readlink', path], { timeoutMs: 5000 });
    return l.exitCode === 0 ? l.stdout.trim() : undefined;
  };
  const [server, chat] = await Promise.all([link(layout.current.server), link(layout.current.chat)]);
  return binaryStatus(spec, parseShow(r.stdout), { ...(server ? { server } : {}), ...(chat ? { chat } : {}) }, state);
}
