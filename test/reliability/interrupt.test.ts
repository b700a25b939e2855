// Interrupts: Ctrl-C at random points of a run against slow commands, then
// the same command again.
//   In-process: the executor with an AbortSignal fired at seeded random
//   times; the running command must have ended when the run returns, the
//   journal must hold no step still "started", and the resumed run must end
//   where a clean run ends without repeating a finished step.
//   Child process: the built CLI receives a real SIGINT while the fake helm
//   sleeps; it exits 130, leaves no fake command running, and the next run
//   resumes to exit 0.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserAbort } from '../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { FakeCluster, FakeRunner } from './fake-cluster.js';
import { runningFakes, spawnCli, until } from './child.js';
import { clusterView, referenceRun, setup } from './dev-install.js';
import { fakeBin } from './fake-bin.js';
import { normalisedState, readState, rerunAfterSuccess, runCli, tempDir } from './harness.js';

/** mulberry32: reproducible "random" interrupt times. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DELAY_MS = 40;

describe('interrupts', () => {
  it('Ctrl-C at random points, then resume: consistent journal, nothing left running, clean end state', async () => {
    // Two clean runs: the first pays for loading modules; the second gives the duration to cut into.
    let duration = 0;
    for (const name of ['int-cold', 'int-clean']) {
      const clean = setup(name);
      const started = performance.now();
      const cleanRun = await runCli(clean.args, {
        runner: new FakeRunner(clean.cluster, { delayMs: DELAY_MS }),
        cwd: clean.dir,
      });
      expect(cleanRun.code, cleanRun.err).toBe(0);
      duration = performance.now() - started;
    }

    const next = random(7);
    const codes: number[] = [];
    for (let i = 0; i < 16; i++) {
      const s = setup(`int-${i}`);
      const controller = new AbortController();
      const at = Math.floor(next() * duration);
      const timer = setTimeout(() => controller.abort(), at);
      const runner = new FakeRunner(s.cluster, { delayMs: DELAY_MS });
      const first = await runCli(s.args, { runner, cwd: s.dir, signal: controller.signal });
      clearTimeout(timer);
      codes.push(first.code);
      const label = `interrupt ${i} at ${at} ms`;
      expect([0, 130], `${label}: ${first.err}`).toContain(first.code);
      expect(runner.inFlight, `${label}: a command was still running when the run returned`).toBe(0);
      if (first.code === 130) {
        // Cut inside the plan (UserAbort) or before it, while probing or locking (AbortError).
        expect(
          first.error instanceof UserAbort || (first.error as Error).name === 'AbortError',
          String(first.error),
        ).toBe(true);
        // Consistent journal: every step that began is recorded as done or interrupted, none left "started".
        // A cut before the first save (while preparing the namespace, reading the cluster identity
        // or locking) leaves no journal at all, which is consistent too.
        const cut = existsSync(join(s.workdir, 'state.json')) ? readState(s.workdir) : { steps: {} };
        const statuses = Object.values(cut.steps).map((e) => e.status);
        expect(
          statuses.filter((x) => x === 'started'),
          label,
        ).toEqual([]);
      }
      const second = await runCli(s.args, { runner: new FakeRunner(s.cluster), cwd: s.dir });
      expect(second.code, `${label}: resume: ${second.err}`).toBe(0);
      expect(rerunAfterSuccess([...first.events, ...second.events]), label).toEqual([]);
      const state = readState(s.workdir);
      const reference = await referenceRun(state.secrets as Record<string, string>);
      expect(normalisedState(state), label).toEqual(reference.state);
      expect(clusterView(s.cluster), label).toEqual(reference.cluster);
    }
    // The random points must really have cut runs.
    expect(codes.filter((c) => c === 130).length).toBeGreaterThanOrEqual(10);
  });

  it('the built CLI exits 130 on SIGINT, ends the running command, and the next run resumes', async () => {
    const dir = tempDir('sigint');
    const clusterDir = join(dir, 'cluster');
    const cluster = new FakeCluster(clusterDir);
    const bin = fakeBin(dir);
    const workdir = join(dir, 'work');
    const args = [
      'install',
      '--preset',
      'dev',
      '--yes',
      '--workdir',
      workdir,
      '--ignore-preflight',
      'discovery.namespace-fixed',
    ];

    const run = spawnCli(args, { fakeBin: bin, clusterDir, cwd: dir, delayMs: 1500 });
    // Interrupt while a helm upgrade (slow) is running.
    await until(
      () =>
        runningFakes(clusterDir).length > 0 &&
        cluster.calls().some((c) => c.tool === 'helm' && c.args.includes('upgrade')),
      60_000,
      'a helm upgrade to start',
    );
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stdout + result.stderr).toBe(130);
    expect(result.stderr).toContain('interrupted');
    expect(runningFakes(clusterDir), 'fake commands still running after exit').toEqual([]);
    const cut = readState(workdir);
    expect(Object.values(cut.steps).filter((e) => e.status === 'started')).toEqual([]);
    expect(Object.values(cut.steps).some((e) => e.status === 'interrupted')).toBe(true);
    const doneBefore = Object.entries(cut.steps)
      .filter(([, e]) => e.status === 'done')
      .map(([id]) => id);
    // The Lease was released on the way out: the next run does not wait for it to expire.
    const lease = cluster.get('Lease', cut.identity!['kubernetes.namespace'], 'openim-deploy-lock');
    expect(lease?.spec?.holderIdentity).toBe('');

    const callsBefore = cluster.calls().length;
    const resumed = await spawnCli([...args, '--json'], { fakeBin: bin, clusterDir, cwd: dir }).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const events = resumed.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; id: string; status: string });
    const rerun = events.filter((e) => e.type === 'step' && e.status === 'started').map((e) => e.id);
    expect(
      rerun.filter((id) => doneBefore.includes(id)),
      'steps done before the interrupt ran again',
    ).toEqual([]);
    expect(cluster.calls().length).toBeGreaterThan(callsBefore);
    expect(Object.values(readState(workdir).steps).every((e) => e.status === 'done')).toBe(true);
  });
});
