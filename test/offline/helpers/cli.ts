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
  if (!existsSync(join(packageRoot(), 'dist', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:offline does)');
  return join(packageRoot(), 'bin', 'openim-deploy.js');
}

/**
 * `hostsFile`: run the CLI in its own mount namespace with that file over /etc/hosts (root, unshare -m),
 * so a test can give a loopback registry a real host name without touching the machine's.
 */
export function runCli(
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    timeoutMs?: number;
    onSpawn?: (pid: number) => void;
    hostsFile?: string;
  } = {},
): Promise<CliResult> {
  const bin = cliPath();
  return new Promise((resolve, reject) => {
    const argv = options.hostsFile
      ? [
          'unshare',
          '-m',
          'sh',
          '-c',
          'mount --bind "$0" /etc/hosts && exec "$@"',
          options.hostsFile,
          process.execPath,
          bin,
          ...args,
        ]
      : [process.execPath, bin, ...args];
    const child = spawn(argv[0]!, argv.slice(1), {
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
