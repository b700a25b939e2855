// `verify [--json]`: real checks against the installed system (src/verify),
// each with its time; exit 4 when a check failed or could not run.

import { resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { ConfigError, UnhealthyError } from '../errors.js';
import { readDeployment } from '../deployment/lock-and-state.js';
import { formatCheck, formatSummary, problems } from '../verify/report.js';
import { verifyInstall } from '../deployment/verify-install.js';
import { day2Spec } from './day2-common.js';
import type { VerifyFlags } from './flags.js';

function url(flag: string, value: string | undefined, schemes: string[]): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError([{ path: flag, message: `not a URL: ${value}` }]);
  }
  if (!schemes.includes(parsed.protocol))
    throw new ConfigError([{ path: flag, message: `must start with ${schemes.map((s) => `${s}//`).join(' or ')}` }]);
  return value;
}

export async function verifyCommand(
  ctx: Pick<CliContext, 'io' | 'env' | 'cwd' | 'runner' | 'signal'>,
  flags: VerifyFlags,
): Promise<void> {
  const http = ['http:', 'https:'];
  const override = {
    api: url('--api-url', flags.apiUrl, http),
    ws: url('--ws-url', flags.wsUrl, ['ws:', 'wss:']),
    chat: url('--chat-url', flags.chatUrl, http),
    admin: url('--admin-url', flags.adminUrl, http),
    objectStorage: url('--object-url', flags.objectUrl, http),
  };
  const { spec, workdir } = day2Spec(ctx, flags);
  const { state } = await readDeployment(ctx, spec, workdir);
  const report = await verifyInstall(spec, state.secrets, {
    ...(flags.ca ? { caFile: resolve(ctx.cwd, flags.ca) } : {}),
    override: Object.fromEntries(Object.entries(override).filter(([, v]) => v)) as typeof override,
    signal: ctx.signal,
    deliveryTimeoutMs: flags.deliveryTimeout * 1000, // seconds, checked while parsing (integer-flag.ts numberOfSeconds)
    // Text: each check as it finishes (some take a while), then the totals.
    ...(flags.json ? {} : { onCheck: (c) => ctx.io.out(`${formatCheck(c)}\n`) }),
  });
  ctx.io.out(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatSummary(report));
  if (!report.passed) throw new UnhealthyError(problems(report));
}
