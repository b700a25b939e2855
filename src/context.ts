// What commands get from the entry point: streams, env, and the seams tests
// replace (runner, prompter). Each command takes only the slice it needs.

import type { Runner } from './process/runner.js';
import type { Prompter } from './wizard/prompter.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stdin and stdout are terminals and CI is not set: prompting is allowed. */
  interactive: boolean;
  /** stdout is a terminal (for the progress renderer), even when prompting is not allowed. */
  tty: boolean;
}

export interface CliContext {
  io: Io;
  env: Record<string, string | undefined>;
  cwd: string;
  runner: Runner;
  prompter: Prompter;
  signal: AbortSignal;
}
