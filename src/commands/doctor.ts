import type { CliContext } from '../context.js';
import { resolveConfig } from '../config/resolve.js';
import { PreflightError, UnhealthyError } from '../errors.js';
import { targetFor } from '../targets/registry.js';
import { configInput } from '../config/command-options.js';
import { formatFinding, printWarnings } from './print-issues.js';
import { defaultWorkdir } from '../deployment/plan-inputs.js';
import { diagnoseLive } from '../day2/doctor-live.js';
import { formatDiagnosis } from '../day2/doctor.js';
import { versionReport } from '../catalog/version-report.js';
import { chosenVersions } from './plan.js';
import type { DoctorFlags } from './flags.js';

/**
 * `doctor`: preflight facts and checks, then, when an install is recorded,
 * the live diagnosis of OpenIM's known pain points. Exit 3 when a preflight
 * finding is an error, else 4 when the live diagnosis found one.
 */
export async function doctorCommand(
  ctx: Pick<CliContext, 'io' | 'env' | 'runner'> & Partial<Pick<CliContext, 'cwd'>>,
  flags: DoctorFlags,
): Promise<void> {
  const resolved = resolveConfig(configInput(flags, ctx.env));
  printWarnings(ctx.io, resolved.warnings);
  const spec = resolved.spec;
  const target = targetFor(spec.target);
  const facts = await target.gatherFacts(spec, ctx.runner);
  const findings = target.checks(spec, facts as never);
  const live = await diagnoseLive(ctx, spec, defaultWorkdir(spec, ctx.env, ctx.cwd ?? process.cwd(), flags.workdir));
  const versions = versionReport(spec.target, chosenVersions(spec));
  if (flags.json) ctx.io.out(`${JSON.stringify({ facts, findings, live, versions }, null, 2)}\n`);
  else {
    ctx.io.out(`${versions.join('\n')}\n\n`);
    if (findings.length === 0) ctx.io.out('preflight: no problems found\n');
    else for (const f of findings) ctx.io.out(`${formatFinding(f)}\n`);
    if (live.installed) {
      ctx.io.out(
        `\nlive install (${spec.target === 'kubernetes' ? `namespace ${spec.kubernetes.namespace}` : spec.binary.prefix}):\n`,
      );
      for (const d of live.diagnosis) ctx.io.out(`${formatDiagnosis(d)}\n`);
    } else ctx.io.out(`\nno install recorded in ${live.location}: live checks skipped\n`);
  }
  if (findings.some((f) => f.severity === 'error')) throw new PreflightError(findings);
  const errors = live.diagnosis.filter((d) => d.severity === 'error');
  if (errors.length) throw new UnhealthyError(errors.map((d) => d.what));
}
