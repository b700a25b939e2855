#!/bin/bash
# Runs the openim-kafka chart as helm rendered it (each node's container
# command and environment, the topics Job's script and environment) on real
# Kafka jars: three KRaft nodes on loopback addresses inside a private mount
# namespace whose /etc/hosts plays the cluster DNS. The image's start-up
# (KafkaDockerWrapper: KAFKA_* variables → server.properties, storage format)
# runs from the same jars.
# Usage: unshare --mount --propagation private bash kafka-kraft-scenario.sh DIR LIBS
#   DIR/node<N>.env    the node's environment (KEY=VALUE lines), DIR/node.command its command
#   DIR/topics.env     the topics Job's environment, DIR/create-topics.sh its script
#   DIR/register-group.sh  the binary target's consumer-group registration program (sh -c text)
set -euo pipefail
DIR=$1
LIBS=$2
NODES=$(ls "$DIR"/node*.env | wc -l)
DOMAIN=$(sed -n 's/^HEADLESS_DOMAIN=//p' "$DIR/scenario.env")
STATEFULSET=$(sed -n 's/^STATEFULSET=//p' "$DIR/scenario.env")

cp /etc/hosts "$DIR/hosts"
for n in $(seq 0 $((NODES - 1))); do echo "127.0.3.$((n + 1)) $STATEFULSET-$n.$DOMAIN" >> "$DIR/hosts"; done
mount --bind "$DIR/hosts" /etc/hosts

# Stand-ins for the image's files: /etc/kafka/docker/run (configure + launch)
# and the /opt/kafka/bin tools, on the same jars.
mkdir -p "$DIR/bin" "$DIR/defaults"
printf 'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%%d] %%p %%m (%%c)%%n\n' > "$DIR/defaults/log4j.properties"
cp "$DIR/defaults/log4j.properties" "$DIR/defaults/tools-log4j.properties"
cat > "$DIR/bin/docker-run" <<SH
#!/bin/bash
set -euo pipefail
[ -n "\${CLUSTER_ID:-}" ] || { echo "CLUSTER_ID environment variable not set"; exit 1; }
mkdir -p "\$NODE_DIR/config" "\$NODE_DIR/mounted"
if ! out=\$(java -Dlog4j.configuration=file:$DIR/defaults/tools-log4j.properties -cp "$LIBS/*" kafka.docker.KafkaDockerWrapper setup --default-configs-dir $DIR/defaults --mounted-configs-dir "\$NODE_DIR/mounted" --final-configs-dir "\$NODE_DIR/config" 2>&1); then
  echo "\$out" | grep -qi "already formatted" || { echo "\$out"; exit 1; }
