// `backup`, target-neutral: take the lock, let the target write its data
// parts into a fresh 0700 folder, pack them (src/backup/archive.ts) next to
// the destination or in the work dir, upload when the destination is S3, and
// record the backup in the state. Used by `backup` and by `upgrade --backup`.

import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { CliContext } from '../context.js';
import type { DeploySpec } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { writeBackupArchive } from '../backup/archive.js';
import { passphraseOf } from '../backup/crypto.js';
import { BACKUP_FORMAT } from '../backup/manifest.js';
import { parseS3Url, S3Client, type S3Credentials } from '../backup/s3.js';
import type { BackupRecord } from '../state/types.js';
import { sha256File } from '../util/hash.js';
import { packageVersion } from '../util/package-root.js';
import { day2For } from '../targets/registry.js';
import { withDeployment } from '../deployment/lock-and-state.js';
import { installScope } from '../config/scope.js';

export interface BackupOptions {
  /** Folder or s3://bucket/prefix. */
  to: string;
  keyFile?: string;
  waitLock: boolean;
  reason?: string;
}

export type BackupContext = Pick<CliContext, 'io' | 'env' | 'cwd' | 'runner' | 'signal'>;

/** Where backups go on a host when --to is not given. */
const DEFAULT_BACKUP_DIR = '/var/backups/openim-deploy';

/**
 * Where backups go when --to is not given: on a host, its backup folder; for Kubernetes the CLI
 * runs on a workstation, usually not as root, so beside the install's local state (the work dir).
 */
export function defaultBackupDir(spec: DeploySpec, workdir: string): string {
  return spec.target === 'kubernetes' ? join(workdir, 'backups') : DEFAULT_BACKUP_DIR;
}

export async function readPassphrase(
  ctx: Pick<CliContext, 'cwd'>,
  keyFile: string | undefined,
): Promise<Buffer | undefined> {
  if (!keyFile) return undefined;
  const path = resolve(ctx.cwd, keyFile);
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch (e) {
    throw new ConfigError([
      {
        path: '--key-file',
        message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      },
    ]);
  }
  try {
    return passphraseOf(text, path);
  } catch (e) {
    throw new ConfigError([{ path: '--key-file', message: (e as Error).message }]);
  }
}

/** S3 credentials for --to s3://… from the standard AWS variables. */
export function s3FromEnv(env: Record<string, string | undefined>): S3Credentials {
  const missing = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL'].filter((k) => !env[k]);
  if (missing.length)
    throw new ConfigError([
      {
        path: '--to',
        message: `an s3:// destination needs ${missing.join(', ')} in the environment`,
        hint: 'AWS_ENDPOINT_URL is the S3-compatible endpoint, e.g. https://s3.eu-central-1.amazonaws.com or http://minio.example:9000',
      },
    ]);
  return {
    endpoint: env.AWS_ENDPOINT_URL!,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    accessKey: env.AWS_ACCESS_KEY_ID!,
    secretKey: env.AWS_SECRET_ACCESS_KEY!,
  };
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

export async function runBackup(
  ctx: BackupContext,
  spec: DeploySpec,
  workdir: string,
  options: BackupOptions,
): Promise<BackupRecord> {
  const s3Target = options.to.startsWith('s3://') ? parseS3Url(options.to) : undefined;
  if (options.to.startsWith('s3://') && !s3Target)
    throw new ConfigError([{ path: '--to', message: `${options.to} is not s3://bucket[/prefix]` }]);
  const s3 = s3Target ? new S3Client(s3FromEnv(ctx.env)) : undefined;
  const passphrase = await readPassphrase(ctx, options.keyFile);
  const data = day2For(spec.target).dataBackup;
  if (!data)
    throw new ConfigError([
      {
        path: '--target',
        message: `backup is not available for the ${spec.target} target yet`,
        hint: 'back up MongoDB and the object storage with their own tools',
      },
    ]);
  const problems = data.problems(spec, 'backup');
  if (problems.length) throw new Error(`backup cannot run on this host:\n  ${problems.join('\n  ')}`);

  const dir = s3Target ? workdir : resolve(ctx.cwd, options.to);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(workdir, { recursive: true, mode: 0o700 });
  return withDeployment(ctx, spec, workdir, { command: 'backup', waitLock: options.waitLock }, async (d) => {
    const installed = d.state.installed;
    if (!installed)
      throw new ConfigError([
        { path: '--target', message: 'nothing is installed here (no completed install recorded): nothing to back up' },
      ]);
    const started = Date.now();
    const createdAt = new Date();
    const name = `openim-backup-${installed.serverVersion}-${stamp(createdAt)}.tar${passphrase ? '.enc' : ''}`;
    const out = join(dir, name);
    const staging = await mkdtemp(join(dir, '.openim-backup-'));
    const io = { log: (line: string) => ctx.io.err(`backup: ${line}`), signal: d.signal };
    try {
      const collected = await data.collect(spec, ctx.runner, d.state, staging, io);
      io.log(`writing ${passphrase ? 'encrypted ' : ''}archive`);
      await writeBackupArchive(
        out,
        collected.files,
        {
          format: BACKUP_FORMAT,
          createdAt: createdAt.toISOString(),
          target: spec.target,
          scope: installScope(spec),
          openim: { serverVersion: installed.serverVersion, chatVersion: installed.chatVersion },
          tools: {
            openimDeploy: packageVersion(),
            ...(collected.mongodumpVersion ? { mongodump: collected.mongodumpVersion } : {}),
          },
          parts: collected.parts,
          notes: collected.notes,
        },
        passphrase,
      );
      for (const note of collected.notes) ctx.io.err(`note: ${note}`);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    const size = (await stat(out)).size;
    const sha256 = await sha256File(out);
    let archive = out;
    if (s3 && s3Target) {
      const key = [s3Target.prefix, name].filter(Boolean).join('/');
      io.log(`uploading to s3://${s3Target.bucket}/${key}`);
      await s3.put(s3Target.bucket, key, out, size, 'application/x-tar');
      await rm(out, { force: true });
      archive = `s3://${s3Target.bucket}/${key}`;
    }
    if (!passphrase)
      ctx.io.err(
        `note: ${basename(out)} is not encrypted and holds the install's secrets (state, config): keep it as private as ${spec.target === 'binary' ? `${spec.binary.stateDir}/state.json` : 'the state Secret'}, or pass --key-file`,
      );
    const record: BackupRecord = {
      at: createdAt.toISOString(),
      action: 'backup',
      archive,
      size,
      sha256,
      encrypted: Boolean(passphrase),
      serverVersion: installed.serverVersion,
      chatVersion: installed.chatVersion,
      ...(options.reason ? { reason: options.reason } : {}),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    d.state.backups = [...(d.state.backups ?? []), record];
    await d.store.save(d.state);
    return record;
  });
}
