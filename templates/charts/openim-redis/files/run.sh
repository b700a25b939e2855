#!/bin/sh
# Starts redis-server with the password from the environment (never written to
# the ConfigMap). In cluster mode each node announces its pod IP and its stable
# DNS name; clients (OpenIM) are redirected by name, so a pod that comes back
# with a new IP stays reachable.
set -eu

set -- redis-server /etc/redis/redis.conf --requirepass "${REDIS_PASSWORD}" --masterauth "${REDIS_PASSWORD}"
if [ "${REDIS_MODE}" = "cluster" ]; then
  set -- "$@" --cluster-announce-ip "${POD_IP}" --cluster-announce-hostname "${HOSTNAME}.${HEADLESS_DOMAIN}"
  # Peers may all have new IPs after a full restart: meet them again in the background.
  sh /scripts/meet.sh &
fi
exec docker-entrypoint.sh "$@"
