import { writeFile } from 'node:fs/promises';
import type { CliContext } from '../context.js';
import { resolveConfig } from '../config/resolve.js';
import { unprobedFacts } from '../facts/types.js';
import { formatPlan } from '../plan/print.js';
import { configInput, type ConfigFlags } from './config-options.js';
import { planFor } from './session.js';
import { printWarnings } from './print-issues.js';

export interface PlanFlags extends ConfigFlags {
  json?: boolean;
  output?: string;
}

/** `plan`: the exact steps, made without touching the target. */
export async function planCommand(ctx: Pick<CliContext, 'io' | 'env'>, flags: PlanFlags): Promise<void> {
  const resolved = resolveConfig(configInput(flags, ctx.env));
  printWarnings(ctx.io, resolved.warnings);
  const plan = planFor(resolved.spec, unprobedFacts(resolved.spec.target));
  const json = `${JSON.stringify(plan, null, 2)}\n`;
  if (flags.output) {
    await writeFile(flags.output, json);
    ctx.io.err(`plan written to ${flags.output} (${plan.steps.length} steps)`);
  }
  if (flags.json) ctx.io.out(json);
  else if (!flags.output) ctx.io.out(`${formatPlan(plan)}\n`);
}
