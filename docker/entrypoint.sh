#!/bin/sh
# netclaw container entrypoint: a small PID-1 supervisor (under tini) for netclawd.
#
# As root: make sure the data directory belongs to netclaw (UID/GID 1654), then re-run this
# script as netclaw. As netclaw: run netclawd in a loop, so the container (and any `docker exec`
# session) outlives daemon exits: config-update restarts, crashes, `netclaw init`.
#   - after each exit: "[entrypoint] netclawd exited (code=N) after Xs, restarting in Ys..."
#   - the delay starts at 2 s and doubles after every run shorter than 30 s, up to 60 s; a run of
#     30 s or more resets it to 2 s.
#   - SIGTERM/SIGINT (docker stop, Ctrl-C) are forwarded to netclawd once; the script waits for it
#     and exits 0 without restarting.
# Arguments are passed on to netclawd.
set -u

NETCLAW_UID=1654
NETCLAW_GID=1654
NETCLAW_USER=netclaw
NETCLAW_USER_HOME=/home/netclaw
DATA_DIR=${NETCLAW_HOME:-$NETCLAW_USER_HOME/.netclaw}
NETCLAWD=${NETCLAWD:-netclawd}

log() { printf '[entrypoint] %s\n' "$*" >&2; }

# Where a directory comes from, for the error message: the host path of a bind mount as the
# kernel records it (the mount's root within its source filesystem), else the directory itself.
mount_source() {
  awk -v d="$1" '$5 == d { src = $4 } END { if (src != "") print src }' /proc/self/mountinfo 2>/dev/null
}

writable_by_netclaw() {
  setpriv --reuid="$NETCLAW_UID" --regid="$NETCLAW_GID" --clear-groups -- \
    sh -c 'test -d "$1" && test -w "$1" && test -x "$1"' sh "$1" 2>/dev/null
}

unwritable() {
  src=$(mount_source "$DATA_DIR")
  log "ERROR: $DATA_DIR is not writable by the netclaw user (UID $NETCLAW_UID) and its ownership could not be fixed: $1"
  log "ERROR: if it is a bind-mounted host directory${src:+ (host path ${src})}, give it to UID/GID $NETCLAW_UID on the host:"
  log "ERROR:     chown -R $NETCLAW_UID:$NETCLAW_GID ${src:-<hostdir>}"
  log "ERROR: or use a named volume instead (-v netclaw-home:$DATA_DIR), which Docker creates with the right ownership."
  exit 1
}

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$DATA_DIR" 2>/dev/null || true
  # chown -R only when something under the data directory is not ours yet (the common case is a
  # named volume that already is, and a big sessions/ directory should not be rewritten on every
  # start). find stops at the first foreign entry.
  if [ -n "$(find "$DATA_DIR" \( ! -user "$NETCLAW_UID" -o ! -group "$NETCLAW_GID" \) -print -quit 2>/dev/null)" ] \
     || [ ! -d "$DATA_DIR" ]; then
    log "taking ownership of $DATA_DIR (chown -R $NETCLAW_UID:$NETCLAW_GID)"
    if ! err=$(chown -R "$NETCLAW_UID:$NETCLAW_GID" "$DATA_DIR" 2>&1); then
      err=$(printf '%s\n' "$err" | head -n 1)
      if writable_by_netclaw "$DATA_DIR"; then
        log "WARN: could not chown $DATA_DIR (${err:-unknown error}); it is writable by UID $NETCLAW_UID, continuing"
      else
        unwritable "${err:-chown failed}"
      fi
    fi
  fi
  # Drop root for good. setpriv (util-linux, in every Debian/Ubuntu base) sets the real and
  # effective IDs and the groups, with no setuid helper; exec keeps PID and signals simple.
  exec setpriv --reuid="$NETCLAW_UID" --regid="$NETCLAW_GID" --init-groups -- \
    env HOME="$NETCLAW_USER_HOME" USER="$NETCLAW_USER" LOGNAME="$NETCLAW_USER" "$0" "$@"
fi

# Started as a non-root user (docker run --user ...): nothing can be fixed, but a clear error
# beats a daemon failing on its first write.
if ! { [ -d "$DATA_DIR" ] || mkdir -p "$DATA_DIR" 2>/dev/null; } \
   || ! { [ -w "$DATA_DIR" ] && [ -x "$DATA_DIR" ]; }; then
  src=$(mount_source "$DATA_DIR")
  log "ERROR: $DATA_DIR is not writable by UID $(id -u) (this container was started as a non-root user, so its ownership cannot be fixed)"
  log "ERROR: if it is a bind-mounted host directory${src:+ (host path ${src})}, run on the host: chown -R $NETCLAW_UID:$NETCLAW_GID ${src:-<hostdir>}"
  exit 1
fi

# ---- supervisor ------------------------------------------------------------------------------
child=""
stopping=""

forward() {
  stopping=$1
  if [ -n "$child" ]; then
    log "received SIG$1, stopping netclawd (pid $child)"
    kill -s "$1" "$child" 2>/dev/null || true
  fi
}
trap 'forward TERM' TERM
trap 'forward INT' INT

# Waits for $child, also across interruptions by a trapped signal; sets $code.
wait_child() {
  code=0
  while :; do
    wait "$child"
    code=$?
    # A trapped signal interrupts wait with a status above 128 while the child still runs.
    kill -0 "$child" 2>/dev/null || break
  done
}

delay=2
while [ -z "$stopping" ]; do
  started=$(date +%s)
  # netclawd runs in its own session and process group: tini -g signals the entrypoint's group,
  # and the entrypoint forwards exactly one signal (netclawd treats a second one as "exit now").
  setsid "$NETCLAWD" "$@" &
  child=$!
  # A signal that arrived before $child was known has not been forwarded yet.
  [ -n "$stopping" ] && kill -s "$stopping" "$child" 2>/dev/null
  wait_child
  child=""
  ran=$(( $(date +%s) - started ))
  if [ -n "$stopping" ]; then
    log "netclawd exited (code=$code) after ${ran}s on SIG$stopping; not restarting"
    break
  fi
  [ "$ran" -ge 30 ] && delay=2
  log "netclawd exited (code=$code) after ${ran}s, restarting in ${delay}s..."
  sleep "$delay" &
  sleeper=$!
  wait "$sleeper" 2>/dev/null || kill "$sleeper" 2>/dev/null
  if [ -n "$stopping" ]; then
    log "received SIG$stopping while waiting to restart netclawd; exiting"
    break
  fi
  if [ "$ran" -lt 30 ]; then
    delay=$(( delay * 2 ))
    [ "$delay" -gt 60 ] && delay=60
  fi
done
exit 0
