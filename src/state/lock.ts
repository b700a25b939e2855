// One run at a time per deployment (issue #7 §2): a second `install`,
// `upgrade`, `rollback` or `uninstall` against the same target waits
// (--wait-lock) or refuses, naming the holder. A lock left by a crashed run
// is detected as stale and taken over.

import { hostname, userInfo } from 'node:os';

export interface LockOwner {
  /** Human-readable: who, where, doing what, since when. */
  holder: string;
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface HeldLock {
  readonly location: string;
  /** Aborts when the lock was lost (e.g. a Lease taken over after missed renewals). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface AcquireOptions {
  owner: LockOwner;
  /** Wait for the holder instead of refusing. */
  wait: boolean;
  signal?: AbortSignal;
  /** Called once when we start waiting, with the holder's description. */
  onWait?: (holder: string) => void;
  pollMs?: number;
}

export interface DeployLock {
  readonly location: string;
  acquire(options: AcquireOptions): Promise<HeldLock>;
}

export function lockOwner(command: string, now: Date = new Date()): LockOwner {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): the uid is still useful.
    user = String(process.getuid?.() ?? 'unknown');
  }
  const host = hostname();
  const since = now.toISOString();
  return {
    holder: `${user}@${host} pid ${process.pid} (openim-deploy ${command}, since ${since})`,
    pid: process.pid,
    host,
    command,
    since,
  };
}
