import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApplyError, UserAbort } from '../errors.js';
import { ok, RecordingRunner } from '../../test/helpers/recording-runner.js';
import type { Plan, Step } from '../plan/types.js';
import { Redactor } from '../secrets/redact.js';
import { secretRef } from '../secrets/secrets.js';
import { MemoryStateStore } from '../state/file-store.js';
import { Journal } from '../state/journal.js';
import { emptyState } from '../state/types.js';
import { sleep } from '../util/sleep.js';
import { executePlan, type ExecEvent, type ExecuteOptions } from './executor.js';

const exec = (id: string, needs: string[] = [], extra: Partial<Step> = {}): Step => ({
  id,
  title: `step ${id}`,
  phase: 'prepare',
  needs,
  actions: [{ kind: 'exec', argv: ['run', id], mutates: true }],
  ...extra,
});

const plan = (steps: Step[]): Plan => ({
  version: 1,
  target: 'kubernetes',
  profile: 'dev',
  openim: { serverVersion: 'x', chatVersion: 'y' },
  scope: 'test',
  steps,
});

function options(runner: RecordingRunner, extra: Partial<ExecuteOptions> = {}): ExecuteOptions {
  return {
    runner,
    workdir: mkdtempSync(join(tmpdir(), 'oid-exec-')),
    templatesDir: '/nonexistent',
    concurrency: 4,
    secrets: {},
    redactor: new Redactor([]),
    output: 'silent',
    retryDelayMs: 1,
    ...extra,
  };
}

/** A runner whose commands take `ms` each on vitest's fake clock; `run X` is the step id. */
const slowRunner = (ms: number) =>
  new RecordingRunner(
    async () => {
      await sleep(ms);
      return ok();
    },
    { clock: () => Date.now() },
  );

/**
 * Runs the plan on vitest's fake clock, which starts at 0: every command's
 * start and end are exact, with no real waiting. Exec steps touch no files,
 * so nothing waits on real I/O while the fake timers run.
 */
async function executeOnFakeClock(p: Plan, o: ExecuteOptions) {
  vi.useFakeTimers({ now: 0 });
  const run = executePlan(p, o);
  await vi.runAllTimersAsync();
  return run;
}

const interval = (runner: RecordingRunner, id: string) => {
  const call = runner.calls.find((c) => c.argv[1] === id);
  if (!call) throw new Error(`${id} did not run`);
  return call;
};
const overlap = (runner: RecordingRunner, a: string, b: string) =>
  interval(runner, a).start < interval(runner, b).end && interval(runner, b).start < interval(runner, a).end;

