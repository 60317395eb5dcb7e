#!/bin/sh
# /usr/local/bin/netclaw in the image: the netclaw CLI, always as the daemon's user.
#
# A plain `docker exec netclaw netclaw ...` runs as root. Files the CLI writes (client config,
# `netclaw init`) must stay the netclaw user's, and the local-control key that `netclaw daemon
# pair` signs with is readable by that user only, so as root this re-runs itself as netclaw.
# exec all the way: arguments, stdin/stdout/stderr (and the tty of `docker exec -it`) and the exit
# code are the CLI's own.
set -u

NETCLAW_CLI=/opt/netclaw/bin/netclaw.js

if [ "$(id -u)" = 0 ]; then
  echo "[netclaw] invoked as root; dropping to the 'netclaw' user." >&2
  exec setpriv --reuid=1654 --regid=1654 --init-groups -- \
    env HOME=/home/netclaw USER=netclaw LOGNAME=netclaw "$0" "$@"
fi

exec node "$NETCLAW_CLI" "$@"
