// `status [--json] [--watch]`: per component version, ready/desired,
// restarts with the last reason, endpoints; the public URLs; exit 4 when
// anything is unhealthy; watch mode ends on Ctrl-C, as an interrupt (130).

import type { CliContext } from '../context.js';
import { UnhealthyError, UserAbort } from '../errors.js';
import { sleep } from '../util/sleep.js';
import { readDeployment } from '../deployment/lock-and-state.js';
import { formatStatus } from '../day2/status-format.js';
import type { StatusReport } from '../targets/day2/types.js';
import { day2Spec } from './day2-common.js';
import type { StatusFlags } from './flags.js';

export async function statusCommand(
  ctx: Pick<CliContext, 'io' | 'env' | 'cwd' | 'runner' | 'signal'>,
  flags: StatusFlags,
): Promise<void> {
  const seconds = flags.interval; // checked while parsing (integer-flag.ts numberOfSeconds)
  const { spec, workdir } = day2Spec(ctx, flags);
  const once = async (): Promise<StatusReport> => {
    const { day2, state } = await readDeployment(ctx, spec, workdir);
    return day2.status(spec, ctx.runner, state);
  };
  const print = (report: StatusReport) =>
    ctx.io.out(flags.json ? `${JSON.stringify(report, null, flags.watch ? 0 : 2)}\n` : formatStatus(report));
  let last: StatusReport;
  if (!flags.watch) {
    last = await once();
    print(last);
  } else {
    for (;;) {
      last = await once();
      if (ctx.io.tty && !flags.json) ctx.io.out('\x1b[2J\x1b[H');
      print(last);
      try {
        await sleep(seconds * 1000, ctx.signal);
      } catch {
        // Ctrl-C is how a watch ends: an interrupt (130), as for every command, whatever the last report said.
        throw new UserAbort('status --watch stopped', { resumable: false });
      }
    }
  }
  if (!last.healthy) throw new UnhealthyError(last.problems);
}
