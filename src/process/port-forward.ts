// A running `kubectl port-forward`: started, its local port read from the line
// it prints ("Forwarding from 127.0.0.1:43121 -> 10009"), stopped when done.
// Long-lived, so not the Runner (which runs commands to completion); the
// executor takes it as a seam so tests inject their own.

import { spawn, type ChildProcess } from 'node:child_process';

export interface Forward {
  localPort: number;
  stop(): void;
}

export type ForwardFn = (argv: readonly string[], signal?: AbortSignal) => Promise<Forward>;

export const startForward: ForwardFn = (argv, signal, timeoutMs = 30_000) =>
  new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(e as Error);
      return;
    }
    let out = '';
    let err = '';
    let settled = false;
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`${argv.join(' ')}: no forwarding within ${timeoutMs / 1000}s ${err.trim()}`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', () => fail(Object.assign(new Error('interrupted'), { name: 'AbortError' })), {
      once: true,
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ localPort: Number(m[1]), stop });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (e) =>
      fail(
        new Error(
          `${argv[0]}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH (install kubectl)' : e.message}`,
        ),
      ),
    );
    child.on('exit', (code) =>
      fail(new Error(`${argv.join(' ')} exited ${code}: ${err.trim().split('\n').pop() ?? ''}`)),
    );
  });
