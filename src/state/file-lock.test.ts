import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockHeldError } from '../errors.js';
import { FileLock, processAlive, processStartTime } from './file-lock.js';
import { lockOwner } from './lock.js';

const path = () => join(mkdtempSync(join(tmpdir(), 'oid-lock-')), 'lock');
const foreign = (pid: number, extra: object = {}) =>
  JSON.stringify({
    holder: `someone pid ${pid}`,
    pid,
    host: hostname(),
    command: 'install',
    since: '2026-01-01T00:00:00Z',
    ...extra,
  });

describe('FileLock', () => {
  it('creates the lock exclusively and refuses a second holder, naming the first', async () => {
    const p = path();
    const held = await new FileLock(p).acquire({ owner: lockOwner('install'), wait: false });
    const error = await new FileLock(p)
      .acquire({ owner: { ...lockOwner('upgrade'), pid: process.pid }, wait: false })
      .catch((e) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).holder).toContain(`pid ${process.pid}`);
    expect((error as LockHeldError).holder).toContain('openim-deploy install');
    await held.release();
    await (await new FileLock(p).acquire({ owner: lockOwner('again'), wait: false })).release();
  });

  it('takes over a lock whose process is dead', async () => {
    const p = path();
    writeFileSync(p, foreign(424242));
    const lock = new FileLock(p, { isAlive: (pid) => pid !== 424242 });
    const held = await lock.acquire({ owner: lockOwner('install'), wait: false });
    expect(JSON.parse(readFileSync(p, 'utf8')).pid).toBe(process.pid);
    await held.release();
  });

  it('takes over a lock whose pid was reused by another process (start time differs)', async () => {
    const p = path();
    writeFileSync(p, foreign(process.ppid, { processStart: '1' }));
    const held = await new FileLock(p).acquire({ owner: lockOwner('install'), wait: false });
    await held.release();
    expect(processStartTime(process.pid)).toMatch(/^\d+$/);
  });

  it('never judges a lock from another host stale', async () => {
    const p = path();
    writeFileSync(p, JSON.stringify({ holder: 'remote', pid: 1, host: 'another-host', command: 'x', since: 'y' }));
    await expect(
      new FileLock(p, { isAlive: () => false }).acquire({ owner: lockOwner('install'), wait: false }),
    ).rejects.toBeInstanceOf(LockHeldError);
  });

  it('waits for the holder with wait, telling who it waits for, and can be interrupted', async () => {
    const p = path();
    const first = await new FileLock(p).acquire({ owner: lockOwner('install'), wait: false });
    const waitedFor: string[] = [];
    // The barrier: the second run's third look at the holder (each poll asks whether its process is alive).
    let polls = 0;
    let polledThrice!: () => void;
    const thirdPoll = new Promise<void>((resolve) => (polledThrice = resolve));
    const isAlive = (pid: number) => {
      polls++;
      if (polls === 3) polledThrice();
      return processAlive(pid);
    };
    let acquired = false;
    const second = new FileLock(p, { isAlive })
      .acquire({ owner: lockOwner('upgrade'), wait: true, pollMs: 10, onWait: (h) => waitedFor.push(h) })
      .then((held) => {
        acquired = true;
        return held;
      });
    await thirdPoll;
    expect(acquired).toBe(false);
    await first.release();
    await (await second).release();
    expect(waitedFor).toHaveLength(1);
    expect(waitedFor[0]).toContain('openim-deploy install');
    const third = await new FileLock(p).acquire({ owner: lockOwner('install'), wait: false });
    const controller = new AbortController();
    // Interrupted while it waits: the abort comes once it has started waiting.
    await expect(
      new FileLock(p).acquire({
        owner: lockOwner('x'),
        wait: true,
        pollMs: 10,
        signal: controller.signal,
        onWait: () => controller.abort(),
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    await third.release();
  });

  it('release removes only its own lock', async () => {
    const p = path();
    const held = await new FileLock(p).acquire({ owner: lockOwner('install'), wait: false });
    writeFileSync(p, foreign(1234));
    await held.release();
    expect(JSON.parse(readFileSync(p, 'utf8')).pid).toBe(1234);
  });
});
