// `upgrade --to VERSION`: the catalog's path from the installed version
// (stepping stones applied one at a time, the `seq` migration in the hop
// that crosses into 3.8), each hop a full install of that version with its
// own preflight, journal and verification. Asks for a backup first.

import { mkdir } from 'node:fs/promises';
import type { CliContext } from '../context.js';
import type { DeploySpec } from '../config/schema.js';
import { ConfigError, PreflightError } from '../errors.js';
import { unprobedFacts } from '../facts/types.js';
import { formatPlan, jsonLine } from '../plan/print.js';
import type { Step } from '../plan/types.js';
import { ignorePreflightErrors } from '../preflight/ignore.js';
import { targetFor } from '../targets/registry.js';
import { applySpec, withStepsBeforeOpenIM } from '../deployment/apply.js';
import { readDeployment, withDeployment } from '../deployment/lock-and-state.js';
import type { Day2Target } from '../targets/day2/types.js';
import { upgradePath, type Hop } from '../day2/upgrade.js';
import { defaultBackupDir, runBackup } from '../day2/backup.js';
import type { DeployState } from '../state/types.js';
import { day2Spec } from './day2-common.js';
import { formatFinding } from './print-issues.js';
import { planFor } from '../deployment/plan-inputs.js';
import type { UpgradeFlags } from './flags.js';

const withVersions = (spec: DeploySpec, hop: Hop): DeploySpec => ({
  ...spec,
  openim: { ...spec.openim, serverVersion: hop.serverVersion, chatVersion: hop.chatVersion },
});

function hopsFor(state: DeployState, flags: UpgradeFlags): { from: string; hops: Hop[] } {
  const installed = state.installed;
  if (!installed)
    throw new ConfigError([
      { path: '--to', message: 'nothing is installed yet (no completed install recorded)', hint: 'run install first' },
    ]);
  const path = upgradePath(
    installed.serverVersion,
    flags.to,
    flags.chatVersion ? { chatVersion: flags.chatVersion } : {},
  );
  if (!path.ok)
    throw new ConfigError([{ path: '--to', message: path.reason, ...(path.hint ? { hint: path.hint } : {}) }]);
  return { from: installed.serverVersion, hops: path.hops };
}

function migrationFor(day2: Day2Target, spec: DeploySpec, hop: Hop, from: string, skip: boolean): Step[] {
  if (!hop.seqMigration || skip) return [];
  const steps = day2.migrationSteps(spec, from);
  if ('refused' in steps)
    throw new ConfigError([
      { path: '--to', message: steps.refused, hint: 'after running it yourself, pass --skip-migration' },
    ]);
  return steps;
}

export async function upgradeCommand(ctx: CliContext, flags: UpgradeFlags): Promise<void> {
  const concurrency = flags.concurrency ?? 4;
  const { spec, workdir } = day2Spec(ctx, flags);
  const preview = await readDeployment(ctx, spec, workdir);
  const { from, hops } = hopsFor(preview.state, flags);
  const route = [from, ...hops.map((h) => h.serverVersion)].join(' → ');

  if (flags.dryRun) {
    let previous = from;
    for (const hop of hops) {
      const hopSpec = withVersions(spec, hop);
      const plan = withStepsBeforeOpenIM(
        planFor(hopSpec, unprobedFacts(spec.target)),
        migrationFor(preview.day2, hopSpec, hop, previous, Boolean(flags.skipMigration)),
      );
      ctx.io.out(flags.json ? jsonLine(plan) : `${formatPlan(plan)}\n\n`);
      previous = hop.serverVersion;
    }
    if (!flags.json) ctx.io.out(`upgrade ${route}: dry run, nothing was changed.\n`);
    return;
  }
  ctx.io.err(`upgrade ${route}${hops.some((h) => h.seqMigration) ? ' (with the one-time seq migration)' : ''}`);
  const canBackUp = Boolean(preview.day2.dataBackup);
  let backUp = canBackUp && flags.backup === true;
  if (canBackUp && flags.backup === undefined && ctx.io.interactive && !flags.yes) {
    backUp = await ctx.prompter.confirm({
      key: '--backup',
      message: 'Back up first (openim-deploy backup: database, uploaded files, config, secrets)?',
      default: true,
    });
  }
  if (flags.backup === true && !canBackUp)
    throw new ConfigError([{ path: '--backup', message: `backup is not available for the ${spec.target} target yet` }]);
  if (!backUp) ctx.io.err(preview.day2.backupHint(spec));
  const question = backUp
    ? `Back up, then upgrade OpenIM ${route}?`
    : `Have you backed up, and upgrade OpenIM ${route}?`;
  if (!flags.yes && !(await ctx.prompter.confirm({ key: '--yes', message: question, default: false }))) return;
  if (backUp) {
    const record = await runBackup(ctx, spec, workdir, {
      to: flags.backupTo ?? defaultBackupDir(spec, workdir),
      ...(flags.keyFile ? { keyFile: flags.keyFile } : {}),
      waitLock: Boolean(flags.waitLock),
      reason: `before upgrade ${route}`,
    });
    ctx.io.err(
      `backup written: ${record.archive} (${record.seconds} s); restore it with \`openim-deploy restore\` after a rollback if the upgrade goes wrong`,
    );
  }

  await mkdir(workdir, { recursive: true, mode: 0o700 });
  await withDeployment(ctx, spec, workdir, { command: 'upgrade', waitLock: Boolean(flags.waitLock) }, async (d) => {
    // Recomputed under the lock: another run may have changed the installed version meanwhile.
    const todo = hopsFor(d.state, flags);
    let previous = todo.from;
    for (const hop of todo.hops) {
      const hopSpec = withVersions(spec, hop);
      const target = targetFor(hopSpec.target);
      const facts = await target.gatherFacts(hopSpec, ctx.runner);
      const findings = ignorePreflightErrors(target.checks(hopSpec, facts as never), flags.ignorePreflight);
      for (const f of findings) ctx.io.err(formatFinding(f));
      if (findings.some((f) => f.severity === 'error')) throw new PreflightError(findings);
      ctx.io.err(`— ${hop.serverVersion} (chat ${hop.chatVersion})`);
      await applySpec(ctx, d, hopSpec, facts, workdir, {
        action: 'upgrade',
        concurrency,
        json: Boolean(flags.json),
        force: false,
        beforeOpenIM: migrationFor(d.day2, hopSpec, hop, previous, Boolean(flags.skipMigration)),
      });
      previous = hop.serverVersion;
    }
  });
  const last = hops[hops.length - 1]!;
  ctx.io.err(
    `upgraded to ${last.serverVersion} (chat ${last.chatVersion}); set openim.serverVersion and openim.chatVersion to these in your config so install keeps them`,
  );
}
