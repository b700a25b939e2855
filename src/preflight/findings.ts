// How a target's preflight checks collect their findings: a list, and one
// function per severity that adds to it (a fix only where there is one).

import type { PreflightFinding } from '../errors.js';

type AddFinding = (id: string, message: string, fix?: string) => void;

export function findingList(): { findings: PreflightFinding[]; error: AddFinding; warn: AddFinding } {
  const findings: PreflightFinding[] = [];
  const add =
    (severity: PreflightFinding['severity']): AddFinding =>
    (id, message, fix) => {
      findings.push({ id, severity, message, ...(fix ? { fix } : {}) });
    };
  return { findings, error: add('error'), warn: add('warn') };
}
