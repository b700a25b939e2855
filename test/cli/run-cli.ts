// Runs the BUILT CLI (bin → dist) as a user would: no stdin, CI set.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function cli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): CliResult {
  const bin = join(packageRoot(), 'bin', 'openim-deploy.js');
  if (!existsSync(join(packageRoot(), 'dist', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? packageRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: '1', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started };
}
