#!/bin/sh
# Post-install/post-upgrade hook: creates OpenIM's bucket. Idempotent
# (--ignore-existing). Credentials come from the environment.
set -eu
export MC_CONFIG_DIR=/tmp/.mc

attempt=0
until mc alias set openim "${MINIO_ENDPOINT}" "${MINIO_ROOT_USER}" "${MINIO_ROOT_PASSWORD}" > /dev/null 2>&1 && mc ls openim > /dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "${attempt}" -ge 60 ]; then echo "MinIO at ${MINIO_ENDPOINT} did not answer" >&2; exit 1; fi
  echo "waiting for MinIO at ${MINIO_ENDPOINT}"; sleep 5
done
mc mb --ignore-existing "openim/${BUCKET}"
echo "bucket ${BUCKET} ready"
