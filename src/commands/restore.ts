// `restore <archive> [--key-file F] [--allow-version-mismatch]`: into an
// install of the same versions (typically a fresh one on a new host):
// check the whole archive first (key, checksums, versions) and change
// nothing when any check fails; then stop OpenIM, put the database and the
// objects back, restore the application secrets (openim.secret, chat's
// secrets: what clients and app servers hold), re-apply the config with them,
// start OpenIM and wait until it is healthy. Infrastructure credentials stay
// those of this install: its MongoDB, Redis and MinIO were set up with them.

import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { ConfigError, PreflightError, UnhealthyError } from '../errors.js';
import { openBackupArchive } from '../backup/archive.js';
import { versionMismatch } from '../backup/manifest.js';
import { parseS3Url, S3Client } from '../backup/s3.js';
import { applySpec } from '../deployment/apply.js';
import { readPassphrase, s3FromEnv } from '../day2/backup.js';
import { readDeployment, withDeployment } from '../deployment/lock-and-state.js';
import type { SecretId } from '../secrets/secrets.js';
import type { DeployState } from '../state/types.js';
import { targetFor } from '../targets/registry.js';
import { day2Spec } from './day2-common.js';
import { formatFinding } from './print-issues.js';
import type { RestoreFlags } from './flags.js';

/** Secrets that belong to the data and its users, not to this host's infrastructure. */
export const RESTORED_SECRETS: readonly SecretId[] = [
  'openim.secret',
  'chat.adminPassword',
  'chat.superCode',
  'chat.adminTokenSecret',
];

const HEALTH_WAIT_MS = 180_000;

