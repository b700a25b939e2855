import chalk from 'chalk';
import type { Io } from '../context.js';
import type { ConfigIssue, PreflightFinding } from '../errors.js';

export function printWarnings(io: Pick<Io, 'err'>, warnings: ConfigIssue[]): void {
  for (const w of warnings) io.err(`${chalk.yellow('warning')} ${w.path}: ${w.message}${w.hint ? ` (${w.hint})` : ''}`);
}

export function formatFinding(f: PreflightFinding): string {
  const label = f.severity === 'error' ? chalk.red('error') : chalk.yellow('warn ');
  return `${label} ${f.message}${f.fix ? `\n       fix: ${f.fix}` : ''}`;
}
