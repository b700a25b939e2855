// P3 and P4: a production install against a Runner whose commands take
// modelled durations, and a re-run with nothing changed.
//
// Model (milliseconds here stand for tenths of seconds in a real install):
//   helm upgrade --install of an infrastructure release (mongodb, redis, kafka,
//   minio, monitoring, logging, storage, ingress): 300 (≈ 30 s with --wait)
//   helm upgrade --install of an OpenIM module: 40 (≈ 4 s)
//   kubectl apply / create and other commands: 10 (≈ 1 s)
//   waits and notes: instantaneous (the recording runner does not probe)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/config/resolve.js';
import { NFS_SERVER_SET } from '../test/helpers/config-presets.js';
import { executePlan } from '../src/execute/executor.js';
import { ok, RecordingRunner } from '../test/helpers/recording-runner.js';
import { unprobedFacts } from '../src/facts/types.js';
import { buildPlan } from '../src/targets/build-plan.js';
import { criticalPath } from '../src/plan/graph.js';
import type { Plan, Step } from '../src/plan/types.js';
import { sleep } from '../src/util/sleep.js';
import { Redactor } from '../src/secrets/redact.js';
import { resolveSecrets } from '../src/secrets/secrets.js';
import { MemoryStateStore } from '../src/state/file-store.js';
import { Journal } from '../src/state/journal.js';
import { templatesDir } from '../src/util/package-root.js';
import { median, type Row } from './stats.js';

const OPENIM_RELEASE = /^(openim-|chat-|admin-)/;

function modelledMs(argv: readonly string[]): number {
  if (argv[0] === 'helm' && argv.includes('upgrade')) {
    const release = argv[argv.indexOf('--install') + 1] ?? '';
    return OPENIM_RELEASE.test(release) && !/^openim-(mongodb|redis|kafka|minio)$/.test(release) ? 40 : 300;
  }
  return 10;
}

const stepModel = (step: Step) =>
  step.actions.reduce((sum, a) => sum + (a.kind === 'exec' ? modelledMs(a.argv) : 0), 0);

function productionPlan(): { plan: Plan; secrets: ReturnType<typeof resolveSecrets>['values'] } {
  const spec = resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }).spec;
  return { plan: buildPlan(spec, unprobedFacts('kubernetes')), secrets: resolveSecrets(spec, {}).values };
}

async function run(plan: Plan, secrets: Record<string, string>, store: MemoryStateStore, concurrency: number) {
  const runner = new RecordingRunner(async (argv) => {
    await sleep(modelledMs(argv));
    return ok();
  });
  const started = performance.now();
  await executePlan(plan, {
    runner,
    workdir: mkdtempSync(join(tmpdir(), 'oid-bench-')),
    templatesDir: templatesDir(),
    concurrency,
    secrets,
    redactor: new Redactor(Object.values(secrets)),
    journal: new Journal(store, await store.load()),
    output: 'silent',
    // Probes would reach for real endpoints; the model treats waits as instantaneous.
    probe: async () => ({ ok: true, detail: 'modelled' }),
  });
  const mutations = runner.calls.filter(
    (c) =>
      c.argv[0] === 'helm' || (c.argv[0] === 'kubectl' && /apply|create|delete|patch|label/.test(c.argv.join(' '))),
  ).length;
  return { ms: performance.now() - started, mutations };
}

export async function simulatedInstall(runs: number): Promise<Row[]> {
  const { plan, secrets } = productionPlan();
  const critical = criticalPath(plan.steps, stepModel);
  const sequential = plan.steps.reduce((sum, s) => sum + stepModel(s), 0);
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) walls.push((await run(plan, secrets, new MemoryStateStore(), 64)).ms);
  const wall = median(walls);

  const store = new MemoryStateStore();
  await run(plan, secrets, store, 64);
  const reruns: { ms: number; mutations: number }[] = [];
  for (let i = 0; i < runs; i++) reruns.push(await run(plan, secrets, store, 64));
  const rerunMs = median(reruns.map((r) => r.ms));
  const mutations = Math.max(...reruns.map((r) => r.mutations));
  return [
    {
      id: 'P3',
      title: `simulated production install (${plan.steps.length} steps)`,
      measured: `${wall.toFixed(0)} ms`,
      baseline: `critical path ${critical} ms; sequential ${sequential} ms (${(sequential / wall).toFixed(1)}× slower)`,
      ratio: wall / critical,
      goal: '≤ 1.1× critical path',
      pass: wall / critical <= 1.1,
    },
    {
      id: 'P4',
      title: 're-run with nothing changed (recording Runner)',
      measured: `${rerunMs.toFixed(0)} ms, ${mutations} mutations`,
      baseline: 'goal 5000 ms, 0 mutations',
      ratio: rerunMs / 5000,
      goal: '≤ 5 s and 0 mutations',
      pass: rerunMs <= 5000 && mutations === 0,
    },
  ];
}
