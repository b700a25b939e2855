// Runs a Plan: each step waits for its needs, then for a concurrency slot.
// listr2 shows progress; the journal records every step before and after it
// runs, so a re-run resumes and skips what is already done and unchanged.

import { Listr } from 'listr2';
import { ApplyError, UserAbort } from '../errors.js';
import type { Runner } from '../process/runner.js';
import { sleep } from '../util/sleep.js';
import { topologicalOrder } from '../plan/graph.js';
import type { Plan, Step } from '../plan/types.js';
import type { Redactor } from '../secrets/redact.js';
import type { SecretValues } from '../secrets/secrets.js';
import type { Journal } from '../state/journal.js';
import { runAction } from './actions.js';
import { stepHash } from './hash.js';
import { defaultProbe, type ProbeFn } from './probes.js';
import type { ForwardFn } from '../process/port-forward.js';
import { Semaphore } from './semaphore.js';

export type OutputMode = 'tty' | 'plain' | 'json' | 'silent';

/** `not-applicable`: the step had nothing it could do here (Step.notApplicable); it ran nothing. */
type StepStatus = 'done' | 'unchanged' | 'not-applicable' | 'failed' | 'blocked' | 'interrupted';

interface StepOutcome {
  id: string;
  status: StepStatus;
  attempts: number;
  startedAt?: number;
  finishedAt?: number;
  error?: Error;
  /** Why a not-applicable step did nothing (redacted). */
  reason?: string;
}

export type ExecEvent =
  | { type: 'step'; id: string; status: 'started' | StepStatus; message?: string }
  | { type: 'output'; id: string; text: string };

export interface ExecuteOptions {
  runner: Runner;
  workdir: string;
  templatesDir: string;
  concurrency: number;
  secrets: Partial<SecretValues>;
  redactor: Redactor;
  journal?: Journal;
  output: OutputMode;
  signal?: AbortSignal;
  probe?: ProbeFn;
  /** Starts port-forwards (default: kubectl port-forward); tests inject one. */
  forward?: ForwardFn;
  /** Every event, redacted: the JSON output and the log file listen here. */
  onEvent?: (event: ExecEvent) => void;
  /** Re-run steps even when the journal says they are done and unchanged. */
  force?: boolean;
  /** Base delay between retries (tests shorten it). */
  retryDelayMs?: number;
}

export interface ExecutionReport {
  outcomes: StepOutcome[];
  wallMs: number;
}

/** The slice of a listr2 task wrapper the executor uses. */
interface TaskUi {
  output: string;
  skip(message?: string): void;
}

