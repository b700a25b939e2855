#!/usr/bin/env bash
# Builds the binaries of the loopback test cluster (issue #9) from Go modules:
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (k8s.io/kubernetes),
# etcd (go.etcd.io/etcd/server/v3) and kwok (sigs.k8s.io/kwok).
# With the argument `node` (issue #17, the real node): also kubelet and kube-proxy from the
# same k8s.io/kubernetes version and CoreDNS (github.com/coredns/coredns), plus the pause
# program compiled from the kubernetes module's own build/pause/linux/pause.c.
# Output: .cache/cluster/bin/ (git-ignored). A binary whose version stamp matches the
# pinned version is skipped, so a second run costs nothing.
# The Go caches are the usual ones (GOMODCACHE, GOCACHE), so a fresh clone on the
# same machine (CI) only relinks. Override the output with CLUSTER_CACHE=/path.
set -euo pipefail

K8S_VERSION=v1.34.4   # kube-* and kubectl; staging modules k8s.io/* are v0.34.4
ETCD_VERSION=v3.6.16  # k8s 1.34 needs etcd >= 3.5 (Debian's 3.4 is too old); it pins client v3.6.4
KWOK_VERSION=v0.8.0
COREDNS_VERSION=v1.15.0 # go.mod needs go 1.26.0 (github.com/coredns/coredns@v1.15.0/go.mod:5)
NODE=false
[[ ${1:-} == node ]] && NODE=true

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${CLUSTER_CACHE:-$ROOT/.cache/cluster}
BIN=$CACHE/bin
SRC=$CACHE/src
mkdir -p "$BIN" "$SRC"
# One build at a time per cache: .ci/run starts this script in the background at its top,
# and the suites that need the binaries call it again; the second caller waits here, then
# finds every binary fresh and skips it.
exec 9>"$CACHE/.build.lock"
flock 9

# Be nice to the shared 2-core machine; GOTOOLCHAIN=local fails loudly instead of
# fetching another Go if a module ever asks for one.
export GOTOOLCHAIN=${GOTOOLCHAIN:-local} GOFLAGS="${GOFLAGS:-} -mod=mod"
GOBUILD=(nice -n 10 go build -p 2 -trimpath)

log() { printf '[cluster:build] %s\n' "$*" >&2; }
fresh() { [[ -x $BIN/$1 && -f $BIN/.$1.version && $(<"$BIN/.$1.version") == "$2" ]]; }
stamp() { for b in "${@:2}"; do printf '%s' "$1" >"$BIN/.$b.version"; done; }

start=$SECONDS

