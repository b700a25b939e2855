// The seam between the installer and the outside world: every external
// command goes through a Runner. Tests inject a RecordingRunner.

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
  /** A file streamed to stdin as bytes (binary-safe, unlike `input`). */
  inputFile?: string;
  /** stdout written to this file as bytes instead of returned (binary-safe); `stdout` is then empty. */
  stdoutFile?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Runner {
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
}
