import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { unprobedFacts } from '../facts/types.js';
import { buildPlan } from '../targets/build-plan.js';
import { criticalPath, graphProblems, topologicalOrder } from './graph.js';
import type { Step } from './types.js';
import { MIRROR_SET, NFS_SERVER_SET } from '../../test/helpers/config-presets.js';

const configs = [
  { name: 'dev', input: { preset: 'dev' } },
  { name: 'production', input: { preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] } },
  { name: 'single-host', input: { preset: 'single-host' } },
  { name: 'offline', input: { preset: 'offline', sets: ['openim.domain=im.example.com', MIRROR_SET] } },
];

describe('buildPlan', () => {
  for (const c of configs) {
    it(`${c.name}: deterministic, acyclic, every need exists, needs come first`, () => {
      const spec = resolveConfig(c.input).spec;
      const a = JSON.stringify(buildPlan(spec, unprobedFacts(spec.target)));
      const b = JSON.stringify(buildPlan(structuredClone(spec), unprobedFacts(spec.target)));
      expect(a).toBe(b);
      const plan = JSON.parse(a) as ReturnType<typeof buildPlan>;
      expect(plan.version).toBe(1);
      expect(graphProblems(plan.steps)).toEqual([]);
      const seen = new Set<string>();
      for (const step of plan.steps) {
        for (const need of step.needs) expect(seen.has(need), `${step.id} needs ${need} first`).toBe(true);
        seen.add(step.id);
      }
    });
  }

  it('never puts a secret value in the plan, only placeholders', () => {
    const spec = resolveConfig({ preset: 'dev', sets: ['openim.secret=SuperSecretValue123'] }).spec;
    const text = JSON.stringify(buildPlan(spec, unprobedFacts(spec.target)));
    expect(text).not.toContain('SuperSecretValue123');
  });

  it('uses argv arrays for every command', () => {
    const spec = resolveConfig({ preset: 'dev' }).spec;
    for (const step of buildPlan(spec, unprobedFacts('kubernetes')).steps) {
      for (const action of step.actions)
        if (action.kind === 'exec') for (const arg of action.argv) expect(typeof arg).toBe('string');
    }
  });
});

describe('graph', () => {
  const step = (id: string, needs: string[] = []): Step => ({ id, title: id, phase: 'prepare', needs, actions: [] });

  it('finds unknown needs, duplicates and cycles', () => {
    expect(graphProblems([step('a', ['x'])])).toEqual([{ stepId: 'a', message: 'needs unknown step x' }]);
    expect(graphProblems([step('a'), step('a')])[0]!.message).toBe('duplicate step id');
    expect(
      graphProblems([step('a', ['b']), step('b', ['a'])]).some((p) => p.message.startsWith('dependency cycle')),
    ).toBe(true);
  });

  it('orders topologically and keeps declaration order among ready steps', () => {
    const order = topologicalOrder([step('c', ['a']), step('a'), step('b'), step('d', ['c', 'b'])]).map((s) => s.id);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('computes the critical path', () => {
    const steps = [step('a'), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c'])];
    const durations: Record<string, number> = { a: 1, b: 5, c: 2, d: 1 };
    expect(criticalPath(steps, (s) => durations[s.id]!)).toBe(7);
  });
});