describe('executePlan', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs independent steps at the same time and dependent ones strictly after', async () => {
    const runner = slowRunner(40);
    await executeOnFakeClock(plan([exec('a'), exec('b'), exec('c', ['a', 'b']), exec('d', ['c'])]), options(runner));
    const times = Object.fromEntries(
      ['a', 'b', 'c', 'd'].map((id) => [id, [interval(runner, id).start, interval(runner, id).end]]),
    );
    expect(times).toEqual({ a: [0, 40], b: [0, 40], c: [40, 80], d: [80, 120] });
    expect(overlap(runner, 'a', 'b')).toBe(true);
    expect(overlap(runner, 'b', 'c')).toBe(false);
  });

  it('never runs more than --concurrency steps at once', async () => {
    const runner = slowRunner(20);
    await executeOnFakeClock(
      plan(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => exec(id))),
      options(runner, { concurrency: 2 }),
    );
    // Sweep line: the most calls in flight at any instant.
    const edges = runner.calls
      .flatMap((c) => [
        { t: c.start, d: 1 },
        { t: c.end, d: -1 },
      ])
      .sort((x, y) => x.t - y.t || x.d - y.d);
    let inFlight = 0;
    let most = 0;
    for (const e of edges) most = Math.max(most, (inFlight += e.d));
    expect(most).toBe(2);
    // Two at a time, back to back: three rounds of 20.
    expect(runner.calls.map((c) => c.start).sort((x, y) => x - y)).toEqual([0, 0, 20, 20, 40, 40]);
  });

  it('a failing step stops its dependants, independent steps go on, and the error names step and argv', async () => {
    const runner = new RecordingRunner((argv) =>
      argv[1] === 'b' ? { exitCode: 3, stdout: '', stderr: 'boom in run b' } : ok(),
    );
    const events: ExecEvent[] = [];
    const error = await executePlan(
      plan([exec('a'), exec('b'), exec('c', ['b']), exec('d', ['c']), exec('e', ['a'])]),
      options(runner, { onEvent: (e) => events.push(e) }),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).failures.map((f) => f.stepId)).toEqual(['b']);
    expect((error as ApplyError).message).toContain('step b: `run b` exited 3');
    expect(
      runner
        .argvs()
        .map((a) => a[1])
        .sort(),
    ).toEqual(['a', 'b', 'e']);
    const blocked = events.filter((e) => e.type === 'step' && e.status === 'blocked').map((e) => e.id);
    expect(blocked.sort()).toEqual(['c', 'd']);
  });

  it('retries a step that declares retries', async () => {
    let calls = 0;
    const runner = new RecordingRunner(() => (++calls < 3 ? { exitCode: 1, stdout: '', stderr: 'transient' } : ok()));
    const report = await executePlan(plan([exec('a', [], { retries: 2 })]), options(runner));
    expect(report.outcomes[0]!.attempts).toBe(3);
  });

  it('records each step before and after, and skips unchanged done steps on a re-run', async () => {
    const store = new MemoryStateStore();
    const p = plan([exec('a'), exec('b', ['a'])]);
    const first = new RecordingRunner();
    await executePlan(p, options(first, { journal: new Journal(store, await store.load()) }));
    expect(first.calls).toHaveLength(2);
    const state = await store.load();
    expect(state.steps.a!.status).toBe('done');

    const second = new RecordingRunner();
    const report = await executePlan(p, options(second, { journal: new Journal(store, await store.load()) }));
    expect(second.calls).toHaveLength(0);
    expect(report.outcomes.map((o) => o.status)).toEqual(['unchanged', 'unchanged']);

    const changed = plan([
      exec('a'),
      { ...exec('b', ['a']), actions: [{ kind: 'exec', argv: ['run', 'b', '--changed'], mutates: true }] },
    ]);
    const third = new RecordingRunner();
    await executePlan(changed, options(third, { journal: new Journal(store, await store.load()) }));
    expect(third.argvs()).toEqual([['run', 'b', '--changed']]);
  });

  it('resumes after a failure: done steps are not run again', async () => {
    const store = new MemoryStateStore(emptyState());
    const p = plan([exec('a'), exec('b', ['a']), exec('c', ['b'])]);
    const failB = new RecordingRunner((argv) => (argv[1] === 'b' ? { exitCode: 3, stdout: '', stderr: 'boom' } : ok()));
    await executePlan(p, options(failB, { journal: new Journal(store, await store.load()) })).catch(() => undefined);
    expect((await store.load()).steps.b!.status).toBe('failed');
    const rerun = new RecordingRunner();
    await executePlan(p, options(rerun, { journal: new Journal(store, await store.load()) }));
    expect(rerun.argvs().map((a) => a[1])).toEqual(['b', 'c']);
  });

  it('stops on interrupt: the running command is cancelled and the journal says interrupted', async () => {
    const controller = new AbortController();
    const store = new MemoryStateStore();
    // The barrier: the abort comes once step a's command is running.
    let commandStarted!: () => void;
    const running = new Promise<void>((resolve) => (commandStarted = resolve));
    const runner = new RecordingRunner(async (_argv, opts) => {
      commandStarted();
      await sleep(600_000, opts.signal);
      return ok();
    });
    const result = executePlan(
      plan([exec('a'), exec('b', ['a'])]),
      options(runner, { signal: controller.signal, journal: new Journal(store, await store.load()) }),
    ).catch((e) => e);
    await running;
    controller.abort();
    const error = await result;
    expect(error).toBeInstanceOf(UserAbort);
    const state = await store.load();
    expect(state.steps.a!.status).toBe('interrupted');
    expect(state.steps.b).toBeUndefined();
  });

  it('materialises secrets only when running and writing, and redacts them from errors and events', async () => {
    const secret = 'pa55w0rd-very-secret';
    const runner = new RecordingRunner(() => ({ exitCode: 1, stdout: '', stderr: `auth failed for ${secret}` }));
    const events: ExecEvent[] = [];
    const o = options(runner, {
      secrets: { 'redis.password': secret },
      redactor: new Redactor([secret]),
      onEvent: (e) => events.push(e),
    });
    const steps: Step[] = [
      {
        id: 'w',
        title: 'write',
        phase: 'config',
        needs: [],
        actions: [
          { kind: 'write', path: 'conf/redis.yml', mode: 0o600, content: `password: ${secretRef('redis.password')}\n` },
        ],
      },
      {
        id: 'x',
        title: 'exec',
        phase: 'config',
        needs: ['w'],
        actions: [{ kind: 'exec', argv: ['redis-cli', '-a', secretRef('redis.password'), 'ping'], mutates: false }],
      },
    ];
    const error = (await executePlan(plan(steps), o).catch((e) => e)) as ApplyError;
    expect(readFileSync(join(o.workdir, 'conf/redis.yml'), 'utf8')).toBe(`password: "${secret}"\n`); // filled through the YAML serializer
    expect(statSync(join(o.workdir, 'conf/redis.yml')).mode & 0o777).toBe(0o600);
    expect(runner.calls[0]!.argv).toEqual(['redis-cli', '-a', secret, 'ping']);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(error.message).toContain('«redacted»');
  });

  it('shows progress through listr2 task states (done, skipped, failed)', async () => {
    const store = new MemoryStateStore();
    const p = plan([exec('a'), exec('b', ['a'])]);
    await executePlan(p, options(new RecordingRunner(), { journal: new Journal(store, await store.load()) }));
    const events: ExecEvent[] = [];
    await executePlan(
      p,
      options(new RecordingRunner(), {
        journal: new Journal(store, await store.load()),
        onEvent: (e) => events.push(e),
      }),
    );
    expect(
      events.filter((e) => e.type === 'step').map((e) => (e.type === 'step' ? `${e.id}:${e.status}` : '')),
    ).toEqual(['a:unchanged', 'b:unchanged']);
  });

  it('a not-applicable step runs nothing, is never journalled, and does not block what needs it', async () => {
    const store = new MemoryStateStore();
    const na: Step = {
      id: 'smoke',
      title: 'Smoke test',
      phase: 'verify',
      needs: ['a'],
      actions: [],
      notApplicable: 'smoke test not applicable: the cluster is simulated',
    };
    const p = plan([exec('a'), na, exec('c', ['smoke'])]);
    for (let run = 0; run < 2; run++) {
      const events: ExecEvent[] = [];
      const runner = new RecordingRunner();
      const report = await executePlan(
        p,
        options(runner, { journal: new Journal(store, await store.load()), onEvent: (e) => events.push(e) }),
      );
      // The first run applies a and c; the second finds them unchanged. The smoke test is never either.
      const expected = run === 0 ? ['done', 'not-applicable', 'done'] : ['unchanged', 'not-applicable', 'unchanged'];
      expect(report.outcomes.map((o) => o.status)).toEqual(expected);
      expect(events).toContainEqual({
        type: 'step',
        id: 'smoke',
        status: 'not-applicable',
        message: 'smoke test not applicable: the cluster is simulated',
      });
      expect(runner.argvs().map((a) => a[1])).toEqual(run === 0 ? ['a', 'c'] : []);
      expect((await store.load()).steps.smoke).toBeUndefined();
    }
  });
});
