#!/usr/bin/env bash
# Prepares the conformance suite (npm run test:conformance), idempotently:
#  1. upstream's own config folder for each upstream version the suite checks,
#     from the Go module proxy (`go mod download -json MODULE@VERSION`; the
#     module's Dir holds config/*.yml), copied to
#     ~/.cache/openim-deploy/upstream-config/<module>@<version>/config/
#  2. the strict decoder test/conformance/decode (upstream's own config structs),
#     built to ~/.cache/openim-deploy/conformance/decode-<hash of its sources>.
# The versions are the two `require`s of test/conformance/decode/go.mod (one
# place; the test checks the catalog has them). Both steps are skipped when the
# stamped result is present, and guarded by flock so two runs never build at once.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${OPENIM_DEPLOY_CACHE:-$HOME/.cache/openim-deploy}
UPSTREAM=$CACHE/upstream-config
DECODER=$CACHE/conformance
DECODE_SRC=$ROOT/test/conformance/decode
mkdir -p "$UPSTREAM" "$DECODER"
export GOTOOLCHAIN=${GOTOOLCHAIN:-local} GOFLAGS="${GOFLAGS:-} -mod=mod"
log() { printf '[conformance:prepare] %s\n' "$*" >&2; }
command -v go >/dev/null || { log 'go is missing: install Go >= 1.22 (https://go.dev/dl/)'; exit 1; }
command -v flock >/dev/null || { log 'flock is missing: apt-get install util-linux'; exit 1; }

# MODULE VERSION pairs from the decoder's go.mod.
mapfile -t modules < <(awk '$1 ~ /^github\.com\/openimsdk\/(open-im-server\/v3|chat)$/ && $2 ~ /^v/ { print $1 " " $2 }' "$DECODE_SRC/go.mod")
if ((${#modules[@]} != 2)); then
  log "expected the open-im-server/v3 and chat requires in $DECODE_SRC/go.mod, found ${#modules[@]}"
  exit 1
fi

for entry in "${modules[@]}"; do
  read -r mod ver <<<"$entry"
  dest=$UPSTREAM/${mod//\//+}@$ver
  if [[ -f $dest/.stamp && $(<"$dest/.stamp") == "$mod@$ver" ]]; then continue; fi
  (
    flock 9
    [[ -f $dest/.stamp && $(<"$dest/.stamp") == "$mod@$ver" ]] && exit 0
    log "fetching $mod@$ver from the Go module proxy"
    scratch=$UPSTREAM/.scratch
    mkdir -p "$scratch"
    [[ -f $scratch/go.mod ]] || printf 'module openim-deploy.local/upstream-config\n\ngo 1.22\n' >"$scratch/go.mod"
    json=$(cd "$scratch" && go mod download -json "$mod@$ver")
    dir=$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
    if [[ -z $dir || ! -d $dir/config ]]; then
      log "go mod download gave no config/ folder for $mod@$ver: $json"
      exit 1
    fi
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/config"
    cp "$dir"/config/*.yml "$dest.tmp/config/"
    chmod -R u+w "$dest.tmp"
    printf '%s' "$mod@$ver" >"$dest.tmp/.stamp"
    rm -rf "$dest" && mv "$dest.tmp" "$dest"
  ) 9>"$UPSTREAM/.lock"
done

hash=$(cat "$DECODE_SRC/go.mod" "$DECODE_SRC/go.sum" "$DECODE_SRC"/*.go | sha256sum | cut -c1-16)
bin=$DECODER/decode-$hash
if [[ ! -x $bin ]]; then
  (
    flock 9
    [[ -x $bin ]] && exit 0
    log "building the strict decoder ($hash)"
    t=$SECONDS
    (cd "$DECODE_SRC" && nice -n 10 go build -p 2 -trimpath -o "$bin.tmp" .)
    mv "$bin.tmp" "$bin"
    log "decoder built in $((SECONDS - t))s"
  ) 9>"$DECODER/.lock"
fi
