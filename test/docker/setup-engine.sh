#!/bin/sh
# Make sure a Docker engine answers on this machine (idempotent; run as root by CI).
#
#  - installs docker.io, docker-compose (v1, validates docker/compose.yaml) and debootstrap
#    (stand-in base images) with apt, only when missing;
#  - starts `dockerd --bridge=none --iptables=false` in the background when no engine answers:
#    every build and run here uses --network host, so the engine needs no bridge or NAT;
#  - waits (bounded) until `docker info` works.
#
# Environment: NETCLAW_DOCKERD_LOG (default /var/log/netclaw-dockerd.log),
#              NETCLAW_DOCKERD_WAIT (seconds, default 60).
set -eu

log() { printf '[setup-engine] %s\n' "$*"; }
die() { printf '[setup-engine] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (installs packages and starts dockerd)"

DOCKERD_LOG=${NETCLAW_DOCKERD_LOG:-/var/log/netclaw-dockerd.log}
WAIT=${NETCLAW_DOCKERD_WAIT:-60}
started=$(date +%s)

# --- packages --------------------------------------------------------------------------
# package:command that proves it is installed
missing=""
for pair in docker.io:dockerd docker-compose:docker-compose debootstrap:debootstrap; do
  pkg=${pair%%:*} cmd=${pair#*:}
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
     && command -v "$cmd" >/dev/null 2>&1; then
    log "package $pkg: already installed"
  else
    missing="$missing $pkg"
  fi
done
if [ -n "$missing" ]; then
  log "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  log "installed:$missing"
fi

# The Debian package's dockerd wants containerd and runc; docker.io depends on both.
command -v dockerd >/dev/null 2>&1 || die "dockerd not found after installing docker.io"

# --- engine ----------------------------------------------------------------------------
if docker info >/dev/null 2>&1; then
  log "engine already answering: $(docker version --format 'server {{.Server.Version}}, client {{.Client.Version}}' 2>/dev/null)"
else
  if [ -S /var/run/docker.sock ] && ! pgrep -x dockerd >/dev/null 2>&1; then
    # A socket left by a dockerd that no longer runs would make the new one fail.
    rm -f /var/run/docker.sock /var/run/docker.pid
  fi
  if pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd is running (pid $(pgrep -x dockerd | tr '\n' ' ')) but not answering yet; waiting"
  else
    log "starting dockerd --bridge=none --iptables=false (log: $DOCKERD_LOG)"
    # setsid: the engine outlives this script and the shell that ran it.
    setsid dockerd --bridge=none --iptables=false --ip6tables=false >>"$DOCKERD_LOG" 2>&1 </dev/null &
    log "dockerd started as pid $!"
  fi
  i=0
  until docker info >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt "$WAIT" ]; then
      tail -n 30 "$DOCKERD_LOG" >&2 2>/dev/null || true
      die "engine did not answer within ${WAIT}s (see $DOCKERD_LOG)"
    fi
    sleep 1
  done
  log "engine answering after ${i}s: $(docker version --format 'server {{.Server.Version}}, client {{.Client.Version}}' 2>/dev/null)"
fi

log "storage driver: $(docker info --format '{{.Driver}}' 2>/dev/null); done in $(( $(date +%s) - started ))s"
