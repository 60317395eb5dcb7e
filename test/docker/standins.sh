#!/bin/sh
# Build local stand-ins for the image's base images, which cannot be pulled here.
#
#   ubuntu:24.04  a debootstrapped Debian bookworm (minbase) root filesystem, `docker import`ed,
#                 with apt sources pointing at the mirror this machine uses and empty apt lists
#                 (like the official image: the Dockerfile must run `apt-get update` itself).
#   node:24       that root filesystem plus the Node 24 binary at /usr/local/bin/node and the npm
#                 package at /usr/local/lib/node_modules/npm, with npm/npx symlinks in
#                 /usr/local/bin, as the official image lays them out.
#
# An image that `docker image inspect` already finds is left alone (a real one included), so
# re-runs are cheap. The debootstrap result and the Node/npm downloads are cached under
# $NETCLAW_STANDIN_CACHE (default /var/cache/netclaw-standins). Run as root.
#
# This machine reaches HTTPS registries through a TLS-intercepting proxy whose CA is in the
# host's bundle; the node stand-in carries that bundle in NODE_EXTRA_CA_CERTS so `npm ci` in the
# build stage works. That is a property of this workplace, not of the image: the Dockerfile knows
# nothing about it.
#
# Environment: NETCLAW_STANDIN_CACHE, NETCLAW_STANDIN_REBUILD=1 (drop and rebuild both stand-ins,
#              keeping the caches), NETCLAW_NODE24_BIN (a Node 24 binary to use; else node on PATH,
#              /opt/node24, or node-linux-<arch>@24 from the npm registry into the cache).
set -eu

CACHE=${NETCLAW_STANDIN_CACHE:-/var/cache/netclaw-standins}
# shellcheck source=test/docker/lib.sh
. "$(dirname "$0")/lib.sh"
BASE_TAG=ubuntu:24.04
NODE_TAG=node:24
SUITE=bookworm

log() { printf '[standins] %s\n' "$*"; }
die() { printf '[standins] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }
T0=$(now)

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap)"
docker info >/dev/null 2>&1 || die "no Docker engine answers; run test/docker/setup-engine.sh first"

case "$(uname -m)" in
  x86_64) DEB_ARCH=amd64 ;;
  aarch64) DEB_ARCH=arm64 ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac

mkdir -p "$CACHE"

if [ "${NETCLAW_STANDIN_REBUILD:-0}" = 1 ]; then
  log "NETCLAW_STANDIN_REBUILD=1: removing $NODE_TAG and $BASE_TAG"
  docker image rm "$NODE_TAG" "$BASE_TAG" >/dev/null 2>&1 || true
fi

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# --- the Debian mirror this machine's apt uses ----------------------------------------------
# Both the one-line format (deb URI SUITE ...) and deb822 (URIs:/Suites:) are understood.
# Prints "URI<TAB>SUITE" for every enabled source.
apt_sources() {
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i "\t" $(i + 1) }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() { if (uris != "" && enabled && types ~ /(^| )deb( |$)/) {
          n = split(uris, u, " "); m = split(suites, s, " ")
          for (a = 1; a <= n; a++) for (b = 1; b <= m; b++) print u[a] "\t" s[b] }
        uris = ""; suites = ""; types = ""; enabled = 1 }
      BEGIN { enabled = 1 }
      /^[ \t]*$/ { flush(); next }
      /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
      /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
      /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
      /^Enabled:[ \t]*(no|false)/ { enabled = 0 }
      END { flush() }' "$f"
  done
}
MIRROR=$(apt_sources | awk -F'\t' -v s="$SUITE" '$2 == s { print $1; exit }')
SECURITY_MIRROR=$(apt_sources | awk -F'\t' -v s="$SUITE-security" '$2 == s { print $1; exit }')
[ -n "$MIRROR" ] || die "no '$SUITE' source found in /etc/apt/sources.list*"
MIRROR=${MIRROR%/}

