// Turning check results into the report `verify` prints (text or --json).

import type { CheckResult, VerifyEndpoints, VerifyReport } from './types.js';

export function buildReport(
  target: VerifyReport['target'],
  endpoints: VerifyEndpoints,
  checks: CheckResult[],
  totalMs: number,
  at = new Date(),
): VerifyReport {
  const passed =
    checks.length > 0 &&
    checks.every((c) => c.status === 'passed' || c.status === 'not-applicable') &&
    checks.some((c) => c.status === 'passed');
  return { target, at: at.toISOString(), endpoints, checks, passed, totalMs };
}

const MARK: Record<CheckResult['status'], string> = {
  passed: 'ok  ',
  failed: 'FAIL',
  'not-applicable': 'n/a ',
  'not-run': 'skip',
};

export function formatCheck(c: CheckResult): string {
  const time = c.status === 'passed' || c.status === 'failed' ? ` (${formatMs(c.ms)})` : '';
  const gap =
    c.kind === 'test-database-gap' ? ' [test-database gap: the database does not implement what OpenIM asked]' : '';
  return `${MARK[c.status]} ${c.title}${time}\n       ${c.detail}${gap}`;
}

/** The closing lines: totals and the addresses checked. */
export function formatSummary(r: VerifyReport): string {
  const counts = (s: CheckResult['status']) => r.checks.filter((c) => c.status === s).length;
  const gaps = r.checks.filter((c) => c.kind === 'test-database-gap').length;
  return (
    [
      `${r.passed ? 'passed' : 'FAILED'}: ${counts('passed')} passed, ${counts('failed')} failed${gaps ? ` (${gaps} test-database gap${gaps > 1 ? 's' : ''})` : ''}, ${counts('not-run')} not run, ${counts('not-applicable')} not applicable, in ${formatMs(r.totalMs)}`,
      `checked ${r.target}: API ${r.endpoints.api}, WebSocket ${r.endpoints.ws}${r.endpoints.chat ? `, chat ${r.endpoints.chat}, admin ${r.endpoints.admin}` : ''}, objects ${r.endpoints.objectStorage}`,
    ].join('\n') + '\n'
  );
}

export function problems(r: VerifyReport): string[] {
  return r.checks
    .filter((c) => c.status === 'failed' || c.status === 'not-run')
    .map((c) => `${c.id}: ${c.detail}${c.kind === 'test-database-gap' ? ' (test-database gap)' : ''}`);
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
