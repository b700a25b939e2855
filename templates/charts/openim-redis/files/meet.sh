#!/bin/sh
# Best effort, after a restart: CLUSTER MEET every peer at the IP its DNS name
# has now. A node already known under another address is only updated, so this
# is harmless when nothing moved. Skipped until the cluster has been created.
export REDISCLI_AUTH="${REDIS_PASSWORD}"
cli() { redis-cli -h "${POD_IP}" -p "${REDIS_PORT}" "$@"; }

i=0
until [ "$(cli ping 2>/dev/null)" = "PONG" ]; do
  i=$((i + 1)); [ "$i" -ge 60 ] && exit 0; sleep 2
done
known=$(cli cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')
[ "${known:-1}" -gt 1 ] || exit 0

n=0
while [ "$n" -lt "${REDIS_NODES}" ]; do
  peer="${STATEFULSET}-${n}.${HEADLESS_DOMAIN}"
  n=$((n + 1))
  [ "${peer}" = "${HOSTNAME}.${HEADLESS_DOMAIN}" ] && continue
  try=0
  while [ "$try" -lt 24 ]; do
    ip=$(getent hosts "${peer}" | cut -d' ' -f1)
    if [ -n "${ip}" ] && cli cluster meet "${ip}" "${REDIS_PORT}" "${REDIS_BUS_PORT}" >/dev/null 2>&1; then
      break
    fi
    try=$((try + 1)); sleep 5
  done
done
