// Small helpers for the day-two kubectl calls: every one goes through the
// Runner, JSON out, manifests in through stdin (never argv, so no secret
// ever shows in a process list).

import type { DeploySpec } from '../../../config/schema.js';
import type { Runner, RunResult } from '../../../process/runner.js';
import { kubectlBase } from '../tools.js';
import { isUnreachable, unreachableError } from '../unreachable.js';
import { kubernetesLayout } from '../layout.js';

export const DAY2_FIELD_MANAGER = 'openim-deploy';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl's JSON walked by path; readers check what they use
export type Json = Record<string, any>;

export function kubectl(spec: DeploySpec, ...args: string[]): string[] {
  return [...kubectlBase(spec), ...args];
}

/** kubectl in the install's namespace: the argv helper of every day-two call, which starts from the spec. */
export function inNamespace(spec: DeploySpec, ...args: string[]): string[] {
  return kubectl(spec, '-n', kubernetesLayout(spec).namespace, ...args);
}

export const isNotFound = (r: RunResult): boolean => /NotFound|not found/i.test(r.stderr);
export const isAlreadyExists = (r: RunResult): boolean => /AlreadyExists|already exists/i.test(r.stderr);
export const isConflict = (r: RunResult): boolean => /Conflict|the object has been modified/i.test(r.stderr);

export function failure(argv: readonly string[], r: RunResult): Error {
  // No cluster answers: say so as doctor does, not as a failed command with client-go's log lines.
  if (isUnreachable(r.stderr)) return unreachableError(r.stderr);
  const tail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ');
  return new Error(`\`${argv.join(' ')}\` exited ${r.exitCode}${tail ? `: ${tail}` : ''}`);
}

/** `kubectl get … -o json`; undefined when the object does not exist. */
export async function getJson(runner: Runner, argv: string[], timeoutMs = 20_000): Promise<Json | undefined> {
  const r = await runner.run(argv, { timeoutMs });
  if (r.exitCode !== 0) {
    if (isNotFound(r)) return undefined;
    throw failure(argv, r);
  }
  try {
    return JSON.parse(r.stdout) as Json;
  } catch {
    throw new Error(`\`${argv.join(' ')}\` did not print JSON`);
  }
}

/** The items of a list, empty when the kind is unknown to the cluster (no CRD). */
export async function listItems(runner: Runner, argv: string[]): Promise<Json[]> {
  const r = await runner.run(argv, { timeoutMs: 20_000 });
  if (r.exitCode !== 0) {
    if (isNotFound(r) || /the server doesn't have a resource type/i.test(r.stderr)) return [];
    throw failure(argv, r);
  }
  try {
    return ((JSON.parse(r.stdout) as Json).items ?? []) as Json[];
  } catch {
    throw new Error(`\`${argv.join(' ')}\` did not print JSON`);
  }
}
