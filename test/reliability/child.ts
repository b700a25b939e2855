// The BUILT CLI (bin → dist) as a child process, asynchronously, so a test
// can signal it while it runs. PATH starts with the fake kubectl/helm.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

export interface ChildRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  output(): string;
}

export function spawnCli(
  args: string[],
  options: { fakeBin: string; clusterDir: string; cwd: string; delayMs?: number; env?: Record<string, string> },
): ChildRun {
  const bin = join(packageRoot(), 'bin', 'openim-deploy.js');
  if (!existsSync(join(packageRoot(), 'dist', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:reliability does)');
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: {
      PATH: `${options.fakeBin}:${process.env.PATH ?? ''}`,
      HOME: options.cwd,
      CI: '1',
      NO_COLOR: '1',
      FAKE_KUBE_DIR: options.clusterDir,
      FAKE_KUBE_DELAY_MS: String(options.delayMs ?? 0),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
  return { child, done, output: () => stdout + stderr };
}

/** Fake commands still running (markers left by fake-kube-cli.ts). */
export function runningFakes(clusterDir: string): string[] {
  const dir = join(clusterDir, 'running');
  return existsSync(dir) ? readdirSync(dir) : [];
}

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
