#!/bin/bash
# Runs the openim-redis chart's own scripts (run.sh, create-cluster.sh,
# meet.sh, rendered by helm into $1) against six real redis-server processes on
# loopback addresses, inside a private mount namespace whose /etc/hosts maps
# the pods' DNS names. Then moves every "pod" to a new IP at once, as a full
# restart on Kubernetes would, and expects the cluster to heal by itself.
# Usage: unshare --mount --propagation private bash redis-cluster-scenario.sh DIR HEADLESS_DOMAIN
#   (HEADLESS_DOMAIN as rendered into the StatefulSet, e.g. openim-redis-headless.openim.svc)
set -euo pipefail
DIR=$1
NODES=6
PASSWORD=scenario-password
DOMAIN=$2
export REDIS_PORT=6379 REDIS_BUS_PORT=16379 REDIS_NODES=$NODES STATEFULSET=openim-redis HEADLESS_DOMAIN=$DOMAIN
export REDIS_PASSWORD=$PASSWORD REDISCLI_AUTH=$PASSWORD REDIS_CLUSTER_REPLICAS=1 REDIS_MODE=cluster

cp /etc/hosts "$DIR/hosts.orig"
cp "$DIR/hosts.orig" "$DIR/hosts"
mount --bind "$DIR/hosts" /etc/hosts
map_hosts() { # $1: third octet of this round's addresses
  { cat "$DIR/hosts.orig"; for n in $(seq 0 $((NODES - 1))); do echo "127.0.$1.$((n + 1)) $STATEFULSET-$n.$DOMAIN"; done; } > "$DIR/hosts"
}

# The image's entrypoint execs redis-server as the non-root user; here it also
# gives each process its own address and data directory (a pod has both).
mkdir -p "$DIR/bin"
cat > "$DIR/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
exec "$@" --bind "$POD_IP" --dir "$NODE_DIR" --cluster-config-file "$NODE_DIR/nodes.conf" --logfile "$NODE_DIR/redis.log" --daemonize no
SH
chmod +x "$DIR/bin/docker-entrypoint.sh"
# run.sh reads the chart's ConfigMap at /etc/redis and /scripts in the pod, and
# the data volume is /data there; point those paths into $DIR.
sed -e "s|/etc/redis/redis.conf|$DIR/redis-local.conf|" -e "s|/scripts/meet.sh|$DIR/meet.sh|" "$DIR/run.sh" > "$DIR/run-local.sh"
sed -e "s|^dir /data$|dir $DIR|" "$DIR/redis.conf" > "$DIR/redis-local.conf"

start_nodes() { # $1: third octet
  for n in $(seq 0 $((NODES - 1))); do
    mkdir -p "$DIR/node$n"
    PATH="$DIR/bin:$PATH" HOSTNAME="$STATEFULSET-$n" POD_IP="127.0.$1.$((n + 1))" NODE_DIR="$DIR/node$n" \
      setsid sh "$DIR/run-local.sh" > "$DIR/node$n/stdout" 2>&1 &
    echo $! > "$DIR/node$n/pid"
  done
}
stop_nodes() { # like deleting every pod at once: the processes go, the volumes stay
  for n in $(seq 0 $((NODES - 1))); do
    pid=$(cat "$DIR/node$n/pid" 2>/dev/null || true)
    # run.sh execs redis-server, so the recorded pid is the server itself.
    if [ -n "$pid" ]; then kill "$pid" 2> /dev/null || true; fi
  done
  for n in $(seq 0 $((NODES - 1))); do
    pid=$(cat "$DIR/node$n/pid" 2>/dev/null || true)
    while [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; do sleep 0.2; done
    rm -f "$DIR/node$n/pid"
  done
}
trap stop_nodes EXIT
state_ok() {
  for n in $(seq 0 $((NODES - 1))); do
    [ "$(redis-cli -h "$STATEFULSET-$n.$DOMAIN" -p $REDIS_PORT cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p')" = ok ] || return 1
  done
}
# Every node sees all six at their current addresses, linked and not failed.
# (cluster_state alone says ok for a while after a restart: failures are only
# detected after cluster-node-timeout.)
links_ok() { # $1: third octet of the current addresses
  for n in $(seq 0 $((NODES - 1))); do
    table=$(redis-cli -h "$STATEFULSET-$n.$DOMAIN" -p $REDIS_PORT cluster nodes 2>/dev/null | tr -d '\r') || return 1
    [ "$(printf '%s\n' "$table" | grep -c " 127\.0\.$1\.[0-9]*:$REDIS_PORT@$REDIS_BUS_PORT,$STATEFULSET-[0-9]*\.$DOMAIN .* connected")" = "$NODES" ] || return 1
    if printf '%s\n' "$table" | grep -q -E ' [^ ]*fail[^ ]* '; then return 1; fi
  done
}

echo "== round 1: addresses 127.0.1.x"
map_hosts 1
start_nodes 1
sh "$DIR/create-cluster.sh"
echo "== create again (must be a no-op)"
sh "$DIR/create-cluster.sh"
redis-cli -c -h "$STATEFULSET-0.$DOMAIN" -p $REDIS_PORT set openim:scenario kept > /dev/null
for key in a b c d e f g h; do redis-cli -c -h "$STATEFULSET-0.$DOMAIN" -p $REDIS_PORT set "openim:$key" "$key" > /dev/null; done
echo "slots endpoints: $(redis-cli -h "$STATEFULSET-0.$DOMAIN" -p $REDIS_PORT cluster shards | grep -c "$DOMAIN") hostname entries"

echo "== round 2: every pod restarted with a new address (127.0.2.x)"
stop_nodes
map_hosts 2
start_nodes 2
# Past the failure-detection window first, so a stale view cannot pass for a healed one.
sleep 12
for i in $(seq 1 60); do
  if links_ok 2 && state_ok; then break; fi
  sleep 2
done
if ! { links_ok 2 && state_ok; }; then
  echo "cluster did not heal"
  redis-cli -h "$STATEFULSET-0.$DOMAIN" -p $REDIS_PORT cluster nodes
  exit 1
fi
echo "cluster healed: $(redis-cli -h "$STATEFULSET-0.$DOMAIN" -p $REDIS_PORT cluster info | tr -d '\r' | grep -E '^cluster_(state|known_nodes|slots_ok)' | tr '\n' ' ')"
value=$(redis-cli -c -h "$STATEFULSET-3.$DOMAIN" -p $REDIS_PORT get openim:scenario)
[ "$value" = kept ] || { echo "data lost: got '$value'"; exit 1; }
echo "data kept across the move"
echo "SCENARIO OK"
