// Serialises journal writes: steps run concurrently but the state file is
// written one change at a time, each change saved before the step goes on.
// When the plan is known, a step's entry also says what it creates (recorded
// as it starts, so uninstall knows about a step cut half-way).

import type { Plan, Step } from '../plan/types.js';
import type { CreatedResource, DeployState, JournalEntry, StateStore, StepStatus } from './types.js';

export interface JournalOptions {
  plan?: Plan;
  /** What a step creates on the target (the target's day-two code knows). */
  resourcesOf?: (step: Step) => CreatedResource[];
}

export class Journal {
  private queue: Promise<void> = Promise.resolve();
  private readonly steps: Map<string, { step: Step; order: number }>;

  constructor(
    private readonly store: StateStore,
    private readonly state: DeployState,
    private readonly options: JournalOptions = {},
  ) {
    this.steps = new Map((options.plan?.steps ?? []).map((step, order) => [step.id, { step, order }]));
  }

  entry(stepId: string): JournalEntry | undefined {
    return this.state.steps[stepId];
  }

  isDone(stepId: string, hash: string): boolean {
    const e = this.state.steps[stepId];
    return e?.status === 'done' && e.hash === hash;
  }

  record(
    stepId: string,
    status: StepStatus,
    hash: string,
    error?: string,
    outputs?: Pick<JournalEntry, 'artifacts'>,
  ): Promise<void> {
    const previous = this.state.steps[stepId];
    const attempt =
      status === 'started'
        ? previous?.status === 'done'
          ? 1
          : (previous?.attempt ?? 0) + 1
        : (previous?.attempt ?? 1);
    const entry: JournalEntry = { status, hash, at: new Date().toISOString(), attempt };
    if (error !== undefined) entry.error = error;
    if (outputs?.artifacts) entry.artifacts = outputs.artifacts;
    const known = this.steps.get(stepId);
    if (known) {
      entry.order = known.order;
      if (known.step.component) entry.component = known.step.component;
      const resources = this.options.resourcesOf?.(known.step) ?? [];
      // Keep what an earlier version of the step created too: uninstall must find it.
      const merged = mergeResources(previous?.resources ?? [], resources);
      if (merged.length) entry.resources = merged;
    } else if (previous) {
      for (const key of ['order', 'component', 'resources'] as const)
        if (previous[key] !== undefined) (entry as unknown as Record<string, unknown>)[key] = previous[key];
    }
    this.state.steps[stepId] = entry;
    return this.flush();
  }

  snapshot(): DeployState {
    return structuredClone(this.state);
  }

  flush(): Promise<void> {
    const snapshot = structuredClone(this.state);
    // A failed save is reported to the record that made it, and does not poison the ones after.
    const saved = this.queue.catch(() => undefined).then(() => this.store.save(snapshot));
    this.queue = saved;
    return saved;
  }
}

function mergeResources(a: CreatedResource[], b: CreatedResource[]): CreatedResource[] {
  const seen = new Set<string>();
  const out: CreatedResource[] = [];
  for (const r of [...a, ...b]) {
    const key = JSON.stringify(r);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}
