// Runs the CLI in-process (buildProgram, the same commander program the
// binary runs) with an injected Runner, capturing stdout, stderr and the
// --json progress events. Exit codes follow src/main.ts's table.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { buildProgram } from '../../src/cli.js';
import type { CliContext } from '../../src/context.js';
import { DeployError, EXIT, isAbort } from '../../src/errors.js';
import type { ExecEvent } from '../../src/execute/executor.js';
import type { Runner } from '../../src/process/runner.js';
import type { DeployState } from '../../src/state/types.js';
import { NonInteractivePrompter } from '../../src/wizard/prompter.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  events: ExecEvent[];
  error?: unknown;
}

function exitCodeOf(error: unknown): number {
  if (error instanceof DeployError) return error.exitStatus;
  if (isAbort(error)) return EXIT.interrupted;
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.invalidInput;
  return EXIT.failed;
}

export async function runCli(
  args: string[],
  options: { runner: Runner; cwd: string; signal?: AbortSignal; env?: Record<string, string> },
): Promise<CliRun> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    io: {
      out: (s) => void (out += s),
      err: (s) => void (err += s.endsWith('\n') ? s : `${s}\n`),
      interactive: false,
      tty: false,
    },
    env: { HOME: options.cwd, CI: '1', ...options.env },
    cwd: options.cwd,
    runner: options.runner,
    prompter: new NonInteractivePrompter(),
    signal: options.signal ?? new AbortController().signal,
  };
  let code = 0;
  let error: unknown;
  try {
    await buildProgram(ctx, '0.0.0-test').parseAsync(args, { from: 'user' });
  } catch (e) {
    error = e;
    code = exitCodeOf(e);
  }
  const events = out
    .split('\n')
    .filter((l) => l.startsWith('{"type":'))
    .map((l) => JSON.parse(l) as ExecEvent);
  return { code, out, err, events, ...(error !== undefined ? { error } : {}) };
}

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `oid-rel-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Called after each file (setup.ts); KEEP_TMP=1 keeps them for a post-mortem. */
export function removeTempDirs(): void {
  if (process.env.KEEP_TMP) return;
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function readState(workdir: string): DeployState {
  return JSON.parse(readFileSync(join(workdir, 'state.json'), 'utf8')) as DeployState;
}

/** Start a run from a state that holds only these secrets (as install leaves it before its first step). */
export function seedState(workdir: string, secrets: DeployState['secrets']): void {
  mkdirSync(workdir, { recursive: true });
  writeFileSync(join(workdir, 'state.json'), JSON.stringify({ version: 1, secrets, steps: {} }), { mode: 0o600 });
}

/** What must be equal between two runs that end in the same place. */
export function normalisedState(state: DeployState): unknown {
  return {
    identity: state.identity,
    secrets: state.secrets,
    installed: state.installed
      ? { serverVersion: state.installed.serverVersion, chatVersion: state.installed.chatVersion }
      : undefined,
    upgrading: state.upgrading,
    history: (state.history ?? []).map((h) => ({
      action: h.action,
      serverVersion: h.serverVersion,
      chatVersion: h.chatVersion,
      releases: Object.keys(h.revisions ?? {}).sort(),
    })),
    lastApplied: state.lastApplied,
    steps: Object.fromEntries(
      Object.entries(state.steps)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, e]) => [
          id,
          { status: e.status, hash: e.hash, order: e.order, component: e.component, resources: e.resources },
        ]),
    ),
  };
}

/** Steps that started again after they had succeeded, across a sequence of runs. */
export function rerunAfterSuccess(events: ExecEvent[]): string[] {
  const done = new Set<string>();
  const again: string[] = [];
  for (const e of events) {
    if (e.type !== 'step') continue;
    if (e.status === 'done') done.add(e.id);
    if (e.status === 'started' && done.has(e.id)) again.push(e.id);
  }
  return again;
}
