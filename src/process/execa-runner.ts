import type { RunOptions, RunResult, Runner } from './runner.js';

/** The real Runner: argv arrays only, never a shell. execa is loaded on first use to keep start-up fast. */
export class ExecaRunner implements Runner {
  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [file, ...args] = argv;
    if (!file) throw new Error('empty argv');
    const { execa } = await import('execa');
    const result = await execa(file, args, {
      cwd: options.cwd,
      env: options.env,
      ...(options.inputFile ? { inputFile: options.inputFile } : { input: options.input }),
      // Not kept in memory as well: a dump may be larger than the heap.
      ...(options.stdoutFile ? { stdout: { file: options.stdoutFile }, buffer: { stdout: false } } : {}),
      timeout: options.timeoutMs,
      cancelSignal: options.signal,
      reject: false,
      stripFinalNewline: false,
      forceKillAfterDelay: 5000,
    });
    if (result.isCanceled) throw Object.assign(new Error(`interrupted: ${argv.join(' ')}`), { name: 'AbortError' });
    if (result.failed && result.exitCode === undefined) {
      // Could not start or was killed by a signal/timeout.
      const why = result.timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : ((result.cause as Error | undefined)?.message ?? result.shortMessage);
      return { exitCode: 127, stdout: String(result.stdout ?? ''), stderr: `${String(result.stderr ?? '')}${why}` };
    }
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr) };
  }
}
