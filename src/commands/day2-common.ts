// What every day-two command starts with: the config (same flags as
// install, so the same deployment is found) and the work dir.

import type { CliContext } from '../context.js';
import type { DeploySpec } from '../config/schema.js';
import { resolveConfig } from '../config/resolve.js';
import { configInput } from '../config/command-options.js';
import type { Day2Flags } from './flags.js';
import { printWarnings } from './print-issues.js';
import { defaultWorkdir } from '../deployment/plan-inputs.js';

export function day2Spec(
  ctx: Pick<CliContext, 'io' | 'env' | 'cwd'>,
  flags: Day2Flags,
): { spec: DeploySpec; workdir: string } {
  const resolved = resolveConfig(configInput(flags, ctx.env));
  printWarnings(ctx.io, resolved.warnings);
  return { spec: resolved.spec, workdir: defaultWorkdir(resolved.spec, ctx.env, ctx.cwd, flags.workdir) };
}
