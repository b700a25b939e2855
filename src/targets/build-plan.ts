// buildPlan: pure and deterministic. Same spec and facts → identical JSON.

import type { DeploySpec } from '../config/schema.js';
import type { Facts } from '../facts/types.js';
import { targetFor } from './registry.js';
import { graphProblems, topologicalOrder } from '../plan/graph.js';
import { PLAN_VERSION, type Plan, type Step } from '../plan/types.js';
import { InternalError } from '../errors.js';
import { installScope } from '../config/scope.js';

export function buildPlan(spec: DeploySpec, facts: Facts): Plan {
  const target = targetFor(spec.target);
  const steps = target.steps(spec, facts as never);
  const problems = graphProblems(steps);
  if (problems.length > 0) {
    // A planner bug, not a user error: say exactly where.
    throw new InternalError(`invalid plan: ${problems.map((p) => `${p.stepId}: ${p.message}`).join('; ')}`);
  }
  return planOf(spec, topologicalOrder(steps));
}

/** The versioned envelope around ordered steps (install plans and day-two operation plans alike). */
export function planOf(spec: DeploySpec, steps: Step[]): Plan {
  return {
    version: PLAN_VERSION,
    target: spec.target,
    profile: spec.profile,
    openim: { serverVersion: spec.openim.serverVersion, chatVersion: spec.openim.chatVersion },
    scope: installScope(spec),
    steps,
  };
}
