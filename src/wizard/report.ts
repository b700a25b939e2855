// What the user reads before confirming: the summary table and the
// preflight findings, laid out for the terminal width.

import chalk from 'chalk';
import type { ConfigIssue, PreflightFinding } from '../errors.js';
import { formatTable, wrapText, type Row } from './text.js';

/** A finding wrapped under its label; errors carry their id for --ignore-preflight. */
function formatIssue(severity: 'error' | 'warn', message: string, fix: string | undefined, width: number): string {
  const label = severity === 'error' ? chalk.red('error') : chalk.yellow('warn ');
  const body = wrapText(message, width - 8);
  const lines = [`${label}  ${body[0] ?? ''}`, ...body.slice(1).map((l) => `       ${l}`)];
  if (fix) lines.push(...wrapText(`fix: ${fix}`, width - 8).map((l) => `       ${l}`));
  return lines.join('\n');
}

export function printReport(
  err: (text: string) => void,
  report: { rows: Row[]; warnings: ConfigIssue[]; findings: PreflightFinding[]; dryRun: boolean; width: number },
): void {
  const { width } = report;
  err('');
  err(chalk.bold('Summary'));
  for (const line of formatTable(report.rows, width)) err(line);
  err('');
  err(chalk.bold(report.dryRun ? 'Preflight (dry run: light checks only)' : 'Preflight'));
  if (report.warnings.length === 0 && report.findings.length === 0) err('  no problems found');
  for (const w of report.warnings) err(formatIssue('warn', `${w.path}: ${w.message}`, w.hint, width));
  for (const f of report.findings)
    err(formatIssue(f.severity, f.severity === 'error' ? `${f.message} [${f.id}]` : f.message, f.fix, width));
  err('');
}
