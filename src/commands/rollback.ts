// `rollback`: back to the version recorded before the current one
// (Kubernetes: `helm rollback` of each release to its recorded revision;
// hosts: the `current` links switched back and OpenIM restarted).

import { mkdir } from 'node:fs/promises';
import type { CliContext } from '../context.js';
import type { DeploySpec } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { formatPlan, jsonLine } from '../plan/print.js';
import type { Plan } from '../plan/types.js';
import type { DeployState, HistoryEntry } from '../state/types.js';
import { recordApplied } from '../deployment/apply.js';
import { operationPlan, runOperation } from '../day2/operation.js';
import { readDeployment, withDeployment } from '../deployment/lock-and-state.js';
import type { Day2Target } from '../targets/day2/types.js';
import { day2Spec } from './day2-common.js';
import type { RollbackFlags } from './flags.js';

/** The newest recorded version that differs from the installed one, and the plan back to it. */
export function rollbackPlan(
  spec: DeploySpec,
  state: DeployState,
  day2: Day2Target,
): { to: HistoryEntry; toSpec: DeploySpec; plan: Plan } {
  const installed = state.installed;
  if (!installed)
    throw new ConfigError([
      { path: 'rollback', message: 'nothing is installed (no completed install recorded)', hint: 'run install first' },
    ]);
  const to = [...(state.history ?? [])]
    .reverse()
    .find((h) => h.serverVersion !== installed.serverVersion || h.chatVersion !== installed.chatVersion);
  if (!to)
    throw new ConfigError([
      {
        path: 'rollback',
        message: `no earlier version recorded than the installed ${installed.serverVersion} (chat ${installed.chatVersion})`,
        hint: 'rollback returns to the version before the last upgrade',
      },
    ]);
  if (spec.target === 'kubernetes' && !to.revisions)
    throw new ConfigError([
      {
        path: 'rollback',
        message: `no Helm revisions were recorded for ${to.serverVersion}`,
        hint: 'run `helm rollback <release> <revision>` by hand (helm history <release>)',
      },
    ]);
  const toSpec: DeploySpec = {
    ...spec,
    openim: { ...spec.openim, serverVersion: to.serverVersion, chatVersion: to.chatVersion },
  };
  return { to, toSpec, plan: operationPlan(toSpec, day2.rollbackSteps(toSpec, state, to)) };
}

export async function rollbackCommand(ctx: CliContext, flags: RollbackFlags): Promise<void> {
  const { spec, workdir } = day2Spec(ctx, flags);
  if (flags.dryRun) {
    const { day2, state } = await readDeployment(ctx, spec, workdir);
    const { plan } = rollbackPlan(spec, state, day2);
    ctx.io.out(flags.json ? jsonLine(plan) : `${formatPlan(plan)}\n\ndry run: nothing was changed.\n`);
    return;
  }
  await mkdir(workdir, { recursive: true, mode: 0o700 });
  await withDeployment(ctx, spec, workdir, { command: 'rollback', waitLock: Boolean(flags.waitLock) }, async (d) => {
    const { to, toSpec, plan } = rollbackPlan(spec, d.state, d.day2);
    const from = d.state.installed!;
    if (
      !flags.yes &&
      !(await ctx.prompter.confirm({
        key: '--yes',
        message: `Roll OpenIM back from ${from.serverVersion} to ${to.serverVersion} (chat ${to.chatVersion})?`,
        default: false,
      }))
    )
      return;
    await runOperation(ctx, d, toSpec, plan, { workdir, json: Boolean(flags.json) });
    // The journal's hashes describe the newer version: the next install re-applies every step once.
    for (const entry of Object.values(d.state.steps)) entry.hash = '';
    await recordApplied(ctx, d, toSpec, 'rollback');
    ctx.io.err(
      `rolled back to ${to.serverVersion} (chat ${to.chatVersion}); set openim.serverVersion/chatVersion to these in your config before the next install`,
    );
  });
}
