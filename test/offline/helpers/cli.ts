// Runs the BUILT CLI (bin → dist) asynchronously: the token service and the
// HTTP servers of the test live in this process and must keep answering.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/util/package-root.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cliPath(): string {
  if (!existsSync(join(packageRoot(), 'dist', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm run test:offline does)');
  return join(packageRoot(), 'bin', 'openim-deploy.js');
}

export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<CliResult> {
  const bin = cliPath();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? packageRoot(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: '1', NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) options.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
