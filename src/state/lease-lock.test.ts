import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockHeldError } from '../errors.js';
import { leaseExpired, LeaseLock, microTime, type LeaseBackend, type LeaseRecord } from './lease-lock.js';
import { lockOwner } from './lock.js';

/** An in-memory Lease with the API server's optimistic concurrency. */
class MemoryLease implements LeaseBackend {
  readonly location = 'Lease test/openim-deploy-lock';
  record: LeaseRecord | undefined;
  version = 0;
  async get() {
    return this.record ? { ...this.record, resourceVersion: String(this.version) } : undefined;
  }
  async create(r: LeaseRecord) {
    if (this.record) return { created: false };
    this.record = { ...r };
    return { created: true, resourceVersion: String(++this.version) };
  }
  async update(r: LeaseRecord) {
    if (!this.record) return { result: 'gone' as const };
    if (r.resourceVersion !== String(this.version)) return { result: 'conflict' as const };
    this.record = { ...r };
    return { result: 'ok' as const, resourceVersion: String(++this.version) };
  }
}

const owner = (name: string) => ({ ...lockOwner(name), holder: name, pid: 1, host: 'elsewhere' });
const never = () => false;

describe('LeaseLock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('MicroTime has six fractional digits, as the API server wants', () => {
    expect(microTime(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678000Z');
  });

  it('creates the Lease, refuses a second holder with its name and expiry, and frees it on release', async () => {
    const backend = new MemoryLease();
    const a = await new LeaseLock(backend, { holderGone: never }).acquire({ owner: owner('run A'), wait: false });
    const error = await new LeaseLock(backend, { holderGone: never })
      .acquire({ owner: owner('run B'), wait: false })
      .catch((e) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toContain('run A');
    expect((error as Error).message).toMatch(/expires in \d+s/);
    await a.release();
    expect(backend.record!.holder).toBe('');
    const b = await new LeaseLock(backend, { holderGone: never }).acquire({ owner: owner('run B'), wait: false });
    expect(backend.record!.holder).toBe('run B');
    expect(backend.record!.transitions).toBe(1);
    await b.release();
  });

  it('takes over an expired Lease (a run that died) and a Lease whose holder is gone on this host', async () => {
    const backend = new MemoryLease();
    let now = Date.parse('2026-01-01T00:00:00Z');
    await new LeaseLock(backend, { now: () => now, holderGone: never }).acquire({
      owner: owner('dead run'),
      wait: false,
    });
    now += 30_000;
    await expect(
      new LeaseLock(backend, { now: () => now, holderGone: never }).acquire({ owner: owner('B'), wait: false }),
    ).rejects.toBeInstanceOf(LockHeldError);
    now += 31_000;
    expect(leaseExpired(backend.record!, now)).toBe(true);
    const b = await new LeaseLock(backend, { now: () => now, holderGone: never }).acquire({
      owner: owner('B'),
      wait: false,
    });
    expect(backend.record!.holder).toBe('B');
    await b.release();

    await new LeaseLock(backend, { holderGone: never }).acquire({ owner: owner('killed'), wait: false });
    const c = await new LeaseLock(backend, { holderGone: (r) => r.holder === 'killed' }).acquire({
      owner: owner('C'),
      wait: false,
    });
    expect(backend.record!.holder).toBe('C');
    await c.release();
  });

  it('two runs racing for a free Lease: exactly one wins', async () => {
    const backend = new MemoryLease();
    const results = await Promise.allSettled(
      ['A', 'B', 'C'].map((n) =>
        new LeaseLock(backend, { holderGone: never }).acquire({ owner: owner(n), wait: false }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results
        .filter((r) => r.status === 'rejected')
        .every((r) => (r as PromiseRejectedResult).reason instanceof LockHeldError),
    ).toBe(true);
  });

  it('renews while held, and signals `lost` when another run took it over', async () => {
    // vitest's fake clock drives both Date.now (the renewTime written) and the renewal timer.
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
    const backend = new MemoryLease();
    const held = await new LeaseLock(backend, { renewMs: 10_000, holderGone: never }).acquire({
      owner: owner('A'),
      wait: false,
    });
    expect(backend.record!.renewTime).toBe('2026-01-01T00:00:00.000000Z');
    expect(backend.version).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(backend.record!.renewTime).toBe('2026-01-01T00:00:10.000000Z');
    expect(backend.record!.holder).toBe('A');
    expect(backend.version).toBe(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(backend.record!.renewTime).toBe('2026-01-01T00:00:20.000000Z');
    expect(backend.version).toBe(3);
    // Someone else writes it (as after a takeover): the next renewal conflicts.
    backend.record = { ...backend.record!, holder: 'thief' };
    backend.version++;
    expect(held.lost.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(held.lost.aborted).toBe(true);
    expect(String(held.lost.reason)).toContain('taken over by another run (conflict)');
    await held.release();
    expect(backend.record!.holder).toBe('thief');
  });

  it('waits with wait, reporting the holder once, and takes the Lease at the first poll after its release', async () => {
    vi.useFakeTimers();
    const backend = new MemoryLease();
    const a = await new LeaseLock(backend, { holderGone: never }).acquire({ owner: owner('A'), wait: false });
    const seen: string[] = [];
    let acquired = false;
    const waiting = new LeaseLock(backend, { holderGone: never })
      .acquire({ owner: owner('B'), wait: true, pollMs: 1000, onWait: (h) => seen.push(h) })
      .then((held) => {
        acquired = true;
        return held;
      });
    await vi.advanceTimersByTimeAsync(5000);
    expect(acquired).toBe(false);
    expect(backend.record!.holder).toBe('A');
    await a.release();
    await vi.advanceTimersByTimeAsync(1000);
    expect(acquired).toBe(true);
    expect(backend.record!.holder).toBe('B');
    await (await waiting).release();
    expect(seen).toEqual(['A']);
  });
});
