#!/bin/bash
# Starts mongod through the official entrypoint (which creates the root user on
# an empty data directory). Secrets arrive as environment variables only.
set -euo pipefail

args=(mongod --bind_ip_all --port "${MONGO_PORT}")
if [ -n "${REPLICA_SET:-}" ]; then
  # mongod refuses a keyFile readable by group or others; a Secret volume with
  # fsGroup is group-readable, so copy it to a private file first.
  install -m 0400 /keyfile/keyfile /auth/keyfile
  args+=(--replSet "${REPLICA_SET}" --keyFile /auth/keyfile)
  # Only member 0 bootstraps the root user. The others start empty and receive
  # the users by initial sync once the setup Job has initiated the set.
  if [ "${HOSTNAME##*-}" != "0" ]; then
    unset MONGO_INITDB_ROOT_USERNAME MONGO_INITDB_ROOT_PASSWORD
  fi
else
  args+=(--auth)
fi
exec docker-entrypoint.sh "${args[@]}"
