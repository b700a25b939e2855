// `--helm PATH`: the plan says `helm` (its steps and journal hashes do not
// depend on where helm lives); this Runner runs that path instead, for every
// probe and step of the command.

import { isAbsolute, resolve } from 'node:path';
import type { RunOptions, RunResult, Runner } from './runner.js';

class ToolPathRunner implements Runner {
  constructor(
    private readonly inner: Runner,
    private readonly paths: Readonly<Record<string, string>>,
  ) {}

  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    const path = argv[0] !== undefined ? this.paths[argv[0]] : undefined;
    return this.inner.run(path ? [path, ...argv.slice(1)] : argv, options);
  }
}

/**
 * The runner for a command given `--helm`: a path with a slash is taken relative to where the
 * user runs the command (steps run in other folders); a bare name stays a PATH lookup.
 */
export function withHelm(runner: Runner, helm: string | undefined, cwd: string): Runner {
  if (!helm || helm === 'helm') return runner;
  return new ToolPathRunner(runner, { helm: helm.includes('/') && !isAbsolute(helm) ? resolve(cwd, helm) : helm });
}
