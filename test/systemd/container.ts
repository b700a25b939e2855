// A real systemd, booted with systemd-nspawn from the cached Debian rootfs that
// scripts/systemd/make-rootfs.sh builds, for tests that must see what systemd
// really does (unit start-up, restarts, dependencies...).
//
// How it is driven, and why:
// - Each run boots a throw-away copy of the cache (an overlay mount by default,
//   `cp -a` otherwise) so tests never write into the cache.
// - The container is not registered with systemd-machined (there is none here),
//   so `machinectl`/`systemctl -M` cannot reach it: commands are run inside with
//   `nsenter -t <container PID 1> -a`, which enters all its namespaces.
// - No --private-network: the container shares the host's network namespace, so
//   a test can serve files on 127.0.0.1 from the host and the container reaches
//   them. The flip side: servers started inside listen on the host's loopback
//   too, so two containers must not run the same server on the same port.
// - The host's node binary and the repo are bind-mounted read-only (at
//   /usr/local/bin/node and /repo), so `node /repo/bin/openim-deploy.js` works
//   inside.
// Everything here needs root.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../../src/util/sleep.js';

/** The repository root (this file is test/systemd/container.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where make-rootfs.sh puts the cached rootfs by default. */
export const DEFAULT_ROOTFS = join(REPO_ROOT, '.cache/systemd-rootfs');
/** Written by make-rootfs.sh once the rootfs is complete. */
const ROOTFS_MARKER = '.openim-rootfs-complete';

interface BindMount {
  host: string;
  container: string;
}

export interface StartOptions {
  /** Machine name, also the container's hostname. Must be unique among running containers. */
  name: string;
  /** The cached rootfs (see DEFAULT_ROOTFS). It is never written to. */
  rootfs: string;
  bindRo?: BindMount[];
  bind?: BindMount[];
  /** Overlay-mount the rootfs (default, ~instant) instead of copying it with `cp -a` (~1 s, plus ~10 s to delete). */
  overlay?: boolean;
  /** Bind the host's node binary read-only at /usr/local/bin/node (default true). */
  node?: boolean;
  /** Bind this folder read-only at /repo (default: this repo); false for none. */
  repo?: string | false;
  /** How long to wait for `systemctl is-system-running` to settle (default 60 s). */
  bootTimeoutMs?: number;
  /** Parent folder of the per-run copy (default: the OS temp folder). */
  workDir?: string;
}

export interface ExecOptions {
  /** Written to the command's stdin (stdin is empty otherwise). */
  input?: string | Buffer;
  /** Added to the clean environment the command runs with. */
  env?: Record<string, string>;
  /** Working directory inside the container (default /). */
  cwd?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The environment commands run with inside: nothing from the host leaks in. */
const CLEAN_ENV: Record<string, string> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  TERM: 'dumb',
  // systemctl & co. would otherwise try a pager or colours.
  SYSTEMD_PAGER: '',
  SYSTEMD_COLORS: '0',
};

/** Runs a host command and collects its output; never rejects on a non-zero exit. */
function run(cmd: string, args: string[], input?: string | Buffer): Promise<ExecResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolvePromise({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    // EPIPE when the command does not read its stdin is not an error here.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Direct children of a host process, from /proc (no pgrep needed). */
function childrenOf(pid: number): number[] {
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return tasks.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Containers not stopped yet: killed if the test process exits without stop(). */
const live = new Set<SystemdContainer>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.killSync();
  });
}

export class SystemdContainer {
  /** Units that had failed when the boot settled as `degraded` (empty when `running`). */
  failedUnits: string[] = [];
  /** Milliseconds from spawning systemd-nspawn to `running`/`degraded`. */
  bootMs = 0;
  private nspawnExited = false;

  private constructor(
    readonly name: string,
    /** Host folder holding the copy, mount points and the nspawn log. */
    readonly runDir: string,
    /** The container's root as seen from the host. */
    readonly rootDir: string,
    private readonly overlay: boolean,
    private readonly nspawn: ChildProcess,
    /** Host PID of the systemd running as PID 1 inside; 0 until found. */
    public pid: number,
  ) {
    nspawn.on('exit', () => {
      this.nspawnExited = true;
    });
  }

  get logFile(): string {
    return join(this.runDir, 'nspawn.log');
  }

