// The status verdict shared by both targets: journal counts, health and the
// list of problems `status` prints and exits non-zero on.

import type { DeploySpec } from '../../config/schema.js';
import type { DeployState } from '../../state/types.js';
import type { ComponentStatus, StatusReport } from './types.js';
import { installScope } from '../../config/scope.js';

/** Shared by both targets: journal counts, health verdict and problem list. */
export function assembleReport(
  spec: DeploySpec,
  state: DeployState,
  components: ComponentStatus[],
  urls: StatusReport['urls'],
  now: Date,
): StatusReport {
  const entries = Object.values(state.steps);
  const count = (s: string) => entries.filter((e) => e.status === s).length;
  const journal = {
    done: count('done'),
    failed: count('failed'),
    interrupted: count('interrupted'),
    started: count('started'),
    total: entries.length,
  };
  const problems: string[] = [];
  if (entries.length === 0) problems.push('nothing installed yet (no journal)');
  for (const c of components) {
    if (c.healthy) continue;
    problems.push(`${c.name}: ${c.ready}/${c.desired} ready${c.waiting ? `, ${c.waiting}` : ''}`);
  }
  if (journal.failed + journal.interrupted + journal.started > 0)
    problems.push(
      `the last run did not finish (${journal.failed} failed, ${journal.interrupted + journal.started} interrupted steps): re-run install`,
    );
  const report: StatusReport = {
    target: spec.target,
    scope: installScope(spec),
    at: now.toISOString(),
    components,
    urls,
    journal,
    healthy: problems.length === 0,
    problems,
  };
  if (state.installed)
    report.installed = { serverVersion: state.installed.serverVersion, chatVersion: state.installed.chatVersion };
  return report;
}
