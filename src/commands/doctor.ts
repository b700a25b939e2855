import type { CliContext } from '../context.js';
import { resolveConfig } from '../config/resolve.js';
import { PreflightError } from '../errors.js';
import { targetFor } from '../targets/registry.js';
import { configInput, type ConfigFlags } from './config-options.js';
import { formatFinding, printWarnings } from './print-issues.js';

export interface DoctorFlags extends ConfigFlags {
  json?: boolean;
}

/** `doctor`: preflight facts and checks; exit 3 when any finding is an error. */
export async function doctorCommand(ctx: Pick<CliContext, 'io' | 'env' | 'runner'>, flags: DoctorFlags): Promise<void> {
  const resolved = resolveConfig(configInput(flags, ctx.env));
  printWarnings(ctx.io, resolved.warnings);
  const target = targetFor(resolved.spec.target);
  const facts = await target.gatherFacts(resolved.spec, ctx.runner);
  const findings = target.checks(resolved.spec, facts as never);
  if (flags.json) ctx.io.out(`${JSON.stringify({ facts, findings }, null, 2)}\n`);
  else if (findings.length === 0) ctx.io.out('no problems found\n');
  else for (const f of findings) ctx.io.out(`${formatFinding(f)}\n`);
  if (findings.some((f) => f.severity === 'error')) throw new PreflightError(findings);
}