const RENDERER = { tty: 'default', plain: 'simple', json: 'silent', silent: 'silent' } as const;

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<ExecutionReport> {
  const started = performance.now();
  const order = topologicalOrder(plan.steps);
  const results = new Map(order.map((s) => [s.id, deferred<StepOutcome>()]));
  // Hashes depend only on the step and the secrets: compute them all up front, off the critical path.
  const hashes = new Map(order.map((s) => [s.id, stepHash(s, options.secrets, options.templatesDir)] as const));
  for (const pending of hashes.values()) pending.catch(() => undefined);
  const semaphore = new Semaphore(options.concurrency);
  const emit = (event: ExecEvent) => options.onEvent?.(event);
  const probe = options.probe ?? defaultProbe;

  const runStep = async (step: Step, task: TaskUi | undefined): Promise<StepOutcome> => {
    const needs = await Promise.all(step.needs.map((n) => results.get(n)!.promise));
    const blockedBy = needs.find((o) => o.status === 'failed' || o.status === 'blocked' || o.status === 'interrupted');
    if (blockedBy) {
      emit({ type: 'step', id: step.id, status: 'blocked', message: `needs ${blockedBy.id}` });
      return { id: step.id, status: 'blocked', attempts: 0 };
    }
    if (options.signal?.aborted) return { id: step.id, status: 'interrupted', attempts: 0 };
    if (step.notApplicable !== undefined) {
      // Not journalled: a later run on a real target must run it, and nothing here claims it passed.
      const reason = options.redactor.redact(step.notApplicable);
      emit({ type: 'step', id: step.id, status: 'not-applicable', message: reason });
      return { id: step.id, status: 'not-applicable', attempts: 0, reason };
    }
    const hash = await hashes.get(step.id)!;
    if (!options.force && options.journal?.isDone(step.id, hash)) {
      emit({ type: 'step', id: step.id, status: 'unchanged' });
      return { id: step.id, status: 'unchanged', attempts: 0 };
    }
    const release = await semaphore.acquire();
    const outcome: StepOutcome = { id: step.id, status: 'done', attempts: 0, startedAt: performance.now() };
    try {
      const maxAttempts = 1 + (step.retries ?? 0);
      for (;;) {
        outcome.attempts++;
        await options.journal?.record(step.id, 'started', hash);
        emit({ type: 'step', id: step.id, status: 'started' });
        try {
          const artifacts: { path: string; sha256: string }[] = [];
          for (const action of step.actions) {
            const output = await runAction(action, {
              runner: options.runner,
              workdir: options.workdir,
              templatesDir: options.templatesDir,
              secrets: options.secrets,
              redactor: options.redactor,
              probe,
              ...(options.forward ? { forward: options.forward } : {}),
              stepId: step.id,
              ...(options.signal ? { signal: options.signal } : {}),
              report: (text) => {
                const safe = options.redactor.redact(text);
                if (task) task.output = safe;
                emit({ type: 'output', id: step.id, text: safe });
              },
            });
            if (output?.artifacts) artifacts.push(...output.artifacts);
          }
          await options.journal?.record(step.id, 'done', hash, undefined, artifacts.length ? { artifacts } : undefined);
          emit({ type: 'step', id: step.id, status: 'done' });
          break;
        } catch (error) {
          const aborted =
            options.signal?.aborted || (error as Error).name === 'AbortError' || error instanceof UserAbort;
          const message = options.redactor.redact((error as Error).message);
          await options.journal?.record(step.id, aborted ? 'interrupted' : 'failed', hash, message);
          if (aborted) {
            outcome.status = 'interrupted';
            emit({ type: 'step', id: step.id, status: 'interrupted' });
            break;
          }
          if (outcome.attempts < maxAttempts) {
            emit({ type: 'output', id: step.id, text: `attempt ${outcome.attempts} failed, retrying: ${message}` });
            await sleep((options.retryDelayMs ?? 2000) * outcome.attempts, options.signal).catch(() => undefined);
            continue;
          }
          outcome.status = 'failed';
          outcome.error = Object.assign(error as Error, { message });
          emit({ type: 'step', id: step.id, status: 'failed', message });
          break;
        }
      }
    } finally {
      outcome.finishedAt = performance.now();
      release();
    }
    return outcome;
  };

  const settle = async (step: Step, task?: TaskUi) => {
    let outcome: StepOutcome;
    try {
      outcome = await runStep(step, task);
    } catch (error) {
      outcome = { id: step.id, status: 'failed', attempts: 0, error: error as Error };
    }
    results.get(step.id)!.resolve(outcome);
    return outcome;
  };

  const list = new Listr(
    order.map((step) => ({
      title: step.title,
      task: async (_ctx: unknown, task: TaskUi) => {
        const outcome = await settle(step, task);
        if (outcome.status === 'unchanged') task.skip(`${step.title} (unchanged)`);
        else if (outcome.status === 'not-applicable')
          task.skip(outcome.reason); // the reason names what was not done
        else if (outcome.status === 'blocked') task.skip(`${step.title} (not run: a step it needs failed)`);
        else if (outcome.status === 'interrupted') throw new UserAbort();
        else if (outcome.status === 'failed') throw outcome.error ?? new Error(`${step.id} failed`);
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      // listr2 would otherwise catch SIGINT itself and process.exit(127) mid-step, before the
      // journal records the interrupt; src/main.ts owns signals (abort, journal, exit 130).
      registerSignalListeners: false,
      renderer: RENDERER[options.output],
      fallbackRenderer: 'simple',
      rendererOptions: { collapseSubtasks: false, showErrorMessage: true },
      silentRendererCondition: options.output === 'json' || options.output === 'silent',
    } as ConstructorParameters<typeof Listr>[1],
  );
  await list.run().catch(() => undefined);

  const outcomes = await Promise.all(order.map((s) => results.get(s.id)!.promise));
  const report = { outcomes, wallMs: performance.now() - started };
  if (outcomes.some((o) => o.status === 'interrupted') || options.signal?.aborted) throw new UserAbort();
  const failures = outcomes
    .filter((o) => o.status === 'failed')
    .map((o) => ({ stepId: o.id, error: o.error ?? new Error('failed') }));
  if (failures.length > 0) throw Object.assign(new ApplyError(failures), { report });
  return report;
}
