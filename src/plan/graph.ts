// DAG checks and ordering for plan steps.

import type { Step } from './types.js';

export interface GraphProblem {
  stepId: string;
  message: string;
}

export function graphProblems(steps: readonly Step[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id)) problems.push({ stepId: step.id, message: 'duplicate step id' });
    ids.add(step.id);
  }
  for (const step of steps) {
    for (const need of step.needs)
      if (!ids.has(need)) problems.push({ stepId: step.id, message: `needs unknown step ${need}` });
  }
  const cycle = findCycle(steps);
  if (cycle) problems.push({ stepId: cycle[0]!, message: `dependency cycle: ${cycle.join(' → ')}` });
  return problems;
}

function findCycle(steps: readonly Step[]): string[] | undefined {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const need of byId.get(id)?.needs ?? []) {
      const found = visit(need);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const step of steps) {
    const found = visit(step.id);
    if (found) return found;
  }
  return undefined;
}

/** Kahn's algorithm, keeping declaration order among ready steps: deterministic. */
export function topologicalOrder(steps: readonly Step[]): Step[] {
  const remaining = new Map(steps.map((s) => [s.id, new Set(s.needs)]));
  const ordered: Step[] = [];
  while (ordered.length < steps.length) {
    const ready = steps.filter((s) => remaining.has(s.id) && remaining.get(s.id)!.size === 0);
    if (ready.length === 0) throw new Error('plan has a dependency cycle');
    for (const step of ready) {
      ordered.push(step);
      remaining.delete(step.id);
    }
    for (const needs of remaining.values()) for (const step of ready) needs.delete(step.id);
  }
  return ordered;
}

/** Every step that transitively needs `id`. */
export function dependantsOf(steps: readonly Step[], id: string): Set<string> {
  const out = new Set<string>();
  let frontier = [id];
  while (frontier.length) {
    const next: string[] = [];
    for (const s of steps)
      if (!out.has(s.id) && s.needs.some((n) => frontier.includes(n))) {
        out.add(s.id);
        next.push(s.id);
      }
    frontier = next;
  }
  return out;
}

/** Longest path through the DAG given a duration per step (the critical path). */
export function criticalPath(steps: readonly Step[], duration: (s: Step) => number): number {
  const finish = new Map<string, number>();
  for (const step of topologicalOrder(steps)) {
    const start = Math.max(0, ...step.needs.map((n) => finish.get(n) ?? 0));
    finish.set(step.id, start + duration(step));
  }
  return Math.max(0, ...finish.values());
}
