// The host lock: a file created with O_EXCL holding the owner's pid and the
// kernel's start time of that pid. It is stale when that process is gone, or
// when the pid now belongs to another process (pid reuse: the start time
// differs). A lock written on another host (shared folder) is never judged
// stale here: we cannot see its processes.

import { readFileSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { LockHeldError } from '../errors.js';
import { sleep } from '../util/sleep.js';
import type { AcquireOptions, DeployLock, HeldLock, LockOwner } from './lock.js';

interface LockFileContent extends LockOwner {
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
  processStart?: string;
}

/** Start time of a process from /proc, undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FileLockOptions {
  isAlive?: (pid: number) => boolean;
  startTimeOf?: (pid: number) => string | undefined;
  /** An unreadable lock file (a crash between create and write) counts as stale after this long. */
  unreadableStaleMs?: number;
}

export class FileLock implements DeployLock {
  private readonly isAlive: (pid: number) => boolean;
  private readonly startTimeOf: (pid: number) => string | undefined;
  private readonly unreadableStaleMs: number;

  constructor(
    readonly location: string,
    options: FileLockOptions = {},
  ) {
    this.isAlive = options.isAlive ?? processAlive;
    this.startTimeOf = options.startTimeOf ?? processStartTime;
    this.unreadableStaleMs = options.unreadableStaleMs ?? 30_000;
  }

  async acquire(options: AcquireOptions): Promise<HeldLock> {
    await mkdir(dirname(this.location), { recursive: true, mode: 0o700 });
    const start = this.startTimeOf(options.owner.pid);
    const content: LockFileContent = { ...options.owner, ...(start ? { processStart: start } : {}) };
    const text = `${JSON.stringify(content)}\n`;
    let waiting = false;
    for (;;) {
      if (options.signal?.aborted)
        throw Object.assign(new Error('interrupted while waiting for the lock'), { name: 'AbortError' });
      if (await this.tryCreate(text)) return this.held(text);
      const current = await this.read();
      if (current === 'gone') continue;
      const stale = await this.staleness(current);
      if (stale) {
        await this.takeOver(current === 'unreadable' ? undefined : current);
        continue;
      }
      const holder = current === 'unreadable' ? 'a run that is still writing its lock file' : current.holder;
      if (!options.wait) throw new LockHeldError(holder, this.location);
      if (!waiting) {
        waiting = true;
        options.onWait?.(holder);
      }
      await sleep(options.pollMs ?? 1000, options.signal);
    }
  }

  private async tryCreate(text: string): Promise<boolean> {
    try {
      const handle = await open(this.location, 'wx', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  }

  private async read(): Promise<LockFileContent | 'unreadable' | 'gone'> {
    try {
      const parsed = JSON.parse(await readFile(this.location, 'utf8')) as LockFileContent;
      return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? parsed : 'unreadable';
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
    }
  }

  private async staleness(current: LockFileContent | 'unreadable'): Promise<boolean> {
    if (current === 'unreadable') {
      const info = await stat(this.location).catch(() => undefined);
      return info !== undefined && Date.now() - info.mtimeMs > this.unreadableStaleMs;
    }
    if (current.host !== hostname()) return false;
    if (!this.isAlive(current.pid)) return true;
    const now = this.startTimeOf(current.pid);
    return current.processStart !== undefined && now !== undefined && now !== current.processStart;
  }

  /**
   * Move the stale file aside (only one contender's rename succeeds), then make
   * sure what we moved is the file we judged: if a fresh lock slipped in
   * between, put it back.
   */
  private async takeOver(judged: LockFileContent | undefined): Promise<void> {
    const aside = `${this.location}.stale.${process.pid}.${Date.now()}`;
    try {
      await rename(this.location, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const moved = await readFile(aside, 'utf8').catch(() => '');
    let movedContent: LockFileContent | undefined;
    try {
      movedContent = JSON.parse(moved) as LockFileContent;
    } catch {
      movedContent = undefined;
    }
    const same =
      judged === undefined
        ? movedContent === undefined
        : movedContent?.pid === judged.pid && movedContent.since === judged.since;
    if (!same) await link(aside, this.location).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
  }

  private held(text: string): HeldLock {
    const controller = new AbortController();
    const location = this.location;
    return {
      location,
      lost: controller.signal,
      release: async () => {
        // Only our own file: never delete a lock someone took over from us.
        const current = await readFile(location, 'utf8').catch(() => undefined);
        if (current === text) await unlink(location).catch(() => undefined);
      },
    };
  }
}