export async function restoreCommand(ctx: CliContext, archiveArg: string, flags: RestoreFlags): Promise<void> {
  const { spec, workdir } = day2Spec(ctx, flags);
  const passphrase = await readPassphrase(ctx, flags.keyFile);
  const preview = await readDeployment(ctx, spec, workdir);
  const data = preview.day2.dataBackup;
  if (!data)
    throw new ConfigError([
      { path: '--target', message: `restore is not available for the ${spec.target} target yet` },
    ]);
  const problems = data.problems(spec, 'restore');
  if (problems.length) throw new Error(`restore cannot run on this host:\n  ${problems.join('\n  ')}`);

  await mkdir(workdir, { recursive: true, mode: 0o700 });
  const scratch = await mkdtemp(join(workdir, 'restore-'));
  const started = Date.now();
  try {
    let archive = resolve(ctx.cwd, archiveArg);
    const s3 = archiveArg.startsWith('s3://') ? parseS3Url(archiveArg) : undefined;
    if (archiveArg.startsWith('s3://')) {
      if (!s3 || !s3.prefix)
        throw new ConfigError([{ path: '<archive>', message: `${archiveArg} is not s3://bucket/key` }]);
      archive = join(scratch, 'download.tar');
      ctx.io.err(`restore: downloading ${archiveArg}`);
      await new S3Client(s3FromEnv(ctx.env)).get(s3.bucket, s3.prefix, archive);
    }
    // Everything is checked before anything changes: key, every checksum, the versions.
    const opened = await openBackupArchive(archive, join(scratch, 'open'), passphrase).catch((e: Error) => {
      throw new ConfigError([{ path: '<archive>', message: e.message }]);
    });
    const m = opened.manifest;
    ctx.io.err(
      `restore: archive of OpenIM ${m.openim.serverVersion} (chat ${m.openim.chatVersion}) from ${m.target} ${m.scope}, written ${m.createdAt}; ${m.contents.length} part(s), checksums match`,
    );
    if (m.target !== spec.target)
      throw new ConfigError([
        { path: '<archive>', message: `the backup is of a ${m.target} install; this is ${spec.target}` },
      ]);
    const mismatch = versionMismatch(m, preview.state.installed);
    if (mismatch && (!preview.state.installed || !flags.allowVersionMismatch)) {
      throw new ConfigError([
        {
          path: '<archive>',
          message: `${mismatch}: nothing was restored`,
          hint: preview.state.installed
            ? "install the backup's versions, or pass --allow-version-mismatch if you know the schemas agree"
            : 'install first',
        },
      ]);
    }
    if (mismatch) ctx.io.err(`warning: ${mismatch}; restoring anyway (--allow-version-mismatch)`);
    if (
      !flags.yes &&
      !(await ctx.prompter.confirm({
        key: '--yes',
        message: `Replace the data of this install (database, uploaded files) with the backup of ${m.createdAt}?`,
        default: false,
      }))
    )
      return;

    const target = targetFor(spec.target);
    const facts = await target.gatherFacts(spec, ctx.runner);
    const backupState = JSON.parse(
      await readFile(opened.files.get('state/state.json') ?? '', 'utf8').catch(() => '{}'),
    ) as Partial<DeployState>;
    await withDeployment(ctx, spec, workdir, { command: 'restore', waitLock: Boolean(flags.waitLock) }, async (d) => {
      const io = { log: (line: string) => ctx.io.err(`restore: ${line}`), signal: d.signal };
      const notes = await data.restoreData(
        spec,
        ctx.runner,
        d.state,
        opened.files,
        { skipIndexes: Boolean(flags.skipIndexes) },
        io,
      );
      for (const note of notes) ctx.io.err(`note: ${note}`);
      // Started first, with this install's config: re-applying below then restarts only what the restored secrets change.
      await data.startOpenIM(spec, ctx.runner, io);
      const changed = RESTORED_SECRETS.filter((id) => {
        const value = backupState.secrets?.[id];
        return typeof value === 'string' && value !== '' && value !== d.state.secrets[id];
      });
      if (changed.length) {
        io.log(
          `restoring ${changed.length} application secret(s) (${changed.join(', ')}) and re-applying the config with them`,
        );
        for (const id of changed) (d.state.secrets as Record<string, string>)[id] = backupState.secrets![id]!;
        await d.store.save(d.state);
        const ignored = new Set(flags.ignorePreflight ?? []);
        const findings = target
          .checks(spec, facts as never)
          .map((f) => (ignored.has(f.id) && f.severity === 'error' ? { ...f, severity: 'warn' as const } : f));
        for (const f of findings.filter((x) => x.severity === 'error')) ctx.io.err(formatFinding(f));
        if (findings.some((f) => f.severity === 'error')) throw new PreflightError(findings);
        // force: the journal hashes config and start steps over secret placeholders, not values, so a changed
        // secret alone would rewrite nothing and restart nothing (found by test:openim: `secret invalid`).
        await applySpec(ctx, d, spec, facts, workdir, { action: 'install', concurrency: 4, json: false, force: true });
        await data.afterSecretsRestored?.(spec, ctx.runner, io);
      }
      io.log('waiting for every component to be healthy');
      const deadline = Date.now() + HEALTH_WAIT_MS;
      let report = await d.day2.status(spec, ctx.runner, d.state);
      while (!report.healthy && Date.now() < deadline && !d.signal.aborted) {
        await new Promise((r) => setTimeout(r, 3000));
        report = await d.day2.status(spec, ctx.runner, d.state);
      }
      if (!report.healthy) throw new UnhealthyError(report.problems);
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      d.state.backups = [
        ...(d.state.backups ?? []),
        {
          at: new Date().toISOString(),
          action: 'restore',
          archive: archiveArg,
          size: (await stat(archive)).size,
          sha256: '',
          encrypted: opened.encrypted,
          serverVersion: m.openim.serverVersion,
          chatVersion: m.openim.chatVersion,
          reason: `backup of ${m.createdAt}`,
          seconds,
        },
      ];
      await d.store.save(d.state);
      if (flags.json)
        ctx.io.out(
          `${JSON.stringify({ restored: archiveArg, manifest: { createdAt: m.createdAt, openim: m.openim, parts: m.parts }, seconds, notes })}\n`,
        );
      else
        ctx.io.out(
          `restored ${archiveArg} (backup of ${m.createdAt}) in ${seconds} s; users log in again (their tokens were in the cache). Run \`openim-deploy verify\` to check the client path.\n`,
        );
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
