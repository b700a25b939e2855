// The entry point: the only place that maps errors to exit codes and exits.

import chalk from 'chalk';
import { CommanderError } from '@commander-js/extra-typings';
import { buildProgram } from './cli.js';
import type { CliContext } from './context.js';
import {
  ApplyError,
  ConfigError,
  DeployError,
  EXIT,
  InternalError,
  PreflightError,
  UnhealthyError,
  UserAbort,
  errorRecord,
  isAbort,
} from './errors.js';
import { ExecaRunner } from './process/execa-runner.js';
import { InquirerPrompter, NonInteractivePrompter } from './wizard/prompter.js';
import { packageBugsUrl, packageVersion } from './util/package-root.js';

export function exitCodeFor(error: unknown): number {
  if (error instanceof DeployError) return error.exitStatus;
  if (isAbort(error)) return EXIT.interrupted;
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.invalidInput;
  return EXIT.failed;
}

/** Where to report a bug: package.json's `bugs`, when the package names one. */
function bugReportPlace(): string {
  const url = packageBugsUrl();
  return url ? `; report it at ${url} (openim-deploy ${packageVersion()})` : ` (openim-deploy ${packageVersion()})`;
}

function describe(error: unknown): string {
  if (error instanceof ConfigError) {
    return [
      `${chalk.red('error')} ${error.issues.length === 1 ? 'invalid input' : `${error.issues.length} problems in the input`}:`,
      ...error.issues.map((i) => `  ${i.path}: ${i.message}${i.hint ? chalk.dim(` (${i.hint})`) : ''}`),
    ].join('\n');
  }
  if (error instanceof PreflightError) return `${chalk.red('error')} preflight failed; ${error.hint}`;
  if (isAbort(error)) return `${chalk.yellow('interrupted')}: re-run the same command to continue`;
  if (error instanceof UserAbort)
    return `${chalk.yellow('interrupted')}: ${error.message}${error.hint ? `; ${error.hint}` : ''}`;
  if (error instanceof UnhealthyError) return `${chalk.red('unhealthy')}: ${error.problems.join('; ')}`;
  if (error instanceof ApplyError)
    return `${chalk.red('error')} ${error.failures.length} step(s) failed:\n${error.failures.map((f) => `  ${f.error.message}`).join('\n')}\n${error.hint}`;
  if (error instanceof InternalError) return `${chalk.red('error')} ${error.message}\n${error.hint}${bugReportPlace()}`;
  if (error instanceof DeployError && error.hint) return `${chalk.red('error')} ${error.message}\n${error.hint}`;
  return `${chalk.red('error')} ${(error as Error).message ?? String(error)}`;
}

/** `openim-deploy plan | head`: the reader went away; stop quietly, as other Unix tools do, instead of crashing on EPIPE. */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

export async function main(argv: string[]): Promise<number> {
  if (process.env.NO_COLOR) chalk.level = 0;
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    controller.abort();
    if (interrupts > 1) process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI);
  const ctx: CliContext = {
    io: {
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
      interactive,
      tty: Boolean(process.stdout.isTTY),
    },
    env: process.env,
    cwd: process.cwd(),
    runner: new ExecaRunner(),
    prompter: interactive ? new InquirerPrompter() : new NonInteractivePrompter(),
    signal: controller.signal,
  };
  // The command's own --json flag, as commander parsed it; before parsing ends (a bad flag value), argv says.
  let json = argv.slice(2).includes('--json');
  try {
    await buildProgram(ctx, packageVersion())
      .hook('preAction', (_program, command) => {
        json = command.opts().json === true;
      })
      .parseAsync(argv, { from: 'node' });
    return EXIT.ok;
  } catch (error) {
    const code = exitCodeFor(error);
    if (!(error instanceof CommanderError)) {
      ctx.io.err(describe(error));
      // With --json, stderr ends with one JSON line, so a script reads the code without parsing prose; stdout keeps the command's own JSON.
      if (json) ctx.io.err(JSON.stringify(errorRecord(error, code)));
    }
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const code = await main(process.argv);
process.exitCode = code;
// Give streams a moment to flush; exit explicitly so a stray handle never keeps the CLI alive.
setTimeout(() => process.exit(code), 10).unref();
