// P2: plan + render of the production preset against the time of the
// `helm template` calls it makes (measured inside the same run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/config/resolve.js';
import { NFS_SERVER_SET } from '../test/helpers/config-presets.js';
import { ExecaRunner } from '../src/process/execa-runner.js';
import type { RunOptions, RunResult, Runner } from '../src/process/runner.js';
import { unprobedFacts } from '../src/facts/types.js';
import { buildPlan } from '../src/targets/build-plan.js';
import { renderPlan } from '../src/render/render.js';
import { templatesDir } from '../src/util/package-root.js';
import { helmBinaries } from '../test/helpers/tools.js';
import { median, type Row } from './stats.js';

class TimingRunner implements Runner {
  helmMs = 0;
  calls = 0;
  constructor(private readonly inner: Runner) {}
  async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    const start = performance.now();
    const result = await this.inner.run(argv, options);
    this.helmMs += performance.now() - start;
    this.calls++;
    return result;
  }
}

export async function renderBench(runs: number): Promise<Row> {
  const helm = helmBinaries()[0]!.helm;
  const totals: number[] = [];
  const helmTimes: number[] = [];
  let calls = 0;
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'oid-bench-render-'));
    const runner = new TimingRunner(new ExecaRunner());
    const start = performance.now();
    const spec = resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }).spec;
    const plan = buildPlan(spec, unprobedFacts('kubernetes'));
    await renderPlan(plan, { outDir: out, templatesDir: templatesDir(), runner, helm });
    totals.push(performance.now() - start);
    helmTimes.push(runner.helmMs);
    calls = runner.calls;
    rmSync(out, { recursive: true, force: true });
  }
  const total = median(totals);
  const helmMs = median(helmTimes);
  return {
    id: 'P2',
    title: `plan + render, production preset (${calls} helm template calls)`,
    measured: `${total.toFixed(0)} ms`,
    baseline: `helm template calls: ${helmMs.toFixed(0)} ms summed`,
    ratio: total / helmMs,
    goal: '≤ 1.2×',
    pass: total / helmMs <= 1.2,
  };
}
