// Applying a spec to an open deployment: used by `install` and by each hop
// of `upgrade`. Refuses changes to immutable values and version changes
// that are not an upgrade; stores the secrets before any step; runs the plan
// with a journal that records what each step creates; records the applied
// versions (and Helm revisions, for rollback) once everything succeeded.

import type { CliContext } from '../context.js';
import type { DeploySpec } from '../config/schema.js';
import { ConfigError, InternalError, type ConfigIssue } from '../errors.js';
import { executePlan, type ExecEvent, type OutputMode } from '../execute/executor.js';
import type { Facts } from '../facts/types.js';
import { dependantsOf, graphProblems, topologicalOrder } from '../plan/graph.js';
import type { Phase, Plan, Step } from '../plan/types.js';
import { resolveSecrets } from '../secrets/secrets.js';
import { identityIssues, identityOf } from '../state/identity.js';
import { Journal } from '../state/journal.js';
import type { DeployState } from '../state/types.js';
import { templatesDir } from '../util/package-root.js';
import { planFor, redactorFor } from './plan-inputs.js';
import { redactedSpec } from '../secrets/redact-config.js';
import type { OpenDeployment } from './lock-and-state.js';
import { compareVersions } from '../util/versions.js';

export type ApplyContext = Pick<CliContext, 'io' | 'env' | 'runner'>;

export interface ApplyOptions {
  action: 'install' | 'upgrade';
  concurrency: number;
  json: boolean;
  force: boolean;
  /** Steps that must run after the infrastructure and before OpenIM (the seq migration). */
  beforeOpenIM?: Step[];
}

/** Why this spec may not be applied over this state, as config issues naming the path. */
export function installGuard(state: DeployState, spec: DeploySpec, action: ApplyOptions['action']): ConfigIssue[] {
  const issues = identityIssues(state.identity, spec);
  if (action !== 'install' || issues.length) return issues;
  const pending = state.upgrading;
  if (
    pending &&
    (pending.serverVersion !== spec.openim.serverVersion || pending.chatVersion !== spec.openim.chatVersion)
  ) {
    issues.push({
      path: 'openim.serverVersion',
      message: `an upgrade to ${pending.serverVersion} (chat ${pending.chatVersion}) did not finish`,
      hint: `re-run \`openim-deploy upgrade --to ${pending.serverVersion}\` to complete it, or \`openim-deploy rollback\``,
    });
    return issues;
  }
  const installed = state.installed;
  if (!installed || pending) return issues;
  for (const [path, was, now] of [
    ['openim.serverVersion', installed.serverVersion, spec.openim.serverVersion],
    ['openim.chatVersion', installed.chatVersion, spec.openim.chatVersion],
  ] as const) {
    if (was === now) continue;
    const newer = compareVersions(now, was) > 0;
    issues.push({
      path,
      message: `${was} is installed and the config says ${now}: install does not change versions`,
      hint: newer
        ? `run \`openim-deploy upgrade --to ${path === 'openim.serverVersion' ? now : spec.openim.serverVersion}\` (stepping stones, migration), or set ${path}: ${was}`
        : `run \`openim-deploy rollback\`, or set ${path}: ${was}`,
    });
  }
  return issues;
}

const OPENIM_PHASES = new Set<Phase>(['server', 'chat', 'front', 'ingress', 'monitoring', 'verify', 'summary']);

/** Put `extra` after every infrastructure/config step and before every OpenIM step. */
export function withStepsBeforeOpenIM(plan: Plan, extra: Step[]): Plan {
  if (!extra.length) return plan;
  const ids = extra.map((s) => s.id);
  const openim = plan.steps.filter((s) => OPENIM_PHASES.has(s.phase)).map((s) => s.id);
  const afterOpenIM = new Set(openim.flatMap((id) => [id, ...dependantsOf(plan.steps, id)]));
  const before = plan.steps.filter((s) => !afterOpenIM.has(s.id)).map((s) => s.id);
  const steps = [
    ...plan.steps.map((s) => (afterOpenIM.has(s.id) ? { ...s, needs: [...new Set([...s.needs, ...ids])] } : s)),
    ...extra.map((s) => ({ ...s, needs: [...new Set([...s.needs, ...before])] })),
  ];
  const problems = graphProblems(steps);
  if (problems.length)
    throw new InternalError(`invalid plan: ${problems.map((p) => `${p.stepId}: ${p.message}`).join('; ')}`);
  return { ...plan, steps: topologicalOrder(steps) };
}

