// `support-bundle -o FILE`: one tar.gz with what a maintainer needs to help:
// status, events, recent logs per module, the effective config, the plan,
// versions and the journal. Every file passes the Scrubber; the archive is
// written 0600 anyway.

import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import type { CliContext } from '../context.js';
import { tarArchive } from '../archive/tar/in-memory.js';
import { unprobedFacts } from '../facts/types.js';
import { REDACTED } from '../secrets/redact.js';
import { givenSecrets } from '../secrets/secrets.js';
import { emptyState, type DeployState } from '../state/types.js';
import { packageVersion } from '../util/package-root.js';
import { redactedSpec } from '../secrets/redact-config.js';
import { Scrubber } from '../day2/scrub.js';
import { readDeployment } from '../deployment/lock-and-state.js';
import { day2For } from '../targets/registry.js';
import { day2Spec } from './day2-common.js';
import { planFor } from '../deployment/plan-inputs.js';
import { refuseExistingFile } from './output-file.js';
import type { Day2Flags, SupportBundleFlags } from './flags.js';

export interface BundleFile {
  path: string;
  text: string;
}

export async function collectSupportFiles(
  ctx: Pick<CliContext, 'io' | 'env' | 'cwd' | 'runner'>,
  flags: Day2Flags,
): Promise<BundleFile[]> {
  const { spec, workdir } = day2Spec(ctx, flags);
  const files: BundleFile[] = [];
  const errors: string[] = [];
  const day2 = day2For(spec.target);
  let state: DeployState = emptyState();
  try {
    state = (await readDeployment(ctx, spec, workdir)).state;
  } catch (e) {
    errors.push(`state: ${(e as Error).message}`);
  }
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  files.push({ path: 'config.yaml', text: stringify(redactedSpec(spec)) });
  files.push({
    path: 'versions.json',
    text: json({
      openimDeploy: packageVersion(),
      node: process.version,
      config: { serverVersion: spec.openim.serverVersion, chatVersion: spec.openim.chatVersion },
      installed: state.installed ?? null,
      upgrading: state.upgrading ?? null,
      history: state.history ?? [],
    }),
  });
  files.push({
    path: 'journal.json',
    text: json({ ...state, secrets: Object.fromEntries(Object.keys(state.secrets).map((k) => [k, REDACTED])) }),
  });
  try {
    files.push({ path: 'plan.json', text: json(planFor(spec, unprobedFacts(spec.target))) });
  } catch (e) {
    errors.push(`plan: ${(e as Error).message}`);
  }
  try {
    files.push({ path: 'status.json', text: json(await day2.status(spec, ctx.runner, state)) });
  } catch (e) {
    errors.push(`status: ${(e as Error).message}`);
  }
  for (const { file, argv } of day2.supportCommands(spec, state)) {
    try {
      const r = await ctx.runner.run(argv, { timeoutMs: 30_000 });
      files.push({
        path: file,
        text: `$ ${argv.join(' ')}\n# exit ${r.exitCode}\n${r.stdout}${r.stderr ? `\n# stderr\n${r.stderr}` : ''}`,
      });
    } catch (e) {
      errors.push(`${argv.join(' ')}: ${(e as Error).message}`);
    }
  }
  if (errors.length) files.push({ path: 'errors.txt', text: `${errors.join('\n')}\n` });
  const scrubber = new Scrubber(
    [...Object.values(state.secrets), ...Object.values(givenSecrets(spec)), spec.infrastructure.mongodb.uri].filter(
      (v): v is string => typeof v === 'string',
    ),
  );
  return files.map((f) => ({ path: f.path, text: scrubber.scrub(f.text) }));
}

export async function supportBundleCommand(
  ctx: Pick<CliContext, 'io' | 'env' | 'cwd' | 'runner'>,
  flags: SupportBundleFlags,
): Promise<void> {
  refuseExistingFile(flags.output, '--output', flags.force);
  const files = await collectSupportFiles(ctx, flags);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const root = `openim-support-${stamp}`;
  const archive = gzipSync(tarArchive(files.map((f) => ({ path: `${root}/${f.path}`, data: f.text, mode: 0o600 }))));
  await writeFile(flags.output, archive, { mode: 0o600 });
  ctx.io.err(`wrote ${flags.output}: ${files.length} files (${files.map((f) => f.path).join(', ')}), secrets redacted`);
}
