import { join, resolve } from 'node:path';
import { extractMembers } from '../bundle/extract.js';
import { BUNDLE_WORK_DIR } from '../bundle-layout/names.js';
import { verifyBundleForInstall } from '../bundle/offline-install.js';
import type { CliContext } from '../context.js';
import { resolveConfig } from '../config/resolve.js';
import { unprobedFacts } from '../facts/types.js';
import { renderPlan, type RenderResult } from '../render/render.js';
import { templatesDir } from '../util/package-root.js';
import { configInput } from '../config/command-options.js';
import { planFor } from '../deployment/plan-inputs.js';
import { printWarnings } from './print-issues.js';
import { refuseNonEmptyFolder } from './output-file.js';
import type { RenderFlags } from './flags.js';

export async function renderCommand(
  ctx: Pick<CliContext, 'io' | 'env' | 'cwd' | 'runner'>,
  flags: RenderFlags,
): Promise<void> {
  const outDir = resolve(ctx.cwd, flags.out);
  refuseNonEmptyFolder(outDir, '--out', flags.force);
  const resolved = resolveConfig(configInput(flags, ctx.env));
  printWarnings(ctx.io, resolved.warnings);
  const plan = planFor(resolved.spec, unprobedFacts(resolved.spec.target));
  // helm runs with the output folder as its working directory, so a path given
  // relative to where the user stands is made absolute here (a bare name stays a PATH lookup).
  const helm = flags.helm && flags.helm.includes('/') ? resolve(ctx.cwd, flags.helm) : flags.helm;
  // With offline.bundle the upstream charts are the bundle's: verified and taken out under DIR/bundle/charts, as install does.
  if (resolved.spec.offline.bundle && plan.steps.some((s) => s.release && !s.release.local)) {
    const bundle = await verifyBundleForInstall(resolved.spec, {
      cwd: ctx.cwd,
      io: ctx.io,
      allowUnverifiedSignature: Boolean(flags.allowUnverifiedSignature),
      ...(flags.bundleKey ? { publicKeyFile: flags.bundleKey } : {}),
    });
    await extractMembers(bundle.path, join(outDir, BUNDLE_WORK_DIR), { prefixes: ['charts/'], sums: bundle.sums });
  }
  const result = await renderPlan(plan, {
    outDir,
    templatesDir: templatesDir(),
    runner: ctx.runner,
    ...(helm ? { helm } : {}),
  });
  if (result.failed.length) throw renderFailure(result.failed, helm ?? 'helm', outDir);
  ctx.io.out(`rendered ${result.files.length} files and ${result.manifests.length} release manifests into ${outDir}\n`);
}

/** An incomplete render is a failure (exit 1), never "rendered 0 release manifests". */
function renderFailure(failed: RenderResult['failed'], helm: string, outDir: string): Error {
  const missing = failed.every((f) => f.exitCode === 127 || /ENOENT|not found/i.test(f.reason));
  const head = missing
    ? `${helm} was not found, so no release manifest was rendered: install helm 3 (https://helm.sh/docs/intro/install/) or pass --helm /path/to/helm`
    : `helm template failed for ${failed.length} release(s), so the render in ${outDir} is incomplete (pass --helm /path/to/helm to use another helm)`;
  return new Error(
    [
      head,
      ...failed.slice(0, 5).map((f) => `  ${f.release}: ${f.reason}`),
      ...(failed.length > 5 ? [`  … and ${failed.length - 5} more`] : []),
    ].join('\n'),
  );
}
