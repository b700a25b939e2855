// The cluster lock: a coordination.k8s.io Lease, the object Kubernetes' own
// leader election uses. Acquire = create it, or take over a free or expired
// one with an update that carries its resourceVersion (the API server
// refuses it with a Conflict when someone else got there first). The holder
// renews it every third of its duration; a run that stops renewing (killed,
// lost its network) leaves a Lease that expires and is taken over.
// Expiry is judged with this machine's clock against the holder's renewTime:
// keep clocks within a few seconds (NTP), the duration absorbs the rest.

import { hostname } from 'node:os';
import { LockHeldError } from '../errors.js';
import { sleep } from '../util/sleep.js';
import { processAlive, processStartTime } from './file-lock.js';
import type { AcquireOptions, DeployLock, HeldLock } from './lock.js';

/** A holder on this very host whose process has exited (or whose pid now belongs to another process). */
function holderGoneOnThisHost(record: LeaseRecord): boolean {
  if (!record.holder || record.holderHost !== hostname() || record.holderPid === undefined) return false;
  if (!processAlive(record.holderPid)) return true;
  const now = processStartTime(record.holderPid);
  return record.holderStart !== undefined && now !== undefined && now !== record.holderStart;
}

export interface LeaseRecord {
  /** Empty when released. */
  holder: string;
  acquireTime: string;
  renewTime: string;
  durationSeconds: number;
  transitions: number;
  /** Where the holder runs: a holder on this host whose process is gone is stale at once. */
  holderHost?: string;
  holderPid?: number;
  holderStart?: string;
  /** Set on records read from the server; required to update them. */
  resourceVersion?: string;
}

type UpdateResult = 'ok' | 'conflict' | 'gone';

/** The Lease object on the API server (kubectl through the Runner in production). */
export interface LeaseBackend {
  readonly location: string;
  get(): Promise<LeaseRecord | undefined>;
  /** created false when it already exists. */
  create(record: LeaseRecord): Promise<{ created: boolean; resourceVersion?: string }>;
  /** Update guarded by record.resourceVersion; returns the new resourceVersion on 'ok'. */
  update(record: LeaseRecord): Promise<{ result: UpdateResult; resourceVersion?: string }>;
}

export interface LeaseLockOptions {
  durationSeconds?: number;
  /** Whether the holder process is known to be gone (same host, dead pid or reused pid). */
  holderGone?: (record: LeaseRecord) => boolean;
  now?: () => number;
  /** Renewal period; default a third of the duration. */
  renewMs?: number;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function leaseExpired(record: LeaseRecord, nowMs: number): boolean {
  const renewed = Date.parse(record.renewTime);
  return !Number.isFinite(renewed) || renewed + record.durationSeconds * 1000 < nowMs;
}

export class LeaseLock implements DeployLock {
  readonly location: string;
  private readonly durationSeconds: number;
  private readonly now: () => number;
  private readonly renewMs: number;
  private readonly holderGone: (record: LeaseRecord) => boolean;

  constructor(
    private readonly backend: LeaseBackend,
    options: LeaseLockOptions = {},
  ) {
    this.location = backend.location;
    this.durationSeconds = options.durationSeconds ?? 60;
    this.now = options.now ?? (() => Date.now());
    this.renewMs = options.renewMs ?? (this.durationSeconds * 1000) / 3;
    this.holderGone = options.holderGone ?? holderGoneOnThisHost;
  }

  async acquire(options: AcquireOptions): Promise<HeldLock> {
    let waiting = false;
    for (;;) {
      if (options.signal?.aborted)
        throw Object.assign(new Error('interrupted while waiting for the lock'), { name: 'AbortError' });
      const at = microTime(this.now());
      const current = await this.backend.get();
      const start = processStartTime(options.owner.pid);
      const mine: LeaseRecord = {
        holder: options.owner.holder,
        acquireTime: at,
        renewTime: at,
        durationSeconds: this.durationSeconds,
        transitions: (current?.transitions ?? 0) + (current ? 1 : 0),
        holderHost: options.owner.host,
        holderPid: options.owner.pid,
        ...(start ? { holderStart: start } : {}),
      };
      if (!current) {
        const { created, resourceVersion } = await this.backend.create(mine);
        if (created) return this.held({ ...mine, ...(resourceVersion ? { resourceVersion } : {}) });
        continue;
      }
      if (current.holder === '' || leaseExpired(current, this.now()) || this.holderGone(current)) {
        const { result, resourceVersion } = await this.backend.update({
          ...mine,
          resourceVersion: current.resourceVersion!,
        });
        if (result === 'ok') return this.held({ ...mine, ...(resourceVersion ? { resourceVersion } : {}) });
        continue;
      }
      const left = Math.max(
        0,
        Math.round((Date.parse(current.renewTime) + current.durationSeconds * 1000 - this.now()) / 1000),
      );
      if (!options.wait)
        throw new LockHeldError(
          current.holder,
          this.location,
          `renewed ${current.renewTime}; if that run died, the lock expires in ${left}s`,
        );
      if (!waiting) {
        waiting = true;
        options.onWait?.(current.holder);
      }
      await sleep(options.pollMs ?? 2000, options.signal);
    }
  }

  private held(record: LeaseRecord): HeldLock {
    const controller = new AbortController();
    let current = record;
    let lastRenewed = this.now();
    let stopped = false;
    let renewing: Promise<void> = Promise.resolve();
    const renew = async () => {
      const at = microTime(this.now());
      try {
        const { result, resourceVersion } = await this.backend.update({ ...current, renewTime: at });
        if (result === 'ok') {
          current = { ...current, renewTime: at, ...(resourceVersion ? { resourceVersion } : {}) };
          lastRenewed = this.now();
          return;
        }
        controller.abort(new Error(`lock ${this.location} was taken over by another run (${result})`));
      } catch {
        // Transient API error: try again next period; give up once the Lease would have expired.
        if (this.now() - lastRenewed > this.durationSeconds * 1000)
          controller.abort(new Error(`lock ${this.location} could not be renewed for ${this.durationSeconds}s`));
      }
    };
    const timer = setInterval(() => {
      if (stopped || controller.signal.aborted) return;
      renewing = renewing.then(renew);
    }, this.renewMs);
    timer.unref();
    return {
      location: this.location,
      lost: controller.signal,
      release: async () => {
        stopped = true;
        clearInterval(timer);
        await renewing;
        if (controller.signal.aborted) return;
        // Released = no holder; the next run takes it without waiting for expiry.
        await this.backend.update({ ...current, holder: '', renewTime: microTime(this.now()) }).catch(() => undefined);
      },
    };
  }
}
