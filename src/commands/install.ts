// `install`: resolve → (confirm) → facts → preflight → secrets → plan → execute.

import { mkdir } from 'node:fs/promises';
import type { CliContext } from '../context.js';
import { resolveConfig } from '../config/resolve.js';
import { ConfigError, PreflightError } from '../errors.js';
import { executePlan, type ExecEvent, type OutputMode } from '../execute/executor.js';
import { unprobedFacts } from '../facts/types.js';
import { formatPlan } from '../plan/print.js';
import { Journal } from '../state/journal.js';
import { targetFor } from '../targets/registry.js';
import { templatesDir } from '../util/package-root.js';
import { configInput, type ConfigFlags } from './config-options.js';
import { formatFinding, printWarnings } from './print-issues.js';
import { defaultWorkdir, planFor, redactorFor, resolveSecrets, stateStoreFor } from './session.js';

export interface InstallFlags extends ConfigFlags {
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  concurrency?: string;
  workdir?: string;
  force?: boolean;
  ignorePreflight?: string[];
}

function parseConcurrency(text: string | undefined): number {
  const n = Number(text ?? 4);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ConfigError([{ path: '--concurrency', message: 'must be a whole number from 1 to 64' }]);
  return n;
}

export async function installCommand(ctx: CliContext, flags: InstallFlags): Promise<void> {
  const concurrency = parseConcurrency(flags.concurrency);
  const resolved = resolveConfig(configInput(flags, ctx.env));
  const spec = resolved.spec;
  printWarnings(ctx.io, resolved.warnings);

  if (flags.dryRun) {
    // Touches nothing: no probes, no state, no secrets generated.
    const plan = planFor(spec, unprobedFacts(spec.target));
    ctx.io.out(flags.json ? `${JSON.stringify(plan, null, 2)}\n` : `${formatPlan(plan)}\n\ndry run: nothing was changed.\n`);
    return;
  }
  if (!flags.yes) {
    // Without a terminal this throws a ConfigError naming --yes, before any probe.
    const go = await ctx.prompter.confirm({ key: '--yes', message: `Install OpenIM on ${spec.target === 'kubernetes' ? `Kubernetes namespace ${spec.kubernetes.namespace}` : 'this host'}?`, default: true });
    if (!go) return;
  }

  const target = targetFor(spec.target);
  const facts = await target.gatherFacts(spec, ctx.runner);
  const ignored = new Set(flags.ignorePreflight ?? []);
  const findings = target.checks(spec, facts as never).map((f) => (ignored.has(f.id) && f.severity === 'error' ? { ...f, severity: 'warn' as const } : f));
  for (const f of findings) ctx.io.err(formatFinding(f));
  if (findings.some((f) => f.severity === 'error')) throw new PreflightError(findings);

  const workdir = defaultWorkdir(spec, ctx.env, ctx.cwd, flags.workdir);
  await mkdir(workdir, { recursive: true, mode: 0o700 });
  const store = stateStoreFor(workdir);
  const state = await store.load();
  const { values, generated } = resolveSecrets(spec, state.secrets);
  // Saved before any step uses them: a re-run after a crash reuses the same values.
  state.secrets = values;
  await store.save(state);
  if (generated.length) ctx.io.err(`generated ${generated.length} credentials, stored in ${store.location}`);

  const plan = planFor(spec, facts);
  const redactor = redactorFor(values, spec);
  const output: OutputMode = flags.json ? 'json' : ctx.io.tty && !ctx.env.CI ? 'tty' : 'plain';
  const onEvent = flags.json ? (e: ExecEvent) => ctx.io.out(`${JSON.stringify(e)}\n`) : undefined;
  const report = await executePlan(plan, {
    runner: ctx.runner,
    workdir,
    templatesDir: templatesDir(),
    concurrency,
    secrets: values,
    redactor,
    journal: new Journal(store, state),
    output,
    signal: ctx.signal,
    ...(flags.force ? { force: true } : {}),
    ...(onEvent ? { onEvent } : {}),
  });
  const changed = report.outcomes.filter((o) => o.status === 'done').length;
  const unchanged = report.outcomes.filter((o) => o.status === 'unchanged').length;
  ctx.io.err(`done: ${changed} steps applied, ${unchanged} unchanged, in ${(report.wallMs / 1000).toFixed(1)}s`);
}
