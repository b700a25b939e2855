// Serialises journal writes: steps run concurrently but the state file is
// written one change at a time, each change saved before the step goes on.

import type { DeployState, JournalEntry, StateStore, StepStatus } from './types.js';

export class Journal {
  private queue: Promise<void> = Promise.resolve();
  constructor(
    private readonly store: StateStore,
    private readonly state: DeployState,
  ) {}

  entry(stepId: string): JournalEntry | undefined {
    return this.state.steps[stepId];
  }

  isDone(stepId: string, hash: string): boolean {
    const e = this.state.steps[stepId];
    return e?.status === 'done' && e.hash === hash;
  }

  record(stepId: string, status: StepStatus, hash: string, error?: string): Promise<void> {
    const previous = this.state.steps[stepId];
    const attempt = status === 'started' ? (previous?.status === 'done' ? 1 : (previous?.attempt ?? 0) + 1) : (previous?.attempt ?? 1);
    const entry: JournalEntry = { status, hash, at: new Date().toISOString(), attempt };
    if (error !== undefined) entry.error = error;
    this.state.steps[stepId] = entry;
    return this.flush();
  }

  snapshot(): DeployState {
    return structuredClone(this.state);
  }

  flush(): Promise<void> {
    const snapshot = structuredClone(this.state);
    this.queue = this.queue.then(() => this.store.save(snapshot));
    return this.queue;
  }
}
