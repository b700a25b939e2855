// One wording for "kubectl cannot reach the cluster", whoever finds it:
// preflight (doctor, install) from `kubectl version`, and every day-two
// command (status, logs, verify, uninstall…) from the kubectl call that failed.

import { ClusterUnreachableError } from '../../errors.js';

export const UNREACHABLE_FIX = 'check kubectl config current-context, or pass --set kubernetes.context=NAME';

/**
 * What kubectl (client-go) and helm print when no API server answers: refused, unresolvable, timed out,
 * no cluster configured. Only their own wording: a webhook that refuses connections also says "dial tcp",
 * yet the API server answered.
 */
const UNREACHABLE =
  /The connection to the server .* was refused|Unable to connect to the server|couldn't get current server API group list|Kubernetes cluster unreachable|current-context is not set|context was not found/i;

export function isUnreachable(stderr: string): boolean {
  return UNREACHABLE.test(stderr);
}

/** kubectl's last line says it best ("The connection to the server … was refused"); the noise above it is client-go's log. */
function unreachableDetail(stderr: string): string {
  return stderr.trim().split('\n').filter(Boolean).pop() ?? '';
}

export function unreachableMessage(detail: string): string {
  return `cannot reach the Kubernetes API${detail ? `: ${detail}` : ''}`;
}

/** The error a day-two command ends with: what doctor shows, finding and fix, without the argv and log noise. */
export function unreachableError(stderr: string): ClusterUnreachableError {
  return new ClusterUnreachableError(
    `${unreachableMessage(unreachableDetail(stderr))}\n       fix: ${UNREACHABLE_FIX}`,
  );
}