# --- the root filesystem (cached) -------------------------------------------------------------
ROOTFS_TAR=$CACHE/$SUITE-minbase-minimized-$DEB_ARCH.tar
rootfs_tar() {
  if [ -s "$ROOTFS_TAR" ]; then
    log "root filesystem: cached $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
    return
  fi
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap missing; run test/docker/setup-engine.sh"
  t=$(now)
  dir=$CACHE/rootfs.tmp
  rm -rf "$dir"
  log "debootstrap --variant=minbase $SUITE from $MIRROR (a few minutes the first time)"
  debootstrap --variant=minbase --arch="$DEB_ARCH" "$SUITE" "$dir" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -n 20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
  # apt inside the image uses the same mirror as this machine.
  rm -f "$dir/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$MIRROR" "$SUITE" "$SUITE"
    if [ -n "$SECURITY_MIRROR" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "${SECURITY_MIRROR%/}" "$SUITE"
    fi
  } >"$dir/etc/apt/sources.list.d/debian.sources"
  # Like the official ubuntu:24.04 image, which is "minimized": dpkg leaves out man pages,
  # translations and documentation (copyright files kept), so image sizes measured here are
  # close to the real ones.
  mkdir -p "$dir/etc/dpkg/dpkg.cfg.d"
  cat >"$dir/etc/dpkg/dpkg.cfg.d/excludes" <<'EOF'
path-exclude=/usr/share/man/*
path-exclude=/usr/share/locale/*/LC_MESSAGES/*.mo
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/groff/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/linda/*
EOF
  find "$dir/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
  find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$dir"/usr/share/man/* "$dir"/usr/share/groff/* "$dir"/usr/share/info/* \
    "$dir"/usr/share/lintian/* "$dir"/usr/share/linda/*
  find "$dir/usr/share/locale" -name '*.mo' -delete 2>/dev/null || true
  # Like the official images: no package lists, no downloaded .debs, no machine identity.
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
    "$dir"/var/log/* "$dir"/tmp/* "$dir"/var/tmp/*
  mkdir -p "$dir/var/lib/apt/lists/partial"
  : >"$dir/etc/machine-id"
  tar --numeric-owner --xattrs -C "$dir" -cf "$ROOTFS_TAR.tmp" \
    --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$dir"
  log "root filesystem built in $(( $(now) - t ))s: $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
}

# --- ubuntu:24.04 -----------------------------------------------------------------------------
if have_image "$BASE_TAG"; then
  log "$BASE_TAG: present, left alone ($(docker image inspect -f '{{.Id}}' "$BASE_TAG" | cut -c1-19))"
else
  t=$(now)
  rootfs_tar
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    --message "netclaw stand-in for $BASE_TAG: Debian $SUITE minbase from $MIRROR" \
    "$ROOTFS_TAR" "$BASE_TAG" >/dev/null
  log "$BASE_TAG: imported in $(( $(now) - t ))s"
fi

# --- node:24 ----------------------------------------------------------------------------------
if have_image "$NODE_TAG"; then
  log "$NODE_TAG: present, left alone ($(docker image inspect -f '{{.Id}}' "$NODE_TAG" | cut -c1-19))"
else
  t=$(now)
  node_bin=$(find_node24) || die "no Node 24 binary for the node stand-in"
  node_version=$("$node_bin" --version)
  case "$node_version" in v24.*) ;; *) die "$node_bin is $node_version, not Node 24" ;; esac

  npm_tgz=$(ls "$CACHE"/npm-11.*.tgz 2>/dev/null | tail -n 1 || true)
  if [ -z "$npm_tgz" ]; then
    log "fetching the npm@11 package from the npm registry"
    (cd "$CACHE" && npm pack --silent npm@11 >/dev/null)
    npm_tgz=$(ls "$CACHE"/npm-11.*.tgz | tail -n 1)
  fi

  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  mkdir -p "$ctx/npm"
  cp "$node_bin" "$ctx/node"
  tar -C "$ctx/npm" --strip-components=1 -xzf "$npm_tgz"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt" 2>/dev/null || : >"$ctx/ca-certificates.crt"
  cat >"$ctx/Dockerfile" <<EOF
FROM $BASE_TAG
ENV NODE_VERSION=${node_version#v}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /usr/local/share/netclaw-standin/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/netclaw-standin/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
CMD ["node"]
EOF
  docker build --network host -q -t "$NODE_TAG" "$ctx" >/dev/null
  log "$NODE_TAG: built in $(( $(now) - t ))s (node $node_version, npm $(basename "$npm_tgz" .tgz | sed 's/^npm-//'))"
fi

log "done in $(( $(now) - T0 ))s"
