import chalk from 'chalk';
import type { Io } from '../context.js';
import type { ConfigIssue, PreflightFinding } from '../errors.js';

export function printWarnings(io: Pick<Io, 'err'>, warnings: ConfigIssue[]): void {
  for (const w of warnings) io.err(`${chalk.yellow('warning')} ${w.path}: ${w.message}${w.hint ? ` (${w.hint})` : ''}`);
}

/** An error carries its id: the word `--ignore-preflight` takes to accept it (as the wizard's report shows it). */
export function formatFinding(f: PreflightFinding): string {
  const label = f.severity === 'error' ? chalk.red('error') : chalk.yellow('warn ');
  const id = f.severity === 'error' ? ` [${f.id}]` : '';
  return `${label} ${f.message}${id}${f.fix ? `\n       fix: ${f.fix}` : ''}`;
}
