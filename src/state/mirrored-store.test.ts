import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from './file-store.js';
import { MirroredStateStore, type RemoteState } from './mirrored-store.js';
import { emptyState } from './types.js';

class MemoryRemote implements RemoteState {
  readonly location = 'memory remote';
  text: string | undefined;
  writes = 0;
  fail = false;
  gate: Promise<void> = Promise.resolve();
  async read() {
    return this.text;
  }
  async write(text: string) {
    await this.gate;
    if (this.fail) throw new Error('API server unavailable');
    this.writes++;
    this.text = text;
  }
  async remove() {
    this.text = undefined;
  }
}

const local = () => new FileStateStore(join(mkdtempSync(join(tmpdir(), 'oid-mirror-')), 'state.json'));

describe('MirroredStateStore', () => {
  it('writes the local copy (0600) on every save and the remote in the background, newest wins', async () => {
    const remote = new MemoryRemote();
    let release!: () => void;
    remote.gate = new Promise((r) => (release = r));
    const file = local();
    const store = new MirroredStateStore(file, remote);
    await store.load();
    for (let i = 0; i < 5; i++) await store.save({ ...emptyState(), secrets: { 'openim.secret': `v${i}` } });
    // Every change is local at once, before any remote write finished.
    expect(JSON.parse(readFileSync(file.location, 'utf8')).secrets['openim.secret']).toBe('v4');
    expect(statSync(file.location).mode & 0o777).toBe(0o600);
    release();
    await store.flush();
    // The first write was in flight; the four after it collapse into one.
    expect(remote.writes).toBe(2);
    expect(JSON.parse(remote.text!).secrets['openim.secret']).toBe('v4');
    expect(JSON.parse(remote.text!).serial).toBe(5);
  });

  it('a failed remote write is reported by flush, and the next load prefers the newer local copy', async () => {
    const remote = new MemoryRemote();
    const file = local();
    const store = new MirroredStateStore(file, remote);
    await store.load();
    await store.save({ ...emptyState(), secrets: { 'openim.secret': 'old' } });
    await store.flush();
    remote.fail = true;
    await store.save({ ...emptyState(), secrets: { 'openim.secret': 'new' } });
    await expect(store.flush()).rejects.toThrow(/local copy .* is current/);
    const again = new MirroredStateStore(file, remote);
    expect((await again.load()).secrets['openim.secret']).toBe('new');
    // … and writes it back on its next save.
    remote.fail = false;
    await again.save(await again.load());
    await again.flush();
    expect(JSON.parse(remote.text!).secrets['openim.secret']).toBe('new');
  });

  it('a newer remote copy (written from another machine) wins over the local one', async () => {
    const remote = new MemoryRemote();
    const file = local();
    await file.save({ ...emptyState(), serial: 3, secrets: { 'openim.secret': 'here' } });
    remote.text = JSON.stringify({ ...emptyState(), serial: 9, secrets: { 'openim.secret': 'there' } });
    expect((await new MirroredStateStore(file, remote).load()).secrets['openim.secret']).toBe('there');
  });

  it('a save that changes nothing writes neither copy, once both copies agree', async () => {
    const remote = new MemoryRemote();
    const file = local();
    const first = new MirroredStateStore(file, remote);
    await first.load();
    const state = { ...emptyState(), secrets: { 'openim.secret': 'same' } };
    await first.save(state);
    await first.flush();
    expect(remote.writes).toBe(1);

    // A later run loads both copies (equal), and saves the same content twice: nothing is written.
    const rerun = new MirroredStateStore(file, remote);
    const loaded = await rerun.load();
    const before = readFileSync(file.location, 'utf8');
    await rerun.save(loaded);
    await rerun.save(structuredClone(loaded));
    await rerun.flush();
    expect(remote.writes).toBe(1);
    expect(readFileSync(file.location, 'utf8')).toBe(before);

    // Any change is written again, with a higher serial.
    await rerun.save({ ...loaded, secrets: { 'openim.secret': 'changed' } });
    await rerun.flush();
    expect(remote.writes).toBe(2);
    expect(JSON.parse(remote.text!).serial).toBe(2);
  });

  it('an unchanged save still repairs a remote copy that is behind', async () => {
    const remote = new MemoryRemote();
    const file = local();
    const store = new MirroredStateStore(file, remote);
    await store.load();
    await store.save({ ...emptyState(), secrets: { 'openim.secret': 'v1' } });
    await store.flush();
    remote.fail = true;
    await store.save({ ...emptyState(), secrets: { 'openim.secret': 'v2' } });
    await expect(store.flush()).rejects.toThrow();
    remote.fail = false;
    // Same content as the failed save: the remote missed it, so it is written now.
    await store.save({ ...emptyState(), secrets: { 'openim.secret': 'v2' } });
    await store.flush();
    expect(JSON.parse(remote.text!).secrets['openim.secret']).toBe('v2');

    // A fresh run whose remote copy is behind the local one writes it back even with nothing new.
    remote.text = JSON.stringify({ ...emptyState(), serial: 1, secrets: { 'openim.secret': 'v1' } });
    const next = new MirroredStateStore(file, remote);
    await next.save(await next.load());
    await next.flush();
    expect(JSON.parse(remote.text!).secrets['openim.secret']).toBe('v2');
  });
});
