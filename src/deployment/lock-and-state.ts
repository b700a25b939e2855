// Opening a deployment for a command that changes it: make room for the
// lock and state (Kubernetes: the namespace), take the lock, load the state;
// afterwards wait for the remote state copy and release the lock, whatever
// happened. Read-only commands (status, doctor, logs, support-bundle) only
// load the state.

import type { CliContext } from '../context.js';
import type { DeploySpec } from '../config/schema.js';
import { UserAbort } from '../errors.js';
import type { HeldLock } from '../state/lock.js';
import { lockOwner } from '../state/lock.js';
import type { DeployState, StateStore } from '../state/types.js';
import { day2For } from '../targets/registry.js';
import type { Day2Target } from '../targets/day2/types.js';

export type SessionContext = Pick<CliContext, 'io' | 'runner' | 'signal'>;

export interface OpenDeployment {
  day2: Day2Target;
  store: StateStore;
  state: DeployState;
  lock: HeldLock;
  /** Aborts on Ctrl-C and when the lock is lost. */
  signal: AbortSignal;
}

export interface SessionOptions {
  command: string;
  waitLock: boolean;
}

export async function withDeployment<T>(
  ctx: SessionContext,
  spec: DeploySpec,
  workdir: string,
  options: SessionOptions,
  fn: (d: OpenDeployment) => Promise<T>,
): Promise<T> {
  const day2 = day2For(spec.target);
  const prepared = await day2.prepare(spec, ctx.runner);
  const deployLock = day2.lock(spec, ctx.runner, workdir);
  const lock = await deployLock.acquire({
    owner: lockOwner(options.command),
    wait: options.waitLock,
    signal: ctx.signal,
    onWait: (holder) => ctx.io.err(`waiting for the lock (${deployLock.location}), held by ${holder} …`),
  });
  const store = day2.stateStore(spec, ctx.runner, workdir, prepared);
  const signal = AbortSignal.any([ctx.signal, lock.lost]);
  try {
    const state = await store.load();
    // Recorded once, by the run that created it; later runs find it existing and keep the record.
    if (prepared.createdNamespace) state.createdNamespace = prepared.createdNamespace;
    if (store.setAside)
      ctx.io.err(
        `note: the local state copy belonged to another cluster; kept as ${store.setAside}. This cluster (kube-system ${prepared.clusterId}) starts from its own state.`,
      );
    // Marks the local copy, so a later run against another cluster cannot take it for its own.
    if (prepared.clusterId) state.cluster = prepared.clusterId;
    return await fn({ day2, store, state, lock, signal });
  } catch (error) {
    if (lock.lost.aborted && error instanceof UserAbort)
      throw new Error((lock.lost.reason as Error | undefined)?.message ?? 'the lock was lost');
    throw error;
  } finally {
    // The local copy has every change already; this waits for the remote one (Kubernetes Secret).
    await store.flush?.().catch((e: Error) => ctx.io.err(`warning: ${e.message}`));
    await lock
      .release()
      .catch((e: Error) => ctx.io.err(`warning: could not release the lock ${lock.location}: ${e.message}`));
  }
}

export async function readDeployment(
  ctx: Pick<CliContext, 'runner'>,
  spec: DeploySpec,
  workdir: string,
): Promise<{ day2: Day2Target; store: StateStore; state: DeployState }> {
  const day2 = day2For(spec.target);
  const store = day2.stateStore(spec, ctx.runner, workdir);
  return { day2, store, state: await store.load() };
}
