// A running `kubectl port-forward`: started, its local port read from its
// first line ("Forwarding from 127.0.0.1:43121 -> 10002"), stopped when done.
// Long-lived, so not the Runner (which runs commands to completion).

import { spawn, type ChildProcess } from 'node:child_process';

export interface Forward {
  localPort: number;
  stop(): void;
}

export function startForward(argv: string[], timeoutMs = 20_000): Promise<Forward> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(e as Error);
      return;
    }
    let out = '';
    let err = '';
    const stop = () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${argv.join(' ')}: no forwarding within ${timeoutMs / 1000} s ${err.trim()}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ localPort: Number(m[1]), stop });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${argv[0]}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH (install kubectl)' : e.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited ${code}: ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}
