// `uninstall [--keep-data] [--purge]`: removes, in reverse order, only what
// the journal says openim-deploy created. Data (PVCs, data folders) and the
// stored credentials stay by default, so a later install finds its data and
// the passwords that open it; --purge (alias --delete-data) deletes them
// too, after confirmation.

import { mkdir } from 'node:fs/promises';
import type { CliContext } from '../context.js';
import { ConfigError } from '../errors.js';
import { formatPlan, jsonLine } from '../plan/print.js';
import { operationPlan, runOperation } from '../day2/operation.js';
import { readDeployment, withDeployment } from '../deployment/lock-and-state.js';
import { day2Spec } from './day2-common.js';
import type { UninstallFlags } from './flags.js';

export async function uninstallCommand(ctx: CliContext, flags: UninstallFlags): Promise<void> {
  const purge = Boolean(flags.purge || flags.deleteData);
  if (purge && flags.keepData)
    throw new ConfigError([
      { path: flags.purge ? '--purge' : '--delete-data', message: 'cannot be combined with --keep-data' },
    ]);
  const { spec, workdir } = day2Spec(ctx, flags);
  const where =
    spec.target === 'kubernetes' ? `namespace ${spec.kubernetes.namespace}` : `this host (${spec.binary.prefix})`;

  if (flags.dryRun) {
    const { day2, state } = await readDeployment(ctx, spec, workdir);
    const plan = operationPlan(spec, day2.uninstallSteps(spec, state, { purge }));
    ctx.io.out(flags.json ? jsonLine(plan) : `${formatPlan(plan)}\n\ndry run: nothing was changed.\n`);
    return;
  }
  if (!flags.yes) {
    const message = purge
      ? `Uninstall OpenIM from ${where} and DELETE ITS DATA (volumes, data folders, stored credentials)? This cannot be undone.`
      : `Uninstall OpenIM from ${where}? Data and credentials are kept.`;
    if (!(await ctx.prompter.confirm({ key: '--yes', message, default: false }))) return;
  }
  await mkdir(workdir, { recursive: true, mode: 0o700 });
  await withDeployment(ctx, spec, workdir, { command: 'uninstall', waitLock: Boolean(flags.waitLock) }, async (d) => {
    const steps = d.day2.uninstallSteps(spec, d.state, { purge });
    if (!steps.length) {
      ctx.io.err(`nothing recorded to uninstall in ${d.store.location}`);
      return;
    }
    await runOperation(ctx, d, spec, operationPlan(spec, steps), { workdir, json: Boolean(flags.json) });
    if (purge) {
      await d.store.remove?.();
      ctx.io.err(`uninstalled; data and state deleted`);
      return;
    }
    // Keep identity and secrets: the data left behind was written with them.
    d.state.steps = {};
    delete d.state.installed;
    delete d.state.upgrading;
    await d.store.save(d.state);
    ctx.io.err(
      `uninstalled; data kept (${spec.target === 'kubernetes' ? 'PVCs' : spec.binary.dataDir}) and credentials kept in ${d.store.location}: a later install reuses both; \`uninstall --purge\` deletes them`,
    );
  });
}
