#!/bin/bash
# Post-install/post-upgrade hook: creates OpenIM's topics (the server never
# does: open-im-server issues #2694, #2726). Idempotent: --if-not-exists, and a topic with
# fewer partitions than wanted is grown (Kafka cannot shrink one).
set -euo pipefail
BIN=/opt/kafka/bin
CONFIG=/tmp/client.properties

: > "${CONFIG}"
if [ "${SECURITY_PROTOCOL}" != "PLAINTEXT" ]; then
  echo "security.protocol=${SECURITY_PROTOCOL}" >> "${CONFIG}"
fi
if [ -n "${SASL_USERNAME:-}" ]; then
  # OpenIM's client (sarama) authenticates with SASL/PLAIN.
  echo "sasl.mechanism=PLAIN" >> "${CONFIG}"
  echo "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"${SASL_USERNAME}\" password=\"${SASL_PASSWORD}\";" >> "${CONFIG}"
fi
topics() { "${BIN}/kafka-topics.sh" --bootstrap-server "${BOOTSTRAP}" --command-config "${CONFIG}" "$@"; }

attempt=0
until "${BIN}/kafka-broker-api-versions.sh" --bootstrap-server "${BOOTSTRAP}" --command-config "${CONFIG}" > /dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "${attempt}" -ge 60 ]; then echo "Kafka at ${BOOTSTRAP} did not answer" >&2; exit 1; fi
  echo "waiting for Kafka at ${BOOTSTRAP}"; sleep 5
done

replication=()
# 0: leave it to the broker's default.replication.factor (an external Kafka of unknown size).
if [ "${REPLICATION_FACTOR}" != "0" ]; then replication=(--replication-factor "${REPLICATION_FACTOR}"); fi

for spec in ${TOPICS}; do
  name="${spec%%:*}"
  partitions="${spec##*:}"
  topics --create --if-not-exists --topic "${name}" --partitions "${partitions}" "${replication[@]}"
  current=$(topics --describe --topic "${name}" | sed -n 's/.*PartitionCount: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
  if [ -n "${current}" ] && [ "${current}" -lt "${partitions}" ]; then
    echo "topic ${name}: growing from ${current} to ${partitions} partitions"
    topics --alter --topic "${name}" --partitions "${partitions}"
  fi
  echo "topic ${name}: ${partitions} partitions"
done

# OpenIM's consumers start at the newest offset when their group has committed none
# (openimsdk/tools mq/kafka/consumer_group.go: sarama.OffsetNewest), so whatever is produced
# before a group first joins is skipped: the first messages of a fresh install. A group that
# does not exist yet gets committed offsets at the start of its topic; an existing group
# (OpenIM ran before) is left alone: moving its offsets would deliver messages twice.
groups() { "${BIN}/kafka-consumer-groups.sh" --bootstrap-server "${BOOTSTRAP}" --command-config "${CONFIG}" "$@"; }
existing=$(groups --list)
for pair in ${CONSUMER_GROUPS:-}; do
  group="${pair%%:*}"
  topic="${pair##*:}"
  if printf '%s\n' "${existing}" | grep -qxF "${group}"; then
    echo "group ${group}: exists, offsets left alone"
  else
    groups --group "${group}" --topic "${topic}" --reset-offsets --to-earliest --execute > /dev/null
    echo "group ${group}: registered at the earliest offsets of ${topic}"
  fi
done