export async function applySpec(
  ctx: ApplyContext,
  d: OpenDeployment,
  spec: DeploySpec,
  facts: Facts,
  workdir: string,
  options: ApplyOptions,
): Promise<void> {
  const issues = installGuard(d.state, spec, options.action);
  if (issues.length) throw new ConfigError(issues, 'cannot apply this config to the existing install');

  const { values, generated } = resolveSecrets(spec, d.state.secrets);
  // Saved before any step uses them: a re-run after a crash reuses the same values.
  d.state.secrets = values;
  d.state.identity = identityOf(spec);
  if (options.action === 'upgrade')
    d.state.upgrading = {
      serverVersion: spec.openim.serverVersion,
      chatVersion: spec.openim.chatVersion,
      at: new Date().toISOString(),
    };
  await d.store.save(d.state);
  if (generated.length) ctx.io.err(`generated ${generated.length} credentials, stored in ${d.store.location}`);

  const plan = withStepsBeforeOpenIM(planFor(spec, facts), options.beforeOpenIM ?? []);
  const redactor = redactorFor(values, spec);
  const output: OutputMode = options.json ? 'json' : ctx.io.tty && !ctx.env.CI ? 'tty' : 'plain';
  const onEvent = options.json ? (e: ExecEvent) => ctx.io.out(`${JSON.stringify(e)}\n`) : undefined;
  const stale = Object.keys(d.state.steps).filter((id) => !plan.steps.some((s) => s.id === id));
  const report = await executePlan(plan, {
    runner: ctx.runner,
    workdir,
    templatesDir: templatesDir(),
    concurrency: options.concurrency,
    secrets: values,
    redactor,
    journal: new Journal(d.store, d.state, { plan, resourcesOf: (step) => d.day2.resources(spec, step) }),
    output,
    signal: d.signal,
    ...(options.force ? { force: true } : {}),
    ...(onEvent ? { onEvent } : {}),
  });
  await recordApplied(ctx, d, spec, options.action);
  const changed = report.outcomes.filter((o) => o.status === 'done').length;
  const unchanged = report.outcomes.filter((o) => o.status === 'unchanged').length;
  const notApplicable = report.outcomes.filter((o) => o.status === 'not-applicable').length;
  ctx.io.err(
    `done: ${changed} steps applied, ${unchanged} unchanged${notApplicable ? `, ${notApplicable} not applicable` : ''}, in ${(report.wallMs / 1000).toFixed(1)}s`,
  );
  if (stale.length)
    ctx.io.err(
      `note: ${stale.length} step(s) from an earlier config are no longer planned (${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', …' : ''}); what they created stays until \`openim-deploy uninstall\``,
    );
}

/** Equal once stored: the state is JSON, so compare what JSON keeps (undefined fields drop out). */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function recordApplied(
  ctx: Pick<CliContext, 'io' | 'runner'>,
  d: OpenDeployment,
  spec: DeploySpec,
  action: 'install' | 'upgrade' | 'rollback',
): Promise<void> {
  const revisions = await d.day2.revisions(spec, ctx.runner).catch((e: Error) => {
    ctx.io.err(`warning: could not read release revisions (rollback will not know them): ${e.message}`);
    return undefined;
  });
  const at = new Date().toISOString();
  const { serverVersion, chatVersion } = spec.openim;
  const applied = redactedSpec(spec);
  // A run that changed nothing leaves the record as it was: no new timestamps, so no write to the
  // cluster's state Secret either (a re-run with nothing changed must mutate nothing).
  const previous = d.state.history?.[d.state.history.length - 1];
  const unchanged =
    !d.state.upgrading &&
    d.state.installed?.serverVersion === serverVersion &&
    d.state.installed.chatVersion === chatVersion &&
    previous?.serverVersion === serverVersion &&
    previous.chatVersion === chatVersion &&
    sameJson(previous.revisions, revisions) &&
    sameJson(d.state.lastApplied, applied);
  if (unchanged) return;
  d.state.installed = { serverVersion, chatVersion, at };
  // History lists version changes: re-applying the same versions refreshes the last entry instead of adding one.
  const history = [...(d.state.history ?? [])];
  const last = history[history.length - 1];
  const entry = { at, action, serverVersion, chatVersion, ...(revisions ? { revisions } : {}) };
  if (last && last.serverVersion === serverVersion && last.chatVersion === chatVersion)
    history[history.length - 1] = { ...entry, action: last.action };
  else history.push(entry);
  d.state.history = history.slice(-20);
  d.state.lastApplied = applied;
  delete d.state.upgrading;
  await d.store.save(d.state);
}