  static async start(opts: StartOptions): Promise<SystemdContainer> {
    if (process.getuid?.() !== 0) throw new Error('SystemdContainer needs root');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$/.test(opts.name)) {
      throw new Error(`invalid machine name ${JSON.stringify(opts.name)}: letters, digits and '-' only`);
    }
    const rootfs = resolve(opts.rootfs);
    try {
      await readFile(join(rootfs, ROOTFS_MARKER));
    } catch {
      throw new Error(`${rootfs} is not a complete rootfs: run bash scripts/systemd/make-rootfs.sh`);
    }

    const overlay = opts.overlay ?? true;
    const runDir = await mkdtemp(join(opts.workDir ?? tmpdir(), `nspawn-${opts.name}-`));
    const rootDir = join(runDir, 'root');
    try {
      if (overlay) {
        await Promise.all(['upper', 'work', 'root'].map((d) => mkdir(join(runDir, d))));
        const o = `lowerdir=${rootfs},upperdir=${join(runDir, 'upper')},workdir=${join(runDir, 'work')}`;
        await check('mount', ['-t', 'overlay', 'overlay', '-o', o, rootDir]);
      } else {
        await check('cp', ['-a', '--reflink=auto', rootfs, rootDir]);
      }
    } catch (e) {
      await rm(runDir, { recursive: true, force: true });
      throw e;
    }

    const binds = (flag: string, list: BindMount[] = []) =>
      list.map((b) => {
        // ':' separates the two paths in nspawn's syntax.
        if (b.host.includes(':') || b.container.includes(':')) throw new Error(`':' in bind path ${b.host}`);
        return `${flag}=${resolve(b.host)}:${b.container}`;
      });
    const bindRo = [...(opts.bindRo ?? [])];
    if (opts.node ?? true) bindRo.push({ host: process.execPath, container: '/usr/local/bin/node' });
    const repo = opts.repo ?? REPO_ROOT;
    if (repo !== false) bindRo.push({ host: repo, container: '/repo' });

    const args = [
      '-D',
      rootDir,
      '-b',
      '-M',
      opts.name,
      // No machined here; keep the container in the caller's cgroup.
      '--register=no',
      '--keep-unit',
      // No TTY: the console goes to the log file.
      '--console=pipe',
      ...binds('--bind-ro', bindRo),
      ...binds('--bind', opts.bind),
    ];
    const logFd = openSync(join(runDir, 'nspawn.log'), 'a');
    // detached = setsid(): nspawn gets its own session and process group, so a
    // Ctrl-C in the test terminal does not reach it and we can kill the group.
    const nspawn = spawn('systemd-nspawn', args, { detached: true, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    // Do not let a forgotten container keep the test process alive; the exit
    // hook below then kills it.
    nspawn.unref();
    const c = new SystemdContainer(opts.name, runDir, rootDir, overlay, nspawn, 0);
    live.add(c);
    installExitHook();

    const t0 = Date.now();
    try {
      await c.waitForBoot(opts.bootTimeoutMs ?? 60_000);
    } catch (e) {
      const log = await readFile(c.logFile, 'utf8').catch(() => '');
      await c.stop();
      throw new Error(`${(e as Error).message}\n--- nspawn log (tail) ---\n${log.split('\n').slice(-30).join('\n')}`);
    }
    c.bootMs = Date.now() - t0;
    return c;
  }

  private async waitForBoot(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const nspawnPid = this.nspawn.pid;
    if (nspawnPid === undefined) throw new Error('systemd-nspawn did not start');
    // 1. nspawn forks the container's PID 1, which then execs systemd. Entering
    //    it before the exec would find a half-made mount namespace.
    while (!this.pid) {
      if (this.nspawnExited) throw new Error('systemd-nspawn exited during boot');
      if (Date.now() > deadline) throw new Error('container PID 1 did not appear');
      this.pid = childrenOf(nspawnPid).find((p) => comm(p) === 'systemd') ?? 0;
      if (!this.pid) await sleep(20);
    }
    // 2. Wait for the boot to settle. Early on systemctl may fail to connect
    //    or answer initializing/starting.
    let state: string;
    for (;;) {
      if (this.nspawnExited) throw new Error('systemd-nspawn exited during boot');
      state = (await this.exec(['systemctl', 'is-system-running'])).stdout.trim();
      if (state === 'running' || state === 'degraded') break;
      if (Date.now() > deadline) throw new Error(`boot did not settle: is-system-running = ${state}`);
      await sleep(100);
    }
    if (state === 'degraded') {
      const r = await this.exec(['systemctl', 'list-units', '--state=failed', '--no-legend', '--plain']);
      this.failedUnits = r.stdout
        .split('\n')
        .map((l) => l.split(/\s+/)[0] ?? '')
        .filter(Boolean);
      console.warn(`[systemd ${this.name}] degraded, failed units: ${this.failedUnits.join(', ')}`);
    }
  }

  /** Runs argv inside the container (as root, clean environment, cwd /). */
  exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (!this.pid) return Promise.reject(new Error('container is not running'));
    const env = Object.entries({ ...CLEAN_ENV, ...opts.env }).map(([k, v]) => `${k}=${v}`);
    // /usr/bin/env is the container's (nsenter execs after entering the mount
    // namespace); -i drops the host environment nsenter inherited.
    return run(
      'nsenter',
      ['-t', String(this.pid), '-a', '/usr/bin/env', '-i', '-C', opts.cwd ?? '/', ...env, ...argv],
      opts.input,
    );
  }

