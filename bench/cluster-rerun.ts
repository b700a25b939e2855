// P4 on a real API server: an identical re-run of `install --preset dev --yes`
// on the loopback cluster of test/cluster (kube-apiserver + etcd + controllers,
// nodes and pods simulated by kwok), with real helm 3 and kubectl.
//
// Mutations are counted from the API server's audit log, not from our own
// output: every create/update/patch/delete that helm or kubectl sent and the
// server accepted while the run was going (a server-side apply that changed
// nothing still counts: it is a write request). Writes to the installer's own lock
// Lease (taken and released every run) are counted apart; every other write,
// the state Secret included, counts as a mutation.
//
// Baseline, what a user would compare it to: a script that runs the same
// commands again (every `kubectl apply` and `helm upgrade --install` of the
// plan, in plan order, in the install's work folder), as a Makefile or a
// shell script around helm does.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../src/plan/types.js';
import { helmBinaries } from '../test/helpers/tools.js';
import { cliEnv, describeRun, runCli, type CliEnv } from '../test/cluster/cli-run.js';
import { TestCluster, type AuditEvent } from '../test/cluster/cluster.js';
import { isInstallerWrite, isLockWrite } from '../test/cluster/observe.js';
import { median, type Row } from './stats.js';

const INSTALL = ['install', '--preset', 'dev', '--yes'];

/** Write requests helm or kubectl sent and the API server accepted (not controllers' or kwok's, not refused ones). */
function clientWrites(events: AuditEvent[]): AuditEvent[] {
  return events.filter((e) => isInstallerWrite(e) && e.code >= 200 && e.code < 300);
}

function describeWrites(events: AuditEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = `${e.verb} ${e.resource}${e.name ? `/${e.name}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}

/** The plan's exec commands, as a script would list them (waits and probes are not commands). */
function planCommands(root: string, env: NodeJS.ProcessEnv): string[][] {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'openim-deploy.js'), 'plan', '--preset', 'dev', '--json'], {
    encoding: 'utf8',
    env,
  });
  if (r.status !== 0) throw new Error(`plan --json exited ${r.status}: ${r.stderr}`);
  const plan = JSON.parse(r.stdout) as Plan;
  return plan.steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'exec' ? [a.argv as string[]] : [])));
}

function runScript(commands: string[][], cwd: string, env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  for (const argv of commands) {
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return performance.now() - start;
}

export async function clusterRerunBench(root: string, runs: number): Promise<Row[]> {
  const tools = helmBinaries()[0]!;
  const cluster = await TestCluster.start({ kubectl: tools.kubectl });
  const home = await mkdtemp(join(tmpdir(), 'oid-bench-cluster-'));
  try {
    const workdir = join(home, 'work');
    const env: CliEnv = { tools, kubeconfig: cluster.kubeconfig, home };
    const cli = (args: string[]) => runCli([...args, '--workdir', workdir], env);

    const first = await cli(INSTALL);
    if (first.code !== 0) throw new Error(`first install failed\n${describeRun(first)}`);

    const times: number[] = [];
    // Per run: the most any single re-run wrote (every run should write the same: nothing).
    let deployed: AuditEvent[] = [];
    let bookkeeping: AuditEvent[] = [];
    for (let i = 0; i < runs; i++) {
      const mark = cluster.auditMark();
      const again = await cli(INSTALL);
      if (again.code !== 0) throw new Error(`re-run failed\n${describeRun(again)}`);
      times.push(again.ms);
      const writes = clientWrites(cluster.auditEvents(mark));
      const toDeployed = writes.filter((e) => !isLockWrite(e));
      if (toDeployed.length >= deployed.length) deployed = toDeployed;
      bookkeeping = writes.filter(isLockWrite);
      // Every run takes and releases the lock: an audit log that shows not even that is not recording.
      if (bookkeeping.length === 0)
        throw new Error('P4 cluster: the audit log does not show the lock being taken; mutations cannot be counted');
    }

    const commands = planCommands(root, cliEnv(env));
    const scriptTimes: number[] = [];
    let scriptWrites: AuditEvent[] = [];
    for (let i = 0; i < runs; i++) {
      const mark = cluster.auditMark();
      scriptTimes.push(runScript(commands, workdir, cliEnv(env)));
      scriptWrites = clientWrites(cluster.auditEvents(mark));
    }

    const ms = median(times);
    const script = median(scriptTimes);
    const helmUpgrades = commands.filter((c) => c[0] === 'helm').length;
    return [
      {
        id: 'P4 cluster',
        title: `re-run with nothing changed: install --preset dev on the kwok cluster (real kube-apiserver, helm ${tools.label.slice(4)})`,
        measured: `${(ms / 1000).toFixed(2)} s, ${deployed.length} accepted write requests to deployed objects${deployed.length ? ` (${describeWrites(deployed)})` : ''}, ${bookkeeping.length} to the installer's own lock (${describeWrites(bookkeeping) || 'none'}) per run`,
        baseline: `same ${commands.length} commands re-run by a script (${helmUpgrades} helm upgrade --install): ${(script / 1000).toFixed(2)} s, ${scriptWrites.length} accepted write requests per run (${scriptWrites.filter((e) => e.resource === 'secrets' && e.verb === 'create').length} new release revisions among them)`,
        ratio: ms / script,
        goal: '≤ 5 s and 0 mutations',
        pass: ms <= 5000 && deployed.length === 0,
      },
    ];
  } finally {
    await cluster.stop();
    await rm(home, { recursive: true, force: true });
  }
}
