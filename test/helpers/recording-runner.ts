// A Runner for tests and benchmarks: records every call with its start and
// end time and answers from a handler. It is a fake, named as one; the real
// path (ExecaRunner with helm/kubectl/systemctl) is tested in the e2e suites.

import { abortError } from '../../src/util/sleep.js';
import type { RunOptions, RunResult, Runner } from '../../src/process/runner.js';

export interface RecordedCall {
  argv: string[];
  options: RunOptions;
  start: number;
  end: number;
  result: RunResult;
}

export type Handler = (argv: readonly string[], options: RunOptions) => RunResult | Promise<RunResult>;

export const ok = (stdout = ''): RunResult => ({ exitCode: 0, stdout, stderr: '' });

export class RecordingRunner implements Runner {
  readonly calls: RecordedCall[] = [];
  private readonly clock: () => number;
  constructor(
    private readonly handler: Handler = () => ok(),
    options: { clock?: () => number } = {},
  ) {
    this.clock = options.clock ?? (() => performance.now());
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const start = this.clock();
    if (options.signal?.aborted) throw abortError();
    const result = await this.handler(argv, options);
    const call = { argv: [...argv], options, start, end: this.clock(), result };
    this.calls.push(call);
    return result;
  }

  argvs(): string[][] {
    return this.calls.map((c) => c.argv);
  }
}
