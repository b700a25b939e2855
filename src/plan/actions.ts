// Builders for the plan's most common action, so planners say what runs
// rather than spelling out the action object each time.

import type { ExecAction } from './types.js';

/** A command that changes the machine (`mutates`: a dry run only prints it). */
export function exec(argv: string[], extra: Partial<ExecAction> = {}): ExecAction {
  return { kind: 'exec', argv, mutates: true, ...extra };
}