  /** Like exec, but rejects unless the command exits 0. Resolves to its stdout. */
  async execOk(argv: string[], opts: ExecOptions = {}): Promise<string> {
    const r = await this.exec(argv, opts);
    if (r.exitCode !== 0) {
      throw new Error(`in ${this.name}: ${argv.join(' ')} exited ${r.exitCode}\n${r.stderr}${r.stdout}`);
    }
    return r.stdout;
  }

  /** Writes a file inside (creating parent folders), e.g. a unit under /etc/systemd/system. */
  async writeFile(pathInside: string, content: string | Buffer, mode = 0o644): Promise<void> {
    // Written from inside rather than into rootDir: /run, /tmp... are mounts of
    // their own inside the container, invisible from the host's rootDir.
    const script = 'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"';
    await this.execOk(['sh', '-c', script, 'sh', pathInside, mode.toString(8)], { input: content });
  }

  async readFile(pathInside: string): Promise<string> {
    return this.execOk(['cat', '--', pathInside]);
  }

  /**
   * Powers the container off (falls back to SIGTERM, then SIGKILL), unmounts
   * and deletes the copy. Safe to call twice.
   */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!live.has(this)) return;
    const nspawnPid = this.nspawn.pid;
    const waitExit = async (ms: number) => {
      const end = Date.now() + ms;
      while (!this.nspawnExited && Date.now() < end) await sleep(50);
      return this.nspawnExited;
    };
    if (!this.nspawnExited && this.pid) {
      // --no-block: the reply could be lost as the container goes down.
      await this.exec(['systemctl', '--no-block', 'poweroff']).catch(() => undefined);
    }
    if (!(await waitExit(timeoutMs)) && nspawnPid) {
      // nspawn turns SIGTERM into an orderly shutdown of the container.
      process.kill(nspawnPid, 'SIGTERM');
      if (!(await waitExit(10_000))) {
        this.killSync();
        await waitExit(5_000);
      }
    }
    await this.cleanup();
    live.delete(this);
  }

  /** Last resort (also run on process exit): SIGKILL everything, unmount, delete. */
  killSync(): void {
    // Killing PID 1 of a PID namespace kills every process in it.
    for (const pid of [this.pid, this.nspawn.pid]) {
      if (pid && alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    if (this.overlay) spawnSync('umount', ['-l', this.rootDir]);
    spawnSync('rm', ['-rf', '--one-file-system', this.runDir]);
    live.delete(this);
  }

  private async cleanup(): Promise<void> {
    if (this.overlay) {
      // nspawn unmounts its own mounts on exit; the overlay is ours.
      const r = await run('umount', [this.rootDir]);
      if (r.exitCode !== 0) await run('umount', ['-l', this.rootDir]);
    }
    // --one-file-system: never follow a mount that is somehow still there
    // (a bind of the repo!) into the host's files.
    await run('rm', ['-rf', '--one-file-system', this.runDir]);
  }

  /** Host processes still belonging to this container (for leak checks). */
  static async leftovers(name: string): Promise<number[]> {
    const pids: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if (cmdline[0]?.endsWith('systemd-nspawn') && cmdline.includes(name)) pids.push(Number(entry));
      } catch {
        /* exited meanwhile */
      }
    }
    return pids;
  }
}

async function check(cmd: string, args: string[]): Promise<void> {
  const r = await run(cmd, args);
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
}

/** Polls fn every 250 ms until it returns a value (not undefined); throws after timeoutMs. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
