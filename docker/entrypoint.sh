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
# With the host's Docker socket mounted at /var/run/docker.sock (docs: "mount the socket"), netclaw
# gets the socket's group, whatever its GID, so the agent's docker commands work; one log line says
# whether they can. Without the socket nothing changes.
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

# ---- the Docker socket -------------------------------------------------------------------------
DOCKER_SOCKET=/var/run/docker.sock

socket_warn() {
  log "WARN: Docker socket $DOCKER_SOCKET is mounted but netclawd cannot use it: $1"
  log "WARN: the agent's docker commands will fail until this is fixed; ${2}"
}

# Whether netclaw, with the given supplementary groups (comma-separated), gets an answer from the
# engine: permission bits, SELinux/AppArmor and a dead engine all show here, not only the mode.
docker_answers_as_netclaw() {
  setpriv --reuid="$NETCLAW_UID" --regid="$NETCLAW_GID" --groups="$1" -- \
    curl -sf --max-time 5 -o /dev/null --unix-socket "$DOCKER_SOCKET" http://localhost/_ping 2>/dev/null
}

# The name of the group with GID $1, created ("docker", else "docker<GID>") when there is none.
group_for_gid() {
  _name=$(getent group "$1" | cut -d: -f1)
  if [ -z "$_name" ]; then
    _name=docker
    getent group docker >/dev/null && _name=docker$1
    groupadd --gid "$1" "$_name" >/dev/null 2>&1 || return 1
  fi
  printf '%s\n' "$_name"
}

# As root, before dropping to netclaw. Sets EXTRA_GROUPS when /etc/group could not record the
# membership (a read-only root filesystem), so setpriv adds the group itself.
EXTRA_GROUPS=""
grant_docker_socket() {
  [ -e "$DOCKER_SOCKET" ] || [ -L "$DOCKER_SOCKET" ] || return 0
  if [ -d "$DOCKER_SOCKET" ]; then
    socket_warn "it is a directory, not a socket (Docker creates an empty directory when the host path of a -v mount does not exist)" \
      "mount the host's socket: -v /var/run/docker.sock:/var/run/docker.sock (rootless Docker: -v \$XDG_RUNTIME_DIR/docker.sock:/var/run/docker.sock)"
    return 0
  fi
  if [ ! -S "$DOCKER_SOCKET" ]; then
    socket_warn "it is not a socket" "mount the host's Docker socket there: -v /var/run/docker.sock:/var/run/docker.sock"
    return 0
  fi
  gid=$(stat -L -c %g "$DOCKER_SOCKET")
  mode=$(stat -L -c %a "$DOCKER_SOCKET")
  # Connecting to a socket needs write permission, and a group is all netclaw can be given.
  if [ $(( (0$mode >> 3) & 2 )) -eq 0 ] && [ $(( 0$mode & 2 )) -eq 0 ] \
    && [ "$(stat -L -c %u "$DOCKER_SOCKET")" != "$NETCLAW_UID" ]; then
    socket_warn "its mode $mode gives its group (gid $gid) no write access, and connecting needs it" \
      "on the host, make it group-writable (chmod g+rw on the socket), or mount a socket owned by the docker group"
    return 0
  fi
  # Any GID, 0 included: the socket already is root on the host, so the container's root group
  # (or whichever group holds that GID here) gives netclawd nothing the socket does not.
  group=$(group_for_gid "$gid") || group=""
  if [ -z "$group" ] || ! { id -G "$NETCLAW_USER" | tr ' ' '\n' | grep -qx "$gid" \
    || usermod -a -G "$group" "$NETCLAW_USER" >/dev/null 2>&1; }; then
    # /etc/group is read-only (docker run --read-only): setpriv gives netclawd the group directly.
    EXTRA_GROUPS=$gid
  fi
  if docker_answers_as_netclaw "$NETCLAW_GID,$gid"; then
    log "Docker socket $DOCKER_SOCKET mounted (gid $gid${group:+, group $group}): netclawd may use the docker CLI"
  else
    socket_warn "the Docker engine did not answer on it as UID $NETCLAW_UID with group $gid (is the engine running? on SELinux hosts the container may be denied)" \
      "check the engine on the host; on SELinux hosts run the container with --security-opt label=disable"
  fi
}

if [ "$(id -u)" = 0 ]; then
  grant_docker_socket
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
  if [ -n "$EXTRA_GROUPS" ]; then
    groups_opt="--groups=$NETCLAW_GID,$EXTRA_GROUPS"
  else
    groups_opt=--init-groups
  fi
  exec setpriv --reuid="$NETCLAW_UID" --regid="$NETCLAW_GID" "$groups_opt" -- \
    env HOME="$NETCLAW_USER_HOME" USER="$NETCLAW_USER" LOGNAME="$NETCLAW_USER" \
    ENTRYPOINT_ROOT_DONE=1 "$0" "$@"
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

# Started as a non-root user (docker run --user), nobody could grant the socket's group: say
# whether the user's own groups reach the engine, and how to fix it when they do not.
if [ -z "${ENTRYPOINT_ROOT_DONE:-}" ] && [ -S "$DOCKER_SOCKET" ]; then
  gid=$(stat -L -c %g "$DOCKER_SOCKET")
  if curl -sf --max-time 5 -o /dev/null --unix-socket "$DOCKER_SOCKET" http://localhost/_ping 2>/dev/null; then
    log "Docker socket $DOCKER_SOCKET mounted (gid $gid): netclawd may use the docker CLI"
  else
    socket_warn "this container was started as UID $(id -u) without the socket's group (gid $gid)" \
      "add it to the docker run command: --group-add $gid"
  fi
fi
unset ENTRYPOINT_ROOT_DONE

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
