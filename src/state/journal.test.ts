import { describe, expect, it } from 'vitest';
import type { Plan, Step } from '../plan/types.js';
import { MemoryStateStore } from './file-store.js';
import { Journal } from './journal.js';
import { emptyState, type DeployState, type StateStore } from './types.js';

const step = (id: string, path: string): Step => ({
  id,
  title: id,
  phase: 'config',
  needs: [],
  component: 'c',
  actions: [{ kind: 'write', path, mode: 0o644, content: 'x' }],
});
const plan = (steps: Step[]): Plan => ({
  version: 1,
  target: 'binary',
  profile: 'dev',
  openim: { serverVersion: 'a', chatVersion: 'b' },
  scope: '/opt',
  steps,
});

describe('Journal', () => {
  it('records what a step creates when it starts, and keeps what earlier versions of it created', async () => {
    const store = new MemoryStateStore();
    const state = emptyState();
    const resourcesOf = (s: Step) =>
      s.actions.flatMap((a) => (a.kind === 'write' ? [{ type: 'file' as const, path: a.path }] : []));
    await new Journal(store, state, { plan: plan([step('a', '/etc/one')]), resourcesOf }).record('a', 'started', 'h1');
    expect((await store.load()).steps.a).toMatchObject({
      status: 'started',
      order: 0,
      component: 'c',
      resources: [{ type: 'file', path: '/etc/one' }],
    });
    await new Journal(store, state, { plan: plan([step('a', '/etc/two')]), resourcesOf }).record('a', 'started', 'h2');
    expect((await store.load()).steps.a!.resources).toEqual([
      { type: 'file', path: '/etc/one' },
      { type: 'file', path: '/etc/two' },
    ]);
  });

  it('a failed save reaches the record that made it and does not poison the next one', async () => {
    let fail = true;
    const saved: DeployState[] = [];
    const store: StateStore = {
      location: 'x',
      load: async () => emptyState(),
      save: async (s) => (fail ? Promise.reject(new Error('disk full')) : void saved.push(s)),
    };
    const journal = new Journal(store, emptyState());
    await expect(journal.record('a', 'started', 'h')).rejects.toThrow('disk full');
    fail = false;
    await journal.record('a', 'done', 'h');
    expect(saved.at(-1)!.steps.a!.status).toBe('done');
  });
});
