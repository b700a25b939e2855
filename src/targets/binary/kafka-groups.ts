// OpenIM's Kafka consumer groups, registered at the earliest offsets before
// OpenIM first starts (the same rule as the openim-kafka chart's topics Job,
// templates/charts/openim-kafka/files/create-topics.sh, which runs it in a pod).
//
// Why: OpenIM's consumers start at the newest offset when their group has no
// committed offset (openimsdk/tools mq/kafka/consumer_group.go: sarama.OffsetNewest),
// so whatever is produced before a group first joins is skipped: the first
// messages of a fresh install. A group that exists already (OpenIM ran before)
// is left alone: moving its offsets would deliver every retained message again.

import { HOST_ARCHIVES } from '../../catalog/host-artifacts.js';
import { KAFKA_CONSUMER_GROUPS } from '../../catalog/modules.js';
import type { ExecAction } from '../../plan/types.js';
import { perTopicToolActions } from './kafka-tool.js';

/**
 * `sh -c` program; its arguments come after it, never spliced into the text:
 * $1 kafka-consumer-groups.sh, $2 bootstrap servers, $3 group, $4 topic, then
 * the client options (--command-config FILE) if any.
 */
export const REGISTER_GROUP_SCRIPT = [
  'tool=$1 bootstrap=$2 group=$3 topic=$4',
  'shift 4',
  'existing=$("$tool" --bootstrap-server "$bootstrap" "$@" --list) || exit 1',
  'if printf \'%s\\n\' "$existing" | grep -qxF "$group"; then echo "group $group: exists, offsets left alone"; exit 0; fi',
  '"$tool" --bootstrap-server "$bootstrap" "$@" --group "$group" --topic "$topic" --reset-offsets --to-earliest --execute >/dev/null || exit 1',
  'echo "group $group: registered at the earliest offsets of $topic"',
].join('\n');

/** One action per OpenIM topic: its consumer group registered at the earliest offsets unless it exists. */
export function kafkaGroupActions(
  kafkaHome: string,
  bootstrap: string,
  logDir: string,
  commandConfig?: string,
): ExecAction[] {
  return perTopicToolActions(logDir, commandConfig, (topic, clientOptions) => [
    'sh',
    '-c',
    REGISTER_GROUP_SCRIPT,
    'register-group',
    `${kafkaHome}/${HOST_ARCHIVES.kafka.executables.groups}`,
    bootstrap,
    KAFKA_CONSUMER_GROUPS[topic],
    topic,
    ...clientOptions,
  ]);
}
