// How the plan runs one of Kafka's command-line tools on the host.

import { KAFKA_TOPICS } from '../../catalog/modules.js';
import type { ExecAction } from '../../plan/types.js';
import { exec } from '../../plan/actions.js';

/**
 * Runs a Kafka tool with LOG_DIR set to Kafka's log folder in its data
 * directory; without it the tools' start script (kafka-run-class.sh) logs
 * to a folder inside the install directory.
 */
function kafkaToolAction(logDir: string, argv: string[]): ExecAction {
  return exec(['env', `LOG_DIR=${logDir}`, ...argv], { timeoutSeconds: 120 });
}

/**
 * One Kafka tool run per OpenIM topic. `argv` gets the topic and the client
 * options: `--command-config FILE` when the broker wants one, else none.
 */
export function perTopicToolActions(
  logDir: string,
  commandConfig: string | undefined,
  argv: (topic: (typeof KAFKA_TOPICS)[number], clientOptions: string[]) => string[],
): ExecAction[] {
  const clientOptions = commandConfig ? ['--command-config', commandConfig] : [];
  return KAFKA_TOPICS.map((topic) => kafkaToolAction(logDir, argv(topic, clientOptions)));
}
