// `install`: resolve → (confirm) → facts → preflight → secrets → plan → execute.

import { mkdir } from 'node:fs/promises';
import type { CliContext } from '../context.js';
import type { ConfigInput } from '../config/resolve.js';
import type { DeploySpec } from '../config/schema.js';
import { PreflightError } from '../errors.js';
import { unprobedFacts } from '../facts/types.js';
import { ignorePreflightErrors } from '../preflight/ignore.js';
import { formatPlan, jsonLine } from '../plan/print.js';
import { targetFor } from '../targets/registry.js';
import { runWizard, type WizardDeps } from '../wizard/wizard.js';
import { configInput } from '../config/command-options.js';
import { formatFinding, printWarnings } from './print-issues.js';
import { applySpec } from '../deployment/apply.js';
import { withDeployment } from '../deployment/lock-and-state.js';
import { defaultWorkdir, planFor } from '../deployment/plan-inputs.js';
import { printNeeds, resolveReportingAll } from './needs.js';
import type { InstallFlags } from './flags.js';

function resolveConfigAndWarn(ctx: Pick<CliContext, 'io'>, input: ConfigInput, ignored: readonly string[]): DeploySpec {
  // A refused config also lists the target's config-only errors (unpinned archives): one round of fixes.
  const resolved = resolveReportingAll(input, ignored);
  printWarnings(ctx.io, resolved.warnings);
  return resolved.spec;
}

function wizardDeps(ctx: CliContext): WizardDeps {
  return {
    prompter: ctx.prompter,
    runner: ctx.runner,
    err: (s) => ctx.io.err(s),
    cwd: ctx.cwd,
    signal: ctx.signal,
    columns: process.stdout.columns ?? 80,
  };
}

export async function installCommand(ctx: CliContext, flags: InstallFlags): Promise<void> {
  const concurrency = flags.concurrency ?? 4;
  const input = configInput(flags, ctx.env);
  // On a terminal without --yes the wizard fills the gaps, shows the summary and
  // preflight, and asks the confirmation; it never runs without a TTY (or with CI).
  const wizard =
    ctx.io.interactive && !flags.yes
      ? await runWizard(input, wizardDeps(ctx), {
          dryRun: Boolean(flags.dryRun),
          ...(flags.ignorePreflight ? { ignorePreflight: flags.ignorePreflight } : {}),
        })
      : undefined;
  if (wizard && !wizard.confirmed) {
    ctx.io.err('nothing was changed.');
    return;
  }
  const spec = wizard ? wizard.spec : resolveConfigAndWarn(ctx, input, flags.ignorePreflight ?? []);
  // Offline bundle (#6): verified, and checked to hold what this config needs, before anything is probed or changed.
  const offline = spec.offline.bundle ? await import('../bundle/offline-install.js') : undefined;
  const bundle = offline
    ? await offline.verifyBundleForInstall(spec, {
        cwd: ctx.cwd,
        io: ctx.io,
        signal: ctx.signal,
        allowUnverifiedSignature: Boolean(flags.allowUnverifiedSignature),
        ...(flags.bundleKey ? { publicKeyFile: flags.bundleKey } : {}),
      })
    : undefined;

  if (flags.dryRun) {
    // Touches nothing: no probes, no state, no secrets generated.
    const plan = planFor(spec, unprobedFacts(spec.target));
    ctx.io.out(flags.json ? jsonLine(plan) : `${formatPlan(plan)}\n\ndry run: nothing was changed.\n`);
    // The wizard showed its findings already; otherwise say now what install would stop on and
    // what the host must give, and do not call a config that install refuses a success.
    if (wizard) return;
    const errors = printNeeds(ctx.io, spec, flags.ignorePreflight ?? []);
    if (errors.length) throw new PreflightError(errors);
    return;
  }
  if (!flags.yes && !wizard) {
    // Without a terminal this throws a ConfigError naming --yes, before any probe.
    const go = await ctx.prompter.confirm({
      key: '--yes',
      message: `Install OpenIM on ${spec.target === 'kubernetes' ? `Kubernetes namespace ${spec.kubernetes.namespace}` : 'this host'}?`,
      default: true,
    });
    if (!go) return;
  }

  const target = targetFor(spec.target);
  // The wizard already gathered facts and showed (and enforced) the findings.
  const facts = wizard ? wizard.facts : await target.gatherFacts(spec, ctx.runner);
  if (!wizard) {
    const findings = ignorePreflightErrors(target.checks(spec, facts as never), flags.ignorePreflight);
    for (const f of findings) ctx.io.err(formatFinding(f));
    if (findings.some((f) => f.severity === 'error')) throw new PreflightError(findings);
  }

  const workdir = defaultWorkdir(spec, ctx.env, ctx.cwd, flags.workdir);
  await mkdir(workdir, { recursive: true, mode: 0o700 });
  if (offline && bundle)
    await offline.stageBundle(bundle, spec, { workdir, io: ctx.io, env: ctx.env, concurrency, signal: ctx.signal });
  // Lock, state, identity and version guard, secrets, plan, journal: src/deployment/apply.ts.
  await withDeployment(ctx, spec, workdir, { command: 'install', waitLock: Boolean(flags.waitLock) }, (deployment) =>
    applySpec(ctx, deployment, spec, facts, workdir, {
      action: 'install',
      concurrency,
      json: Boolean(flags.json),
      force: Boolean(flags.force),
    }),
  );
}
