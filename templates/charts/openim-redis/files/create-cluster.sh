#!/bin/sh
# Post-install/post-upgrade hook: creates the Redis Cluster once every node
# answers. Idempotent: an existing cluster (all 16384 slots assigned) is left
# alone; a half-made one stops the Job with instructions instead of guessing.
set -eu
export REDISCLI_AUTH="${REDIS_PASSWORD}"

addresses=""
n=0
while [ "$n" -lt "${REDIS_NODES}" ]; do
  host="${STATEFULSET}-${n}.${HEADLESS_DOMAIN}"
  until [ "$(redis-cli -h "${host}" -p "${REDIS_PORT}" ping 2>/dev/null)" = "PONG" ]; do
    echo "waiting for ${host}"; sleep 3
  done
  ip=$(getent hosts "${host}" | cut -d' ' -f1)
  addresses="${addresses} ${ip}:${REDIS_PORT}"
  n=$((n + 1))
done

first="${STATEFULSET}-0.${HEADLESS_DOMAIN}"
slots=$(redis-cli -h "${first}" -p "${REDIS_PORT}" cluster info | tr -d '\r' | sed -n 's/^cluster_slots_assigned://p')
if [ "${slots}" = "16384" ]; then
  echo "cluster already created"
  exit 0
fi
if [ "${slots}" != "0" ]; then
  echo "cluster is partly created (${slots} slots assigned): repair it with redis-cli --cluster fix ${first}:${REDIS_PORT}" >&2
  exit 1
fi

echo "creating cluster:${addresses} with ${REDIS_CLUSTER_REPLICAS} replica(s) per master"
# shellcheck disable=SC2086 # one argument per address
redis-cli --cluster create ${addresses} --cluster-replicas "${REDIS_CLUSTER_REPLICAS}" --cluster-yes

i=0
until [ "$(redis-cli -h "${first}" -p "${REDIS_PORT}" cluster info | tr -d '\r' | sed -n 's/^cluster_state://p')" = "ok" ]; do
  i=$((i + 1)); [ "$i" -ge 60 ] && { echo "cluster state not ok after 3 minutes" >&2; exit 1; }
  sleep 3
done
echo "cluster ok"
