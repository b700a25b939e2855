import { writeFile } from 'node:fs/promises';
import type { CliContext } from '../context.js';
import { unprobedFacts } from '../facts/types.js';
import { versionReport } from '../catalog/version-report.js';
import { formatPlan } from '../plan/print.js';
import { configInput } from '../config/command-options.js';
import { planFor } from '../deployment/plan-inputs.js';
import { printWarnings } from './print-issues.js';
import { refuseExistingFile } from './output-file.js';
import { printNeeds, resolveReportingAll } from './needs.js';
import type { PlanFlags } from './flags.js';

/** The versions a spec runs: chat only when it is installed. */
export function chosenVersions(spec: {
  openim: { serverVersion: string; chatVersion: string; components: { chat: boolean } };
}): { server: string; chat?: string } {
  return spec.openim.components.chat
    ? { server: spec.openim.serverVersion, chat: spec.openim.chatVersion }
    : { server: spec.openim.serverVersion };
}

/** `plan`: which catalog versions and how they run, then the exact steps, made without touching the target. */
export async function planCommand(ctx: Pick<CliContext, 'io' | 'env'>, flags: PlanFlags): Promise<void> {
  if (flags.output) refuseExistingFile(flags.output, '--output', flags.force);
  const resolved = resolveReportingAll(configInput(flags, ctx.env));
  printWarnings(ctx.io, resolved.warnings);
  const plan = planFor(resolved.spec, unprobedFacts(resolved.spec.target));
  const json = `${JSON.stringify(plan, null, 2)}\n`;
  if (flags.output) {
    await writeFile(flags.output, json);
    ctx.io.err(`plan written to ${flags.output} (${plan.steps.length} steps)`);
  }
  if (flags.json) ctx.io.out(json);
  else if (!flags.output)
    ctx.io.out(
      `${versionReport(resolved.spec.target, chosenVersions(resolved.spec)).join('\n')}\n\n${formatPlan(plan)}\n`,
    );
  // The plan is a document (exit 0 as long as it could be made); what install would still refuse, and
  // what the host must give, go to stderr so a new user sees them before running anything.
  printNeeds(ctx.io, resolved.spec);
}
