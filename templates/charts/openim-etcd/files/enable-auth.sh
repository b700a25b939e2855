#!/bin/sh
# Turns etcd authentication on once: root user and role, then auth enable.
# Talks to etcd's JSON gateway (/v3/...) with wget, so it needs no etcdctl.
# Idempotent: when root can already log in, it changes nothing.
# Env: ETCD_URL (http://host:port), ETCD_ROOT_PASSWORD.
set -eu

esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
post() { wget -q -O - --header 'Content-Type: application/json' --post-data "$2" "$ETCD_URL/v3/$1"; }
LOGIN="{\"name\":\"root\",\"password\":\"$(esc "$ETCD_ROOT_PASSWORD")\"}"

tries=0
until wget -q -O /dev/null "$ETCD_URL/version"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 150 ]; then echo "etcd at $ETCD_URL did not answer" >&2; exit 1; fi
  sleep 2
done

if post auth/authenticate "$LOGIN" 2>/dev/null | grep -q '"token"'; then
  echo "etcd authentication is already on"
  exit 0
fi

post auth/user/add "$LOGIN" >/dev/null 2>&1 || echo "user root exists already"
post auth/role/add '{"name":"root"}' >/dev/null 2>&1 || echo "role root exists already"
# Both fail when authentication is already on with another root password: the check below says so.
post auth/user/grant '{"user":"root","role":"root"}' >/dev/null 2>&1 || true
post auth/enable '{}' >/dev/null 2>&1 || true

if ! post auth/authenticate "$LOGIN" 2>/dev/null | grep -q '"token"'; then
  echo "root cannot log in to etcd with the password from the Secret: authentication was turned on earlier with another password (keep the old Secret, or delete the etcd data volume)" >&2
  exit 1
fi
echo "etcd authentication enabled"