fi
exec java \$KAFKA_HEAP_OPTS -Dlog4j.configuration=file:$DIR/defaults/log4j.properties -cp "$LIBS/*" kafka.Kafka "\$NODE_DIR/config/server.properties"
SH
printf '#!/bin/sh\nexec java -Xmx256m -Dlog4j.configuration=file:%s/defaults/tools-log4j.properties -cp "%s/*" org.apache.kafka.tools.TopicCommand "$@"\n' "$DIR" "$LIBS" > "$DIR/bin/kafka-topics.sh"
printf '#!/bin/sh\nexec java -Xmx256m -Dlog4j.configuration=file:%s/defaults/tools-log4j.properties -cp "%s/*" kafka.admin.BrokerApiVersionsCommand "$@"\n' "$DIR" "$LIBS" > "$DIR/bin/kafka-broker-api-versions.sh"
printf '#!/bin/sh\nexec java -Xmx256m -Dlog4j.configuration=file:%s/defaults/tools-log4j.properties -cp "%s/*" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"\n' "$DIR" "$LIBS" > "$DIR/bin/kafka-consumer-groups.sh"
printf '#!/bin/sh\nexec java -Xmx256m -Dlog4j.configuration=file:%s/defaults/tools-log4j.properties -cp "%s/*" kafka.tools.ConsoleProducer "$@"\n' "$DIR" "$LIBS" > "$DIR/bin/kafka-console-producer.sh"
printf '#!/bin/sh\nexec java -Xmx256m -Dlog4j.configuration=file:%s/defaults/tools-log4j.properties -cp "%s/*" org.apache.kafka.tools.consumer.ConsoleConsumer "$@"\n' "$DIR" "$LIBS" > "$DIR/bin/kafka-console-consumer.sh"
chmod +x "$DIR"/bin/*

stop_nodes() {
  for n in $(seq 0 $((NODES - 1))); do
    pid=$(cat "$DIR/node$n/pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then kill "$pid" 2> /dev/null || true; fi
  done
  for n in $(seq 0 $((NODES - 1))); do
    pid=$(cat "$DIR/node$n/pid" 2>/dev/null || true)
    while [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; do sleep 0.2; done
  done
}
trap stop_nodes EXIT

# The rendered container command, with the image paths pointed into DIR.
command=$(sed -e "s|/var/lib/kafka/data|\$NODE_DIR/data|g" -e "s|/etc/kafka/docker/run|$DIR/bin/docker-run|" "$DIR/node.command")
for n in $(seq 0 $((NODES - 1))); do
  mkdir -p "$DIR/node$n"
  mapfile -t vars < "$DIR/node$n.env"
  # A pod has its own IP: each node listens on its own loopback address (the only change to its environment).
  env -i PATH="$PATH" HOME="$DIR" NODE_DIR="$DIR/node$n" "${vars[@]}" \
    KAFKA_LISTENERS="PLAINTEXT://127.0.3.$((n + 1)):9092,CONTROLLER://127.0.3.$((n + 1)):9093" \
    KAFKA_LOG_DIRS="$DIR/node$n/data/logs" \
    setsid bash -c "$command" > "$DIR/node$n/stdout" 2>&1 &
  echo $! > "$DIR/node$n/pid"
done

# Like the startup probes: every node listening, or stop early when one died.
for i in $(seq 1 90); do
  up=0
  for n in $(seq 0 $((NODES - 1))); do
    if ! kill -0 "$(cat "$DIR/node$n/pid")" 2> /dev/null; then echo "node $n exited:"; tail -20 "$DIR/node$n/stdout"; exit 1; fi
    if (exec 3<> "/dev/tcp/127.0.3.$((n + 1))/9092") 2> /dev/null; then up=$((up + 1)); fi
  done
  [ "$up" = "$NODES" ] && break
  sleep 2
done
echo "== $up of $NODES nodes listening"

# The topics Job: its script and environment as rendered.
sed -e "s|^BIN=.*|BIN=$DIR/bin|" -e "s|^CONFIG=.*|CONFIG=$DIR/client.properties|" "$DIR/create-topics.sh" > "$DIR/create-topics-local.sh"
mapfile -t job < "$DIR/topics.env"
echo "== topics job"
env -i PATH="$PATH" HOME="$DIR" "${job[@]}" bash "$DIR/create-topics-local.sh"
bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$DIR/topics.env")
# A message produced before OpenIM's msgtransfer first joins its group (redis): a consumer
# that starts at the newest offset when its group has none, as OpenIM's do, must still get it.
echo "first-message-$$" | "$DIR/bin/kafka-console-producer.sh" --bootstrap-server "$bootstrap" --topic toRedis > /dev/null
echo "== consumed by group redis (auto.offset.reset=latest): $("$DIR/bin/kafka-console-consumer.sh" --bootstrap-server "$bootstrap" --topic toRedis --group redis --consumer-property auto.offset.reset=latest --max-messages 1 --timeout-ms 60000 2> /dev/null)"
echo "== topics job again (idempotent)"
env -i PATH="$PATH" HOME="$DIR" "${job[@]}" bash "$DIR/create-topics-local.sh"
# The binary target's own registration program (src/targets/binary/kafka-groups.ts), on the same brokers.
echo "== binary target's registration, twice: $(sh -c "$(cat "$DIR/register-group.sh")" register-group "$DIR/bin/kafka-consumer-groups.sh" "$bootstrap" binary-target-check toMongo 2> /dev/null) / $(sh -c "$(cat "$DIR/register-group.sh")" register-group "$DIR/bin/kafka-consumer-groups.sh" "$bootstrap" binary-target-check toMongo 2> /dev/null)"
echo "== group redis after the second run"
"$DIR/bin/kafka-consumer-groups.sh" --bootstrap-server "$bootstrap" --describe --group redis 2> /dev/null | awk '$2 == "toRedis" { sum += $4 } END { print "committed toRedis offsets: " sum }'

echo "== describe"
"$DIR/bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --describe | grep -E 'PartitionCount' | sed -E 's/\s+/ /g; s/TopicId: [^ ]+ //; s/Configs:.*//'
echo "== brokers as clients see them"
"$DIR/bin/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" | grep -o "^[^ ]* (id: [0-9]*" | sort
echo "SCENARIO OK"
