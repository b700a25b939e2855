// Running a day-two plan (uninstall, rollback) through the same executor as
// install: listr2 progress, Ctrl-C handling, secrets redacted. These plans
// are not journalled as install steps: each of their commands is idempotent
// (--ignore-not-found, rollback to a fixed revision), so a cut one is simply
// run again, and re-running them must never be skipped as "unchanged".

import type { CliContext } from '../context.js';
import type { DeploySpec } from '../config/schema.js';
import { executePlan, type ExecEvent, type ExecutionReport, type OutputMode } from '../execute/executor.js';
import type { Plan, Step } from '../plan/types.js';
import { planOf } from '../targets/build-plan.js';
import { templatesDir } from '../util/package-root.js';
import { redactorFor } from '../deployment/plan-inputs.js';
import type { OpenDeployment } from '../deployment/lock-and-state.js';

export function operationPlan(spec: DeploySpec, steps: Step[]): Plan {
  return planOf(spec, steps);
}

export async function runOperation(
  ctx: Pick<CliContext, 'io' | 'env' | 'runner'>,
  d: Pick<OpenDeployment, 'state' | 'signal'>,
  spec: DeploySpec,
  plan: Plan,
  options: { workdir: string; json: boolean },
): Promise<ExecutionReport> {
  const output: OutputMode = options.json ? 'json' : ctx.io.tty && !ctx.env.CI ? 'tty' : 'plain';
  const onEvent = options.json ? (e: ExecEvent) => ctx.io.out(`${JSON.stringify(e)}\n`) : undefined;
  return executePlan(plan, {
    runner: ctx.runner,
    workdir: options.workdir,
    templatesDir: templatesDir(),
    concurrency: 1,
    secrets: d.state.secrets,
    redactor: redactorFor(d.state.secrets, spec),
    output,
    signal: d.signal,
    force: true,
    retryDelayMs: 2000,
    ...(onEvent ? { onEvent } : {}),
  });
}
