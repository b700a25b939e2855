#!/usr/bin/env bash
# Builds (once) the real software test:openim installs, from the Go module
# proxy and Maven Central, into ~/.cache/openim-deploy/<name>/. Idempotent: a
# finished build writes <dir>/.complete (with the recipe), written last, so an
# interrupted build is redone; a flock on <dir>.lock keeps two callers (CI's
# background start and the suite) from building the same thing at once: the
# second waits and then finds the stamp.
#
#   bash scripts/openim/build.sh server|chat|minio|mc|ferretdb|kafka|traefik|caddy|pebble|mongotools|all
#
# Products (paths printed by `bash scripts/openim/build.sh path <name>`):
#   server   exported_open-im-server_v3.8.3_linux_amd64.tar.gz  (`mage export` layout:
#            _output/bin/platforms/linux/amd64/, _output/bin/tools/linux/amd64/, config/, start-config.yml)
#   chat     exported_chat_v1.8.4_linux_amd64.tar.gz            (same layout)
#   minio    minio (the server binary, as dl.min.io ships it)
#   mc       mc (MinIO's client: the openim-minio chart's bucket Job runs it, test:k8s-real)
#   ferretdb ferretdb (v1.24.2 with patches/ferretdb-*.patch applied, see patches/README.md)
#   kafka    libs/ (the Kafka 3.9 broker jars and their dependencies)
#   traefik  traefik (the ingress controller the traefik chart runs: test:k8s-real sends verify through it)
#   caddy    caddy, caddy_<version>_linux_amd64.tar.gz (the reverse proxy the binary target runs in front of OpenIM: test:openim sends verify through it)
#   pebble   pebble, pebble-challtestsrv (Let's Encrypt's test ACME server and its DNS/HTTP mock: caddy's ACME test)
#   mongotools mongodump, mongorestore (MongoDB's database tools: `openim-deploy backup`/`restore` on hosts)
# Each folder also holds build-seconds (wall time of the build that made it).
#
# `go install pkg@version` is refused by this proxy, so every Go program is
# built from a scratch module (`go mod init`, `go get <pkg>@<version>`,
# `go build`). Builds run niced with -p 2 (2-core machine shared with others).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${OPENIM_BUILD_CACHE:-$HOME/.cache/openim-deploy}"
SERVER_VERSION=v3.8.3
CHAT_VERSION=v1.8.4
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
MC_VERSION=v0.0.0-20250313080218-cf909e1063a9
FERRETDB_VERSION=v1.24.2
KAFKA_VERSION=3.9.0
# traefik-38.0.0 Chart.yaml appVersion (the chart src/catalog/ingress.ts pins).
TRAEFIK_VERSION=v3.6.5
# src/catalog/proxy.ts CADDY.version (the binary target's reverse proxy).
CADDY_VERSION=v2.11.9
PEBBLE_VERSION=v2.10.3
# github.com/mongodb/mongo-tools has no semver tags (its tags are `100.18.0`, not `v100.18.0`), so the
# proxy refuses @latest and any tag name: this is the pseudo-version of the commit tagged 100.11.0
# (b8a566a7f38f, committed 2025-01-31 18:35:07 UTC), the MongoDB Database Tools 100.11.0 release.
# The proxy here serves it; the pseudo-versions of 100.12.0 .. 100.18.0 were refused (403) when tried.
MONGOTOOLS_VERSION=v0.0.0-20250131183507-b8a566a7f38f
MONGOTOOLS_RELEASE=100.11.0
SERVER_MOD=github.com/openimsdk/open-im-server/v3
CHAT_MOD=github.com/openimsdk/chat
# Bump a recipe when its build below changes, so caches are rebuilt.
declare -A RECIPE=([server]=1 [chat]=1 [minio]=1 [mc]=1 [ferretdb]=1 [kafka]=1 [traefik]=1 [caddy]=2 [pebble]=1 [mongotools]=1)
declare -A VERSION=([server]=$SERVER_VERSION [chat]=$CHAT_VERSION [minio]=$MINIO_VERSION [mc]=$MC_VERSION [ferretdb]=$FERRETDB_VERSION [kafka]=$KAFKA_VERSION [traefik]=$TRAEFIK_VERSION [caddy]=$CADDY_VERSION [pebble]=$PEBBLE_VERSION [mongotools]=$MONGOTOOLS_VERSION)

