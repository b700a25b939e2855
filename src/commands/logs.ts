// `logs <module> [-f]`: kubectl logs across the module's pods, or journalctl
// for its units. Output passes the redactor; -f streams until Ctrl-C.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CliContext } from '../context.js';
import { ClusterUnreachableError, ConfigError } from '../errors.js';
import { ALL_MODULES } from '../catalog/modules.js';
import { closest } from '../util/closest.js';
import { readDeployment } from '../deployment/lock-and-state.js';
import { day2Spec } from './day2-common.js';
import { redactorFor } from '../deployment/plan-inputs.js';
import type { LogsFlags } from './flags.js';

const INFRA = ['mongodb', 'redis', 'kafka', 'minio', 'etcd'];

export async function logsCommand(ctx: CliContext, module: string, flags: LogsFlags): Promise<void> {
  const known = [...ALL_MODULES.map((m) => m.name), ...INFRA];
  if (!known.includes(module)) {
    const guess = closest(module, known);
    throw new ConfigError([
      {
        path: '<module>',
        message: `unknown module "${module}"`,
        hint: guess ? `did you mean ${guess}?` : `one of: ${known.join(', ')}`,
      },
    ]);
  }
  const tail = flags.tail ?? 200;
  const { spec, workdir } = day2Spec(ctx, flags);
  // The state only feeds the redactor, so a missing one is fine; an unreachable cluster is not (logs would fail the same way).
  const { day2, state } = await readDeployment(ctx, spec, workdir).catch((e: unknown) => {
    if (e instanceof ClusterUnreachableError) throw e;
    return { day2: undefined, state: undefined };
  });
  const target = day2 ?? (await import('../targets/registry.js')).day2For(spec.target);
  const infraName = spec.target === 'kubernetes' && INFRA.includes(module) ? `openim-${module}` : module;
  const argv = target.logsArgv(spec, infraName, { follow: Boolean(flags.follow), tail });
  const redactor = redactorFor(state?.secrets ?? {}, spec);
  if (!flags.follow) {
    const r = await ctx.runner.run(argv, { timeoutMs: 60_000, signal: ctx.signal });
    ctx.io.out(redactor.redact(r.stdout));
    if (r.exitCode !== 0)
      throw new Error(`\`${argv.join(' ')}\` exited ${r.exitCode}: ${redactor.redact(r.stderr.trim())}`);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = () => child.kill('SIGTERM');
    ctx.signal.addEventListener('abort', stop, { once: true });
    // Line by line: a secret split across two chunks would slip past the redactor.
    createInterface({ input: child.stdout }).on('line', (line) => ctx.io.out(`${redactor.redact(line)}\n`));
    createInterface({ input: child.stderr }).on('line', (line) => ctx.io.err(redactor.redact(line)));
    child.on('error', reject);
    child.on('close', () => {
      ctx.signal.removeEventListener('abort', stop);
      resolve();
    });
  });
}
