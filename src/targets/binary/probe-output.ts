// A read-only probe of the host: a command's stdout when it ran and exited 0,
// undefined otherwise (missing tool, refused, timed out). Facts treat "could not
// tell" as absent and let preflight say what is missing.

import type { Runner } from '../../process/runner.js';

export async function probeOutput(runner: Runner, argv: string[]): Promise<string | undefined> {
  try {
    const r = await runner.run(argv, { timeoutMs: 10_000 });
    return r.exitCode === 0 ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}
