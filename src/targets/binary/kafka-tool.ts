// How the plan runs one of Kafka's command-line tools on the host.

import type { ExecAction } from '../../plan/types.js';

/**
 * Runs a Kafka tool with LOG_DIR set to Kafka's log folder in its data
 * directory; without it the tools' start script (kafka-run-class.sh) logs
 * to a folder inside the install directory.
 */
export function kafkaToolAction(logDir: string, argv: string[]): ExecAction {
  return {
    kind: 'exec',
    argv: ['env', `LOG_DIR=${logDir}`, ...argv],
    mutates: true,
    timeoutSeconds: 120,
  };
}