export GOFLAGS="${GOFLAGS:--buildvcs=false} -mod=mod"
export CGO_ENABLED=0
GOBUILD=(nice -n 10 go build -p 2 -trimpath -ldflags=-s\ -w)

log() { printf '[openim-build %s] %s\n' "${name:-}" "$*" >&2; }
dir_of() { printf '%s/%s/%s\n' "$CACHE" "$1" "${VERSION[$1]}"; }

# `go mod init` + `go get` of the given packages at the given version, in a fresh scratch module.
scratch_module() {
  local work=$1 modname=$2; shift 2
  rm -rf "$work" && mkdir -p "$work"
  (cd "$work" && go mod init "$modname" >/dev/null 2>&1 && nice -n 10 go get "$@" >&2)
}

# Packs STAGE (holding _output/, config/, start-config.yml) as a reproducible tar.gz.
pack_export() {
  local stage=$1 out=$2
  tar -czf "$out.tmp" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$stage" _output config start-config.yml
  mv "$out.tmp" "$out"
}

# server and chat: binaries and tools as `mage export` lays them out
# (gomake mageutil: _output/bin/platforms/<os>/<arch>, _output/bin/tools/<os>/<arch>),
# config/ and start-config.yml copied from the module.
build_openim() {
  local out=$1 mod=$2 version=$3 file=$4; shift 4
  local -a cmds=() tools=()
  while [[ $# -gt 0 && $1 != -- ]]; do cmds+=("$1"); shift; done
  shift
  tools=("$@")
  local work="$out/work" stage="$out/stage"
  local -a pkgs=()
  for p in "${cmds[@]}" "${tools[@]}"; do pkgs+=("$mod/$p@$version"); done
  scratch_module "$work" "local.openim-deploy/build-$(basename "$out")" "${pkgs[@]}"
  rm -rf "$stage"
  local bin="$stage/_output/bin/platforms/linux/amd64" tl="$stage/_output/bin/tools/linux/amd64"
  mkdir -p "$bin" "$tl"
  (cd "$work" && "${GOBUILD[@]}" -o "$bin/" "${cmds[@]/#/$mod/}")
  (cd "$work" && "${GOBUILD[@]}" -o "$tl/" "${tools[@]/#/$mod/}")
  local src
  src="$(cd "$work" && go list -m -f '{{.Dir}}' "$mod")"
  cp -r "$src/config" "$stage/config"
  cp "$src/start-config.yml" "$stage/start-config.yml"
  chmod -R u+w "$stage"
  pack_export "$stage" "$out/$file"
  rm -rf "$stage" "$work"
}

build_server() {
  # open-im-server@v3.8.3 start-config.yml: 12 serviceBinaries, toolBinaries check-free-memory, check-component, seq.
  build_openim "$1" "$SERVER_MOD" "$SERVER_VERSION" "exported_open-im-server_${SERVER_VERSION}_linux_amd64.tar.gz" \
    cmd/openim-api cmd/openim-crontask cmd/openim-msggateway cmd/openim-msgtransfer cmd/openim-push \
    cmd/openim-rpc/openim-rpc-auth cmd/openim-rpc/openim-rpc-conversation cmd/openim-rpc/openim-rpc-friend \
    cmd/openim-rpc/openim-rpc-group cmd/openim-rpc/openim-rpc-msg cmd/openim-rpc/openim-rpc-third cmd/openim-rpc/openim-rpc-user \
    -- tools/check-component tools/check-free-memory tools/seq
}

build_chat() {
  # chat@v1.8.4 start-config.yml: serviceBinaries chat-api, chat-rpc, admin-api, admin-rpc; toolBinaries check-component, attribute-to-credential.
  build_openim "$1" "$CHAT_MOD" "$CHAT_VERSION" "exported_chat_${CHAT_VERSION}_linux_amd64.tar.gz" \
    cmd/api/chat-api cmd/api/admin-api cmd/rpc/chat-rpc cmd/rpc/admin-rpc \
    -- tools/check-component tools/attribute-to-credential
}

build_minio() {
  local out=$1 work="$1/work"
  scratch_module "$work" local.openim-deploy/build-minio "github.com/minio/minio@$MINIO_VERSION"
  (cd "$work" && "${GOBUILD[@]}" -o "$out/minio" github.com/minio/minio)
  rm -rf "$work"
}

build_mc() {
  local out=$1 work="$1/work"
  scratch_module "$work" local.openim-deploy/build-mc "github.com/minio/mc@$MC_VERSION"
  (cd "$work" && "${GOBUILD[@]}" -o "$out/mc" github.com/minio/mc)
  rm -rf "$work"
}

build_traefik() {
  local out=$1 work="$1/work"
  rm -rf "$work" && mkdir -p "$work"
  # Traefik's own go.mod (v3.6.5) replaces three modules by Containous forks and excludes a
  # tencentcloud version; a go.mod that requires traefik must say the same to build it.
  (cd "$work" && go mod init local.openim-deploy/build-traefik >/dev/null 2>&1 && go mod edit \
    -replace github.com/abbot/go-http-auth=github.com/containous/go-http-auth@v0.4.1-0.20200324110947-a37a7636d23e \
    -replace github.com/gorilla/mux=github.com/containous/mux@v0.0.0-20250523120546-41b6ec3aed59 \
    -replace github.com/mailgun/minheap=github.com/containous/minheap@v0.0.0-20190809180810-6e71eb837595 \
    -exclude github.com/tencentcloud/tencentcloud-sdk-go@v3.0.83+incompatible &&
    nice -n 10 go get "github.com/traefik/traefik/v3/cmd/traefik@$TRAEFIK_VERSION" >&2)
  (cd "$work" && "${GOBUILD[@]}" -o "$out/traefik" github.com/traefik/traefik/v3/cmd/traefik)
  rm -rf "$work"
}

build_mongotools() {
  local out=$1 work="$1/work" mod=github.com/mongodb/mongo-tools
  scratch_module "$work" local.openim-deploy/build-mongotools "$mod/mongodump/main@$MONGOTOOLS_VERSION" "$mod/mongorestore/main@$MONGOTOOLS_VERSION"
  # Upstream's build stamps the release into main.VersionStr (what `--version` prints); the
  # package is named main/, so build each one to its tool name.
  local ld="-s -w -X main.VersionStr=$MONGOTOOLS_RELEASE -X main.GitCommit=${MONGOTOOLS_VERSION##*-}"
  (cd "$work" && nice -n 10 go build -p 2 -trimpath "-ldflags=$ld" -o "$out/mongodump" "$mod/mongodump/main")
  (cd "$work" && nice -n 10 go build -p 2 -trimpath "-ldflags=$ld" -o "$out/mongorestore" "$mod/mongorestore/main")
  rm -rf "$work"
}

build_caddy() {
  # Caddy's main package with its standard modules (what the release archives ship, without plugins).
  local out=$1 work="$1/work"
  scratch_module "$work" local.openim-deploy/build-caddy "github.com/caddyserver/caddy/v2/cmd/caddy@$CADDY_VERSION"
  (cd "$work" && "${GOBUILD[@]}" -o "$out/caddy" github.com/caddyserver/caddy/v2/cmd/caddy)
  # Packed as the release archive is (caddy at the top), the form binary.artifacts.caddy takes.
  tar -czf "$out/caddy_${CADDY_VERSION#v}_linux_amd64.tar.gz" --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$out" caddy
  rm -rf "$work"
}

build_pebble() {
  # pebble (the ACME server) and pebble-challtestsrv (answers pebble's DNS lookups for the test domain).
  local out=$1 work="$1/work"
  scratch_module "$work" local.openim-deploy/build-pebble \
    "github.com/letsencrypt/pebble/v2/cmd/pebble@$PEBBLE_VERSION" "github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@$PEBBLE_VERSION"
  (cd "$work" && "${GOBUILD[@]}" -o "$out/" github.com/letsencrypt/pebble/v2/cmd/pebble github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv)
  # pebble's own test CA (test/certs in the module): its TLS listener uses it, clients trust pebble.minica.pem.
  local src
  src="$(cd "$work" && go list -m -f '{{.Dir}}' github.com/letsencrypt/pebble/v2)"
  mkdir -p "$out/certs" && cp -r "$src/test/certs/." "$out/certs/" && chmod -R u+w "$out/certs"
  rm -rf "$work"
}

build_ferretdb() {
  local out=$1 src="$1/src"
  # FerretDB is built as its own main module (patched source), not from a scratch module.
  rm -rf "$src" "$out/dl" && mkdir -p "$out/dl"
  local zip
  zip="$(cd "$out/dl" && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  cp -r "$zip" "$src" && chmod -R u+w "$src"
  for p in "$here"/patches/ferretdb-*.patch; do
    log "applying $(basename "$p")"
    patch -d "$src" -p1 --forward --quiet <"$p"
  done
  # The module zip lacks build/version/version.txt (generated upstream by `task gen-version`);
  # build/version/version.go embeds it and panics at start when it is empty.
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && "${GOBUILD[@]}" -o "$out/ferretdb" ./cmd/ferretdb)
  rm -rf "$src" "$out/dl"
}

build_kafka() {
  # Kafka broker + tools jars and a log4j binding from Maven Central (as test/helm/kafka-kraft.test.ts fetches them).
  local out=$1 work="$1/maven"
  rm -rf "$work" "$out/libs" && mkdir -p "$work"
  local dep='<dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>'
  {
    echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
    echo '<groupId>local.openim-deploy</groupId><artifactId>kafka-libs</artifactId><version>1</version><dependencies>'
    printf "$dep" org.apache.kafka kafka_2.13 "$KAFKA_VERSION"
    printf "$dep" org.apache.kafka kafka-tools "$KAFKA_VERSION"
    printf "$dep" org.slf4j slf4j-reload4j 1.7.36
    echo '</dependencies></project>'
  } >"$work/pom.xml"
  (cd "$work" && nice -n 10 mvn -q -B dependency:copy-dependencies "-DoutputDirectory=$out/libs" >&2)
  rm -rf "$work"
}

need() {
  command -v "$1" >/dev/null || { log "missing $1: $2"; exit 1; }
}

build_one() {
  name=$1
  case "$name" in
    kafka) need mvn 'apt-get install -y maven openjdk-17-jre-headless' ;;
    ferretdb) need go 'install Go >= 1.24 (https://go.dev/dl/)'; need patch 'apt-get install -y patch' ;;
    *) need go 'install Go >= 1.24 (https://go.dev/dl/)' ;;
  esac
  local out
  out="$(dir_of "$name")"
  mkdir -p "$out"
  exec {lock}>"$out.lock"
  flock "$lock"
  if [[ -f "$out/.complete" ]] && grep -qx "recipe=${RECIPE[$name]}" "$out/.complete"; then
    log "cached: $out"
    exec {lock}>&-
    return 0
  fi
  rm -f "$out/.complete"
  log "building ${VERSION[$name]} into $out"
  local t0=$SECONDS
  "build_$name" "$out"
  echo $((SECONDS - t0)) >"$out/build-seconds"
  printf 'recipe=%s\n' "${RECIPE[$name]}" >"$out/.complete"
  log "done in $((SECONDS - t0)) s"
  exec {lock}>&-
}

case "${1:-}" in
  server | chat | minio | mc | ferretdb | kafka | traefik | caddy | pebble | mongotools) build_one "$1" ;;
  # Kafka first (network only), then the Go builds one after another (2 cores).
  # caddy and pebble before traefik: test:openim needs them, and runs before test:k8s-real (.ci/run).
  all) for n in kafka ferretdb server chat minio caddy pebble mongotools mc traefik; do build_one "$n"; done ;;
  path) dir_of "$2" ;;
  *) echo "usage: $0 server|chat|minio|mc|ferretdb|kafka|traefik|caddy|pebble|mongotools|all | path <name>" >&2; exit 2 ;;
esac
