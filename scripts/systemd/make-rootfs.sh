#!/usr/bin/env bash
# Builds (once) the cached Debian bookworm rootfs that test/systemd boots with
# systemd-nspawn. Idempotent: a complete rootfs carries a marker file that is
# written last, so an interrupted build is thrown away and redone.
#
#   bash scripts/systemd/make-rootfs.sh            # build if missing
#   ROOTFS=/some/dir bash scripts/systemd/make-rootfs.sh
#   FORCE=1 bash scripts/systemd/make-rootfs.sh    # rebuild
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ROOTFS="${ROOTFS:-$repo/.cache/systemd-rootfs}"
SUITE=bookworm
# prometheus and prometheus-node-exporter: what the binary target installs for
# monitoring.enabled; preinstalled so the install finds them (no apt-get inside the test).
PACKAGES=systemd,systemd-sysv,dbus,redis-server,etcd-server,prometheus,prometheus-node-exporter,iproute2,procps,ca-certificates,curl
# Bump when PACKAGES or the fix-ups below change, so caches are rebuilt.
RECIPE_VERSION=3
MARKER="$ROOTFS/.openim-rootfs-complete"

log() { printf '[make-rootfs] %s\n' "$*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (debootstrap and systemd-nspawn need it)"
  exit 1
fi

if [[ -z "${FORCE:-}" && -f "$MARKER" ]] && grep -qx "recipe=$RECIPE_VERSION" "$MARKER"; then
  log "cached rootfs is complete: $ROOTFS"
  exit 0
fi

# --- host tools -------------------------------------------------------------
if ! command -v systemd-nspawn >/dev/null || ! command -v debootstrap >/dev/null; then
  log "installing systemd-container and debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq systemd-container debootstrap >/dev/null
fi

# Use the same Debian mirror apt uses on this host (only the package registry
# is reachable, so the debootstrap default may not be).
mirror="${DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  mirror="$(grep -rhoE '(URIs:[[:space:]]*|^deb[[:space:]]+)(\[[^]]*\][[:space:]]+)?https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    grep -oE 'https?://[^[:space:]]+' | head -n1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

# --- build ------------------------------------------------------------------
start=$(date +%s)
log "building $SUITE rootfs in $ROOTFS from $mirror"
rm -rf "$ROOTFS"
mkdir -p "$(dirname "$ROOTFS")"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$mirror" >"$ROOTFS.debootstrap.log" 2>&1 || {
  log "debootstrap failed; last lines of $ROOTFS.debootstrap.log:"
  tail -n 30 "$ROOTFS.debootstrap.log" >&2
  exit 1
}

# --- fix-ups for booting under nspawn on this host ---------------------------
# Checked on this host: the bookworm minbase boots to `running` under nspawn
# even with nothing masked (networkd/resolved/timesyncd are disabled in Debian
# and the timers only wait). They are masked anyway because the container
# shares the host's network namespace (no --private-network): nothing inside
# may ever manage the host's links, DNS or clock, and no timer may fire
# apt/fstrim/e2scrub work in the middle of a test. Units that do fail are
# reported by SystemdContainer when the boot settles as `degraded`.
mask() { for u in "$@"; do ln -sf /dev/null "$ROOTFS/etc/systemd/system/$u"; done; }
mask systemd-networkd.service systemd-networkd.socket systemd-networkd-wait-online.service \
  systemd-resolved.service systemd-timesyncd.service \
  apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
  e2scrub_all.timer e2scrub_reap.service fstrim.timer
# Test images start services on demand: the packaged servers stay stopped at boot.
rm -f "$ROOTFS"/etc/systemd/system/multi-user.target.wants/{redis-server,etcd}.service
# …and so do Prometheus, node_exporter and node_exporter's textfile timers (apt, smartmon, nvme…).
rm -f "$ROOTFS"/etc/systemd/system/*.wants/prometheus*
echo "openim-test" >"$ROOTFS/etc/hostname"
: >"$ROOTFS/etc/machine-id" # empty: systemd generates a transient one at each boot
# An empty root password is not needed: tests enter with nsenter, never log in.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

printf 'recipe=%s\n' "$RECIPE_VERSION" >"$MARKER.tmp"
mv "$MARKER.tmp" "$MARKER"
rm -f "$ROOTFS.debootstrap.log"
log "done in $(($(date +%s) - start)) s, size $(du -sh "$ROOTFS" | cut -f1)"
