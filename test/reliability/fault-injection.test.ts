// Failure injected at each command k of the dev plan, then the same command
// again: for every k the final state (journal, secrets, identity, versions,
// and the simulated cluster's objects and releases) equals a clean run's,
// and no step starts again after it succeeded.
//
// Two failure shapes per k: only the k-th command fails (a blip; steps with
// retries may absorb it), and the k-th and every later command fail (the
// API server goes away at k, retries and independent steps fail too).

import { describe, expect, it } from 'vitest';
import { FakeRunner } from './fake-cluster.js';
import { normalisedState, readState, rerunAfterSuccess, runCli } from './harness.js';
import { clusterView, isPlanCommand, referenceRun, setup } from './dev-install.js';

/** After the outage starts, give the run this long, then press Ctrl-C: wait steps would poll for minutes. */
const OUTAGE_GRACE_MS = 2500;

async function injected(k: number, mode: 'single' | 'outage') {
  const s = setup(`k${k}-${mode}`);
  let n = 0;
  const controller = new AbortController();
  const faulty = new FakeRunner(s.cluster, {
    fault: (argv, options) => {
      if (!isPlanCommand(s, options)) return undefined;
      n++;
      if (mode === 'outage' && n === k) setTimeout(() => controller.abort(), OUTAGE_GRACE_MS).unref();
      const hit = mode === 'single' ? n === k : n >= k;
      return hit
        ? { exitCode: 1, stdout: '', stderr: `injected failure at plan command ${n}: ${argv.slice(0, 3).join(' ')}` }
        : undefined;
    },
  });
  const first = await runCli(s.args, { runner: faulty, cwd: s.dir, signal: controller.signal });
  const second = await runCli(s.args, { runner: new FakeRunner(s.cluster), cwd: s.dir });
  const state = readState(s.workdir);
  const reference = await referenceRun(state.secrets as Record<string, string>);
  return { s, first, second, state, reference };
}

describe('failure at each command of the dev plan, then the same command again', () => {
  it('ends in the state of a clean run, and never re-runs a step that succeeded', async () => {
    const clean = setup('clean');
    const cleanRunner = new FakeRunner(clean.cluster);
    const run = await runCli(clean.args, { runner: cleanRunner, cwd: clean.dir });
    expect(run.code, run.err).toBe(0);
    const planCommands = cleanRunner.seen.filter((c) => isPlanCommand(clean, c.options)).length;
    const steps = Object.keys(readState(clean.workdir).steps).length;
    // Sanity: the dev plan is a real plan, not an empty one.
    expect(steps).toBeGreaterThan(15);
    expect(planCommands).toBeGreaterThanOrEqual(steps - 5);

    const cases = Array.from({ length: planCommands }, (_, i) => i + 1).flatMap((k) => [
      { k, mode: 'single' as const },
      { k, mode: 'outage' as const },
    ]);
    const failures: string[] = [];
    const firstCodes = new Map<number, number>();
    // Independent cases side by side: most of their time is retry back-off and probe intervals.
    for (let i = 0; i < cases.length; i += 12) {
      const batch = await Promise.all(
        cases.slice(i, i + 12).map(async ({ k, mode }) => ({ k, mode, ...(await injected(k, mode)) })),
      );
      for (const { k, mode, s, first, second, state, reference } of batch) {
        const label = `k=${k} ${mode}`;
        firstCodes.set(first.code, (firstCodes.get(first.code) ?? 0) + 1);
        if (![0, 1, 130].includes(first.code)) failures.push(`${label}: first run exited ${first.code}: ${first.err}`);
        if (second.code !== 0) failures.push(`${label}: re-run exited ${second.code}: ${second.err}`);
        const again = rerunAfterSuccess([...first.events, ...second.events]);
        if (again.length) failures.push(`${label}: ran again after success: ${again.join(', ')}`);
        if (Object.values(state.steps).some((e) => e.status !== 'done'))
          failures.push(`${label}: not every step done after the re-run`);
        try {
          expect(normalisedState(state)).toEqual(reference.state);
          expect(clusterView(s.cluster)).toEqual(reference.cluster);
          // The copy in the cluster is the same state as the local one.
          const secret = s.cluster.get('Secret', state.identity!['kubernetes.namespace'], 'openim-deploy-state');
          expect(
            normalisedState(JSON.parse(Buffer.from(secret!.data['state.json'], 'base64').toString('utf8'))),
          ).toEqual(normalisedState(state));
        } catch (e) {
          failures.push(`${label}: end state differs from a clean run: ${(e as Error).message.slice(0, 600)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // Runs must really have failed or been cut, or the test proves nothing.
    console.log(`${cases.length} cases; first-run exit codes:`, Object.fromEntries(firstCodes));
    expect((firstCodes.get(1) ?? 0) + (firstCodes.get(130) ?? 0)).toBeGreaterThan(planCommands);
    // Grows with the plan: two cases per plan command, three runs each.
  }, 900_000);
});
