// --ignore-preflight: the user has judged these preflight errors and accepts
// them. One rule for install, upgrade and the wizard: an ignored error is
// shown as a warning and no longer stops the run; warnings and ids that
// match nothing are left as they are.

import type { PreflightFinding } from '../errors.js';

export function ignorePreflightErrors(
  findings: readonly PreflightFinding[],
  ignored: Iterable<string> = [],
): PreflightFinding[] {
  const accepted = new Set(ignored);
  return findings.map((f) => (f.severity === 'error' && accepted.has(f.id) ? { ...f, severity: 'warn' as const } : f));
}
