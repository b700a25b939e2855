// `backup [--to DIR|s3://bucket/prefix] [--key-file F]`: one archive of the
// install's data (database, uploaded files), config, secrets and journal.

import type { CliContext } from '../context.js';
import { defaultBackupDir, runBackup } from '../day2/backup.js';
import { day2Spec } from './day2-common.js';
import type { BackupFlags } from './flags.js';

export async function backupCommand(ctx: CliContext, flags: BackupFlags): Promise<void> {
  const { spec, workdir } = day2Spec(ctx, flags);
  const record = await runBackup(ctx, spec, workdir, {
    to: flags.to ?? defaultBackupDir(spec, workdir),
    ...(flags.keyFile ? { keyFile: flags.keyFile } : {}),
    waitLock: Boolean(flags.waitLock),
  });
  if (flags.json) ctx.io.out(`${JSON.stringify(record)}\n`);
  else
    ctx.io.out(
      `backup written: ${record.archive}\n  ${(record.size / 1024 / 1024).toFixed(1)} MiB, sha256 ${record.sha256}, ${record.encrypted ? 'encrypted' : 'not encrypted'}, ${record.seconds} s\n`,
    );
}
