// Runs the BUILT CLI (bin/openim-deploy.js → dist/) as a user would, against a
// TestCluster: PATH starts with the chosen helm/kubectl, KUBECONFIG is the test
// cluster's, CI=1 (no prompts, plain output), helm's own folders in a temp dir.
// The child leads its own process group, so a test can SIGKILL the installer
// together with the helm/kubectl it runs (a lost machine or CI runner), and the
// peak memory of that whole group is sampled from /proc while it runs.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HelmBinaries } from '../helpers/tools.js';
import { repoRoot } from '../helpers/tools.js';

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Highest sum of RSS over the installer's process group (node + helm/kubectl children), bytes. */
  peakGroupRss: number;
  /** Highest RSS of the installer (node) process alone, bytes. */
  peakCliRss: number;
}

export interface CliEnv {
  tools: HelmBinaries;
  kubeconfig: string;
  /** HOME and helm's config/cache/data folders (isolated from the user's). */
  home: string;
  /** More variables a user would have set (e.g. NODE_EXTRA_CA_CERTS for a private CA). */
  extraEnv?: Record<string, string>;
}

export interface RunningCli {
  pid: number;
  done: Promise<CliRun>;
  /** SIGKILL the installer and every process of its group. */
  killGroup(): void;
}

/** Builds dist/ once per test process, unless OPENIM_E2E_NO_BUILD is set (CI built it already). */
export function buildCliOnce(): void {
  if (process.env.OPENIM_E2E_NO_BUILD && existsSync(join(repoRoot, 'dist', 'main.js'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
}

export function cliEnv(env: CliEnv): NodeJS.ProcessEnv {
  // Only what a user's shell would have: no KUBECONFIG/HELM_* of the machine running the tests.
  return {
    PATH: `${dirname(env.tools.helm)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: env.home,
    HELM_CONFIG_HOME: join(env.home, '.config', 'helm'),
    HELM_CACHE_HOME: join(env.home, '.cache', 'helm'),
    HELM_DATA_HOME: join(env.home, '.local', 'share', 'helm'),
    KUBECONFIG: env.kubeconfig,
    CI: '1',
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    ...env.extraEnv,
  };
}

function rssOf(pid: string): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readText(`/proc/${pid}/status`));
  return m ? Number(m[1]) * 1024 : 0;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Sum of RSS of the processes whose process group is `pgid`. */
function groupRss(pgid: number): number {
  let sum = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = readText(`/proc/${pid}/stat`);
    // Fields after the command (which may hold spaces): state ppid pgrp ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) === pgid) sum += rssOf(pid);
  }
  return sum;
}

/** Starts `openim-deploy ARGS`; resolves when it exits (any code), never rejects on exit codes. */
export function startCli(args: string[], env: CliEnv, opts: { timeoutMs?: number } = {}): RunningCli {
  const bin = join(repoRoot, 'bin', 'openim-deploy.js');
  if (!existsSync(join(repoRoot, 'dist', 'main.js'))) throw new Error('dist/ is missing: run `npm run build`');
  const started = performance.now();
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid!;
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: already gone
    }
  };
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let peakGroupRss = 0;
  let peakCliRss = 0;
  const sample = () => {
    peakGroupRss = Math.max(peakGroupRss, groupRss(pid));
    peakCliRss = Math.max(peakCliRss, rssOf(String(pid)));
  };
  const sampler = setInterval(sample, 250);
  // A hung installer must not hang the suite: kill it and let the test report the output so far.
  const timer = setTimeout(killGroup, opts.timeoutMs ?? 600_000);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(timer);
      resolve({ args, code, signal, stdout, stderr, ms: performance.now() - started, peakGroupRss, peakCliRss });
    });
  });
  // Leftovers of a killed group (a helm that ignored the signal) must not outlive the test.
  process.once('exit', killGroup);
  void done.finally(() => process.off('exit', killGroup));
  return { pid, done, killGroup };
}

export function runCli(args: string[], env: CliEnv, opts: { timeoutMs?: number } = {}): Promise<CliRun> {
  return startCli(args, env, opts).done;
}

/** One line explaining a run, for assertion messages. */
export function describeRun(r: CliRun): string {
  const tail = (s: string) => s.split('\n').slice(-25).join('\n');
  return `openim-deploy ${r.args.join(' ')} → ${r.code ?? r.signal} in ${(r.ms / 1000).toFixed(1)}s\n--- stderr (tail)\n${tail(r.stderr)}\n--- stdout (tail)\n${tail(r.stdout)}`;
}