# --- Kubernetes: a wrapper module, because k8s.io/kubernetes' own go.mod replaces the
# k8s.io/* staging modules with ./staging paths (ignored for a dependency) and requires
# them at v0.0.0, which is not a real version. We replace each with its published v0.X.Y.
k8s_bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
$NODE && k8s_bins+=(kubelet kube-proxy)
missing=()
for b in "${k8s_bins[@]}"; do fresh "$b" "$K8S_VERSION" || missing+=("$b"); done
if ((${#missing[@]})); then
  t=$SECONDS
  log "building ${missing[*]} $K8S_VERSION"
  dir=$SRC/kubernetes
  mkdir -p "$dir"
  staging=v0.${K8S_VERSION#v1.}
  modfile=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module openim-deploy.local/cluster-kubernetes"
    echo
    echo "go 1.24.0"
    echo
    echo "godebug default=go1.24 // as upstream's go.mod"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    awk -v v="$staging" '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print "\t" $1 " => " $1 " " v }' "$modfile" | sort -u
    echo ")"
  } >"$dir/go.mod.new"
  # Keep go.sum and the resolved go.mod when nothing changed.
  if ! cmp -s "$dir/go.mod.new" "$dir/go.mod.in" 2>/dev/null; then
    cp "$dir/go.mod.new" "$dir/go.mod.in"
    cp "$dir/go.mod.new" "$dir/go.mod"
    rm -f "$dir/go.sum"
  fi
  rm -f "$dir/go.mod.new"
  pkgs=()
  for b in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  # Stamp the real version (else the server says v0.0.0-master and chart kubeVersion checks
  # fail). component-base serves the kube-* binaries, client-go's copy serves kubectl.
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  ldflags="-s -w"
  for vpkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $vpkg.gitVersion=$K8S_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor"
    ldflags+=" -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$dir" && "${GOBUILD[@]}" -ldflags "$ldflags" -o "$BIN/" "${pkgs[@]}")
  stamp "$K8S_VERSION" "${missing[@]}"
  log "kubernetes built in $((SECONDS - t))s"
fi

# --- etcd: etcd's server module has replace directives, so `go install pkg@v` refuses it;
# building its main package as a dependency of a tiny module works (replaces ignored).
if ! fresh etcd "$ETCD_VERSION"; then
  t=$SECONDS
  log "building etcd $ETCD_VERSION"
  dir=$SRC/etcd
  mkdir -p "$dir"
  if ! grep -q "go.etcd.io/etcd/server/v3 $ETCD_VERSION" "$dir/go.mod" 2>/dev/null; then
    printf 'module openim-deploy.local/cluster-etcd\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$dir/go.mod"
    rm -f "$dir/go.sum"
  fi
  (cd "$dir" && "${GOBUILD[@]}" -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3)
  stamp "$ETCD_VERSION" etcd
  log "etcd built in $((SECONDS - t))s"
fi

# --- kwok: its go.mod has no replace directives, so a plain `go install pkg@version`.
if ! fresh kwok "$KWOK_VERSION"; then
  t=$SECONDS
  log "building kwok $KWOK_VERSION"
  GOBIN=$BIN nice -n 10 go install -p 2 -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  stamp "$KWOK_VERSION" kwok
  log "kwok built in $((SECONDS - t))s"
fi

# --- kwok's stages: the bare kwok binary has no default behaviour (kwokctl embeds it), so
# collect upstream's stage files of the same version: nodes become Ready and keep a lease,
# pods become Running/Ready (with IPs from the node's podCIDR), Job pods complete, and the
# "fast" volume stages act as a dynamic provisioner, moved from class 'kwok-volume' to our
# default 'standard' and to 'local-path': the installer's dev preset deploys
# local-path-provisioner, whose pod kwok only pretends to run, so kwok binds its claims too.
stages=$CACHE/kwok-stages.yaml
STAGES_ID="kwok $KWOK_VERSION, volume classes standard local-path"
if ! grep -qxF "# $STAGES_ID" "$stages" 2>/dev/null; then
  kdir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')/kustomize/stage
  {
    echo "# $STAGES_ID"
    for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
      pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete \
      volume/fast/pvc-provision volume/fast/pv-bind volume/fast/pvc-delete volume/fast/pv-delete; do
      echo "---"
      sed "s/storageClassName == 'kwok-volume'/storageClassName in ['standard', 'local-path']/g" "$kdir/$f.yaml"
    done
  } >"$stages.tmp"
  mv "$stages.tmp" "$stages"
fi

if $NODE; then
  # --- CoreDNS: its main package is the module root; built as a dependency like etcd.
  if ! fresh coredns "$COREDNS_VERSION"; then
    t=$SECONDS
    log "building coredns $COREDNS_VERSION"
    dir=$SRC/coredns
    mkdir -p "$dir"
    if ! grep -q "github.com/coredns/coredns $COREDNS_VERSION" "$dir/go.mod" 2>/dev/null; then
      printf 'module openim-deploy.local/cluster-coredns\n\ngo 1.26.0\n\nrequire github.com/coredns/coredns %s\n' "$COREDNS_VERSION" >"$dir/go.mod"
      rm -f "$dir/go.sum"
    fi
    (cd "$dir" && CGO_ENABLED=0 "${GOBUILD[@]}" -ldflags "-s -w" -o "$BIN/coredns" github.com/coredns/coredns)
    stamp "$COREDNS_VERSION" coredns
    log "coredns built in $((SECONDS - t))s"
  fi
  # --- hello: the test's own tiny HTTP server/client (test/cluster/hello), no dependencies.
  hello_id=$(cat "$ROOT/test/cluster/hello/main.go" "$ROOT/test/cluster/hello/go.mod" | sha256sum | cut -c1-16)
  if ! fresh hello "$hello_id"; then
    (cd "$ROOT/test/cluster/hello" && CGO_ENABLED=0 "${GOBUILD[@]}" -ldflags "-s -w" -o "$BIN/hello" .)
    stamp "$hello_id" hello
  fi
  # --- pause: the sandbox process of every pod. Compiled statically from the C file that
  # k8s.io/kubernetes ships (build/pause/linux/pause.c), the source of registry.k8s.io/pause.
  if ! fresh pause "$K8S_VERSION"; then
    kdir=$(cd "$SRC/kubernetes" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    command -v gcc >/dev/null || { log "gcc is missing: apt-get install gcc libc6-dev"; exit 1; }
    gcc -Os -static -Wall -Werror -DVERSION="$K8S_VERSION" -o "$BIN/pause" "$kdir/build/pause/linux/pause.c"
    strip "$BIN/pause"
    stamp "$K8S_VERSION" pause
  fi
fi

log "done in $((SECONDS - start))s: $(cd "$BIN" && ls | tr '\n' ' ')"
