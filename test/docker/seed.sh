#!/usr/bin/env bash
# Seed acceptance test for the Docker image: the commands of the "Docker Deployment" page, for real,
# against a locally built image (stand-in base images, since none can be pulled here).
#
#   sudo bash test/docker/seed.sh        (CI runs it as root)
#
# Every container runs with --network host, so all traffic stays on this machine's loopback: the
# provider endpoint points at the fake upstream (test/fakes/serve.ts) on 127.0.0.1, and so does the
# update feed. The daemon in the container binds 127.0.0.1:5199 on the host's loopback, so that
# port must be free.
#
# Each step prints PASS/FAIL/SKIP with its duration; the last line is "N passed, N failed, N skipped".
# Exits non-zero on any failure. Containers and volumes it creates carry the label
# dev.netclaw.test=seed and are removed at exit (a pre-existing container or volume of the same
# name without that label is never touched: the run fails instead). The image is kept, so the next
# run reuses its layers.
#
# Environment: NETCLAW_SEED_IMAGE (default netclaw:seed-test), NETCLAW_SEED_KEEP=1 (leave the
# containers and volumes for inspection), BASE_IMAGE / NODE_IMAGE (build arguments).
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
# shellcheck source=test/docker/lib.sh
. "$ROOT/test/docker/lib.sh"

IMAGE=${NETCLAW_SEED_IMAGE:-netclaw:seed-test}
NAME=netclaw                 # the page's container name
VOLUME=netclaw-home          # the page's volume name
LABEL_KEY=dev.netclaw.test
LABEL=$LABEL_KEY=seed
APIKEY=sk-or-v1-seed-test
DATA=/home/netclaw/.netclaw
TMP=$(mktemp -d /tmp/netclaw-seed.XXXXXX)
T_ALL=$(date +%s.%N)
passed=0 failed=0 skipped=0
upstream_pid=""
registry_pid=""
forwarder_pid=""
# The engine's socket, mounted into containers as the page's last line says.
HOST_DOCKER_SOCKET=/var/run/docker.sock

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf '%s\n' "$*"; }

# step NAME FUNCTION [ARGS...]: runs FUNCTION with its output in a log; PASS on 0, SKIP on 77,
# FAIL otherwise (with the log's tail). A function may set DETAIL for the result line.
step() {
  local name=$1 t rc log
  shift
  t=$(now)
  log=$TMP/step-$((passed + failed + skipped + 1)).log
  DETAIL=""
  "$@" >"$log" 2>&1
  rc=$?
  if [ -z "$DETAIL" ] && [ -s "$log.detail" ]; then DETAIL=$(cat "$log.detail"); fi
  if [ "$rc" = 0 ]; then
    passed=$((passed + 1))
    say "PASS  $name ($(secs "$t")s)${DETAIL:+ — $DETAIL}"
  elif [ "$rc" = 77 ]; then
    skipped=$((skipped + 1))
    say "SKIP  $name${DETAIL:+ — $DETAIL}"
  else
    failed=$((failed + 1))
    say "FAIL  $name ($(secs "$t")s)${DETAIL:+ — $DETAIL}"
    tail -n 40 "$log" | sed 's/^/      | /'
  fi
  return "$rc"
}

finish() {
  say "seed: $(secs "$T_ALL")s in all"
  say "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" = 0 ]
  exit $?
}

cleanup() {
  if [ "${NETCLAW_SEED_KEEP:-0}" != 1 ]; then
    docker ps -aq --filter "label=$LABEL" 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1
    docker volume ls -q --filter "label=$LABEL" 2>/dev/null | xargs -r docker volume rm -f >/dev/null 2>&1
  fi
  local pid
  for pid in $upstream_pid $registry_pid $forwarder_pid; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A container or volume we may create: free, or left over by an earlier run (labelled).
claim_container() {
  local n=$1 label
  docker container inspect "$n" >/dev/null 2>&1 || return 0
  label=$(docker container inspect -f "{{index .Config.Labels \"$LABEL_KEY\"}}" "$n")
  if [ "$label" != seed ]; then echo "a container named '$n' exists and is not this test's; not touching it"; return 1; fi
  docker rm -f "$n" >/dev/null
}
claim_volume() {
  local v=$1 label
  if docker volume inspect "$v" >/dev/null 2>&1; then
    label=$(docker volume inspect -f "{{index .Labels \"$LABEL_KEY\"}}" "$v")
    if [ "$label" != seed ]; then echo "a volume named '$v' exists and is not this test's; not touching it"; return 1; fi
    docker volume rm -f "$v" >/dev/null || return 1
  fi
  # Created up front only to carry the label; it is an ordinary named volume, empty like a new one.
  docker volume create --label "$LABEL" "$v" >/dev/null
}

health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1" 2>/dev/null; }
running() { [ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
# netclaw.pid: the pid on its first line, the start time on the second.
daemon_pid() { docker exec "$1" sh -c 'head -n 1 "$NETCLAW_HOME/netclaw.pid" 2>/dev/null' 2>/dev/null; }
ready() { docker exec "$1" curl -sf -o /dev/null http://127.0.0.1:5199/api/health/ready 2>/dev/null; }
# wait_for SECONDS COMMAND...: polls every 0.25 s.
wait_for() {
  local limit=$1 t
  shift
  t=$(now)
  until "$@"; do
    if awk -v a="$t" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then return 1; fi
    sleep 0.25
  done
}

# The page's `docker run`, with the provider endpoint and the update feed on loopback.
run_netclaw() {
  docker run -d --network host --name "$NAME" --label "$LABEL" \
    -v "$VOLUME:$DATA" \
    -e NETCLAW_Providers__openrouter__Type=openrouter \
    -e NETCLAW_Providers__openrouter__ApiKey="$APIKEY" \
    -e NETCLAW_Models__Main__Provider=openrouter \
    -e NETCLAW_Models__Main__ModelId=anthropic/claude-sonnet-4 \
    -e NETCLAW_Providers__openrouter__Endpoint="$OPENROUTER_URL" \
    -e NETCLAW_Daemon__UpdateFeedUrl="$REGISTRY_URL" \
    "$IMAGE"
}

# ---- steps -----------------------------------------------------------------------------------

s_engine() { bash "$ROOT/test/docker/setup-engine.sh"; }
s_standins() { sh "$ROOT/test/docker/standins.sh"; }

s_build() {
  local version commit size
  version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json | head -n 1)
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  docker build --network host --force-rm -f docker/Dockerfile -t "$IMAGE" \
    --build-arg BASE_IMAGE="${BASE_IMAGE:-ubuntu:24.04}" --build-arg NODE_IMAGE="${NODE_IMAGE:-node:24}" \
    --build-arg VERSION="$version" --build-arg NETCLAW_BUILD_COMMIT="$commit" . || return 1
  # Earlier builds of this image, untagged by this one.
  docker image prune -f --filter "label=org.opencontainers.image.title=netclaw" >/dev/null 2>&1
  size=$(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')
  echo "image $IMAGE, $size" >"$log.detail"
}

s_image_config() {
  local cfg
  cfg=$(docker image inspect -f '{{json .Config}}' "$IMAGE") || return 1
  echo "$cfg"
  local want
  for want in '"Entrypoint":["/usr/bin/tini","-g","--","/opt/netclaw/docker/entrypoint.sh"]' \
    '"/home/netclaw/.netclaw":{}' '"5199/tcp":{}' 'NETCLAW_Daemon__DisableSelfUpdate=true' \
    'NETCLAW_CONTAINER_SUPERVISOR=entrypoint' 'NETCLAW_HOME=/home/netclaw/.netclaw' \
    '"Test":["CMD-SHELL","curl -sf http://127.0.0.1:5199/api/health/ready || exit 1"],"Interval":15000000000,"Timeout":5000000000,"StartPeriod":30000000000,"Retries":3' \
    '"org.opencontainers.image.licenses":"Apache-2.0"'; do
    case "$cfg" in *"$want"*) ;; *) echo "image config lacks: $want"; return 1 ;; esac
  done
  docker run --rm --network host --entrypoint sh "$IMAGE" -c '
    set -e
    for t in git jq sqlite3 python3 curl wget gh docker tini setpriv ps node npm npx netclaw netclawd; do
      command -v "$t" >/dev/null || { echo "missing tool: $t"; exit 1; }
    done
    test "$(id -u netclaw):$(id -g netclaw)" = 1654:1654
    test "$(stat -c %u:%g /home/netclaw/.netclaw)" = 1654:1654
    test ! -e /opt/netclaw/src
    node --version; netclawd --version'
}

s_compose() {
  docker-compose -f docker/compose.yaml config >"$TMP/compose.out" || return 1
  NETCLAW_IMAGE="$IMAGE" docker-compose -f docker/compose.yaml config | grep -q "image: $IMAGE" || {
    echo "NETCLAW_IMAGE does not override the image"; return 1; }
  local want
  for want in 'NETCLAW_Providers__local-ollama__Type: ollama' \
    'NETCLAW_Providers__local-ollama__Endpoint: http://ollama:11434' \
    'NETCLAW_Models__Main__Provider: local-ollama' 'NETCLAW_Models__Main__ModelId: qwen3:30b' \
    'netclaw-home:/home/netclaw/.netclaw' 'image: ghcr.io/netclaw-dev/netclaw' 'restart: unless-stopped'; do
    grep -qF "$want" "$TMP/compose.out" || { echo "compose config lacks: $want"; return 1; }
  done
}

s_upstream() {
  if curl -s -o /dev/null --max-time 2 http://127.0.0.1:5199/; then
    echo "127.0.0.1:5199 already answers on this host; the host-network container needs that port"
    return 1
  fi
  local node
  node=$(find_node24) || return 1
  if [ ! -d node_modules ]; then
    # The fakes import the project's dependencies (CI has run npm ci already).
    PATH="$(dirname "$node"):$PATH" npm ci --no-audit --no-fund || return 1
  fi
  "$node" "$ROOT/test/fakes/serve.ts" --api-key "$APIKEY" >"$TMP/upstream.json" 2>"$TMP/upstream.err" &
  upstream_pid=$!
  wait_for 20 sh -c "test -s '$TMP/upstream.json' || ! kill -0 $upstream_pid" 2>/dev/null
  test -s "$TMP/upstream.json" || { cat "$TMP/upstream.err"; return 1; }
  UPSTREAM_URL=$("$node" -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).url' <"$TMP/upstream.json")
  OPENROUTER_URL=$("$node" -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).openrouterBaseUrl' <"$TMP/upstream.json")
  # The release feed: a fake npm registry whose latest netclaw is newer than any build.
  "$node" --input-type=module -e '
    import { createFakeRegistry } from "./test/fakes/fake-registry.ts";
    const registry = await createFakeRegistry({ packageName: "netclaw", distTags: { latest: "999.0.0" } });
    process.stdout.write(`${registry.url}\n`);
    const stop = () => registry.close().then(() => process.exit(0));
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  ' >"$TMP/registry.url" 2>"$TMP/registry.err" &
  registry_pid=$!
  wait_for 20 sh -c "test -s '$TMP/registry.url' || ! kill -0 $registry_pid" 2>/dev/null
  test -s "$TMP/registry.url" || { cat "$TMP/registry.err"; return 1; }
  REGISTRY_URL=$(head -n 1 "$TMP/registry.url")
  echo "fake upstream $UPSTREAM_URL (pid $upstream_pid), fake registry $REGISTRY_URL (pid $registry_pid)" >"$log.detail"
}

s_run() {
  claim_container "$NAME" && claim_volume "$VOLUME" || return 1
  START=$(now)
  run_netclaw || return 1
  wait_for 30 ready "$NAME" || { docker logs "$NAME"; return 1; }
  echo "daemon ready after $(secs "$START")s" >"$log.detail"
}

s_healthy() {
  # Docker runs the first probe one interval (15 s) after the start; healthy must come within
  # the 30 s start period.
  wait_for 40 sh -c "[ \"\$(docker inspect -f '{{.State.Health.Status}}' $NAME)\" = healthy ]" || {
    health "$NAME"; docker inspect -f '{{json .State.Health}}' "$NAME"; return 1; }
  local took
  took=$(secs "$START")
  echo "healthy after ${took}s"
  echo "healthy ${took}s after docker run" >"$log.detail"
  awk -v t="$took" 'BEGIN { exit !(t <= 30) }'
}

s_status() {
  docker exec "$NAME" netclaw status >"$TMP/status.out" 2>"$TMP/status.err"
  local rc=$?
  cat "$TMP/status.out" "$TMP/status.err"
  [ "$rc" = 0 ] || { echo "exit code $rc"; return 1; }
  grep -q healthy "$TMP/status.out" || return 1
  grep -qxF "[netclaw] invoked as root; dropping to the 'netclaw' user." "$TMP/status.err" || {
    echo "launcher message missing"; return 1; }
}

s_update_check() {
  # Self-update is disabled in the image, the update-availability check still runs.
  wait_for 15 sh -c "docker exec -u netclaw $NAME netclaw status 2>&1 | grep -q 'update available'" || true
  docker exec -u netclaw "$NAME" netclaw status >"$TMP/status2.out" 2>&1
  cat "$TMP/status2.out"
  grep -E 'update +update available: .* → 999\.0\.0 \(channel stable, self-update disabled\)' "$TMP/status2.out" \
    || { echo "status does not report the newer release with self-update disabled"; return 1; }
  curl -sf "$REGISTRY_URL/-/package/netclaw/dist-tags" >/dev/null || return 1
  sed -n 's/^ *update *//p' "$TMP/status2.out" >"$log.detail"
}

s_doctor() {
  docker exec "$NAME" netclaw doctor >"$TMP/doctor.out" 2>&1
  local rc=$?
  cat "$TMP/doctor.out"
  # 0 all passed, 2 warnings only (docs), 1 a failure.
  [ "$rc" = 0 ] || [ "$rc" = 2 ] || { echo "exit code $rc"; return 1; }
  [ "$rc" = 0 ] || echo "exit 2, warnings only: $(grep '^\[WARN\]' "$TMP/doctor.out" | cut -c1-100 | paste -sd '|')" >"$log.detail"
}

s_launcher() {
  # Exit codes and arguments pass through; as a non-root user there is no message.
  docker exec "$NAME" netclaw no-such-command
  local rc=$?
  [ "$rc" = 2 ] || { echo "unknown command: exit $rc, want 2"; return 1; }
  docker exec -u netclaw "$NAME" netclaw --version >"$TMP/v.out" 2>"$TMP/v.err" || return 1
  cat "$TMP/v.out" "$TMP/v.err"
  [ ! -s "$TMP/v.err" ] || { echo "unexpected stderr as netclaw"; return 1; }
  grep -q '^netclaw ' "$TMP/v.out"
}

s_uids() {
  docker exec "$NAME" ps -eo pid=,uid=,args= | tee "$TMP/ps.out"
  # PID 1 is tini (root); the ps itself runs as root through docker exec.
  awk '$1 != 1 && $3 != "ps" && $2 != 1654 { bad = 1; print "not UID 1654: " $0 } END { exit bad }' "$TMP/ps.out" || return 1
  grep -q 'entrypoint.sh' "$TMP/ps.out" && grep -q 'netclawd' "$TMP/ps.out" || { echo "supervisor or daemon missing"; return 1; }
  if docker logs "$NAME" 2>&1 | grep -F 'taking ownership'; then
    echo "the fresh named volume did not inherit the image's 1654 ownership"; return 1
  fi
  local foreign
  foreign=$(docker exec "$NAME" find "$DATA" ! -uid 1654 -print)
  [ -z "$foreign" ] || { echo "not owned by 1654: $foreign"; return 1; }
  # No Docker socket mounted: no socket line, and netclawd has no group but its own.
  if docker logs "$NAME" 2>&1 | grep -F 'Docker socket'; then echo "a socket line without a socket"; return 1; fi
  local groups
  groups=$(docker exec "$NAME" sh -c 'sed -n "s/^Groups:[[:space:]]*//p" /proc/$(head -n 1 "$NETCLAW_HOME/netclaw.pid")/status')
  [ "$(echo $groups)" = 1654 ] || { echo "netclawd's supplementary groups: '$groups', want 1654 only"; return 1; }
}

s_chat() {
  if ! docker exec -u netclaw "$NAME" netclaw chat --help >/dev/null 2>&1; then
    echo "no 'netclaw chat' command in this build yet" >"$log.detail"
    return 77
  fi
  local word=seed-ping-$$
  docker exec "$NAME" netclaw chat -p "$word" --json | tee "$TMP/chat.out" || return 1
  grep -q "echo: $word" "$TMP/chat.out" || { echo "reply from the fake upstream missing"; return 1; }
  curl -sf "$UPSTREAM_URL/__fake/requests" | grep -q "$word" || { echo "the fake upstream saw no request"; return 1; }
}

# Things that must survive `docker rm` + a new container on the same volume.
s_persist_prepare() {
  docker exec -u netclaw "$NAME" sh -c "
    set -e
    mkdir -p $DATA/identity $DATA/sessions
    echo 'seed-marker identity' >> $DATA/identity/SOUL.md
    echo '{\"seed\": \"marker\"}' > $DATA/config/seed-marker.json
    echo 'seed-marker sessions' > $DATA/sessions/seed-marker
    cd $DATA && find keys config -type f -exec sha256sum {} + | sort -k2" >"$TMP/persist.before" || return 1
  cat "$TMP/persist.before"
  SESSION_NAME=""
  local code
  code=$(docker exec "$NAME" curl -s -o /tmp/session.json -w '%{http_code}' -X POST \
    -H 'content-type: application/json' -d '{"name":"seed-persist"}' http://127.0.0.1:5199/api/sessions)
  if [ "$code" = 200 ] || [ "$code" = 201 ]; then
    SESSION_NAME=seed-persist
    echo "session created through the API"
  else
    echo "POST /api/sessions answered $code: sessions checked by marker file only" >"$log.detail"
  fi
}

s_kill_restart() {
  local old new t
  old=$(daemon_pid "$NAME")
  [ -n "$old" ] || { echo "no daemon pid"; return 1; }
  t=$(now)
  docker exec "$NAME" kill -KILL "$old" || return 1
  wait_for 3 sh -c "! docker exec $NAME kill -0 $old 2>/dev/null" || { echo "daemon $old did not die"; return 1; }
  running "$NAME" || { echo "container stopped with the daemon"; return 1; }
  docker exec "$NAME" true || { echo "docker exec failed while the daemon was down"; return 1; }
  wait_for 20 sh -c "p=\$(docker exec $NAME sh -c 'head -n 1 \$NETCLAW_HOME/netclaw.pid' 2>/dev/null); [ -n \"\$p\" ] && [ \"\$p\" != $old ] && docker exec $NAME curl -sf -o /dev/null http://127.0.0.1:5199/api/health/ready" \
    || { docker logs --tail 20 "$NAME"; return 1; }
  new=$(daemon_pid "$NAME")
  local took
  took=$(secs "$t")
  docker logs "$NAME" 2>&1 | grep -E '^\[entrypoint\] netclawd exited \(code=137\) after [0-9]+s, restarting in 2s\.\.\.$' \
    || { echo "restart line missing from docker logs"; docker logs --tail 20 "$NAME"; return 1; }
  echo "daemon pid $old killed, pid $new ready ${took}s later (restart delay 2 s)" >"$log.detail"
  awk -v t="$took" 'BEGIN { exit !(t < 10) }'
}

s_stop() {
  local t took code
  t=$(now)
  docker stop "$NAME" >/dev/null || return 1
  took=$(secs "$t")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$NAME")
  docker logs --tail 5 "$NAME" 2>&1
  echo "stopped in ${took}s, exit code $code" >"$log.detail"
  [ "$code" = 0 ] || return 1
  docker logs "$NAME" 2>&1 | grep -q 'not restarting' || { echo "no clean-shutdown line"; return 1; }
  awk -v t="$took" 'BEGIN { exit !(t < 10) }'
}

s_recreate() {
  docker rm "$NAME" >/dev/null || return 1
  START=$(now)
  run_netclaw >/dev/null || return 1
  # The page's readiness loop, bounded.
  timeout 60 sh -c "until [ \"\$(docker inspect --format='{{.State.Health.Status}}' $NAME)\" = \"healthy\" ]; do sleep 2; done; echo \"Daemon is ready\"" \
    || { docker logs --tail 20 "$NAME"; return 1; }
  docker exec -u netclaw "$NAME" sh -c "cd $DATA && find keys config -type f -exec sha256sum {} + | sort -k2" >"$TMP/persist.after" || return 1
  grep -v seed-marker "$TMP/persist.before" | while read -r sum file; do
    grep -qF "$sum  $file" "$TMP/persist.after" || { echo "changed or lost: $file"; exit 1; }
  done || return 1
  docker exec "$NAME" grep -q 'seed-marker identity' "$DATA/identity/SOUL.md" || { echo "identity lost"; return 1; }
  docker exec "$NAME" grep -q marker "$DATA/config/seed-marker.json" || { echo "config lost"; return 1; }
  docker exec "$NAME" test -f "$DATA/sessions/seed-marker" || { echo "sessions lost"; return 1; }
  docker exec "$NAME" test -s "$DATA/sessions/netclaw.db" || { echo "session database lost"; return 1; }
  if [ -n "$SESSION_NAME" ]; then
    docker exec "$NAME" curl -sf http://127.0.0.1:5199/api/sessions | grep -q "\"$SESSION_NAME\"" \
      || { echo "session $SESSION_NAME not listed after recreate"; return 1; }
  fi
  docker exec "$NAME" netclaw status || return 1
  echo "healthy $(secs "$START")s after the new docker run; keys, config, identity, sessions kept" >"$log.detail"
  docker stop "$NAME" >/dev/null && docker rm "$NAME" >/dev/null
}

s_badhost() {
  local n=netclaw-seed-badhost v=netclaw-seed-badhost
  claim_container "$n" && claim_volume "$v" || return 1
  docker run -d --network host --name "$n" --label "$LABEL" -v "$v:$DATA" \
    -e NETCLAW_Daemon__Host=0.0.0.0 "$IMAGE" >/dev/null || return 1
  # Exits at 0 s, restarts after 2 s, exits, restarts after 4 s: two exits within ~5 s.
  wait_for 20 sh -c "[ \$(docker logs $n 2>&1 | grep -c '^\[entrypoint\] netclawd exited (code=') -ge 2 ]" || true
  docker logs "$n" 2>&1 | tee "$TMP/badhost.log"
  grep -qF "Invalid local topology: Daemon.Host '0.0.0.0' is not a loopback address." "$TMP/badhost.log" \
    || { echo "the exact topology error is missing"; return 1; }
  grep -qE '^\[entrypoint\] netclawd exited \(code=[1-9][0-9]*\) after [0-9]+s, restarting in 2s\.\.\.$' "$TMP/badhost.log" \
    && grep -qE '^\[entrypoint\] netclawd exited \(code=[1-9][0-9]*\) after [0-9]+s, restarting in 4s\.\.\.$' "$TMP/badhost.log" \
    || { echo "no restart loop with a doubling delay"; return 1; }
  running "$n" || { echo "the container did not stay up"; return 1; }
  local t
  t=$(now)
  docker stop "$n" >/dev/null
  echo "restart loop with the exact error; stopped in $(secs "$t")s while waiting to restart" >"$log.detail"
  docker rm "$n" >/dev/null
}

s_bind_unfixable() {
  local n=netclaw-seed-bind dir code
  claim_container "$n" || return 1
  dir=$(mktemp -d /tmp/netclaw-seed-bind.XXXXXX)
  chown 1000:1000 "$dir" && chmod 0755 "$dir"
  # With CHOWN dropped the entrypoint cannot fix ownership, as under rootless Docker, user
  # namespaces or root-squashed NFS.
  docker run --network host --name "$n" --label "$LABEL" --cap-drop CHOWN -v "$dir:$DATA" "$IMAGE" \
    >"$TMP/bind.log" 2>&1
  code=$(docker inspect -f '{{.State.ExitCode}}' "$n")
  cat "$TMP/bind.log"
  docker rm "$n" >/dev/null
  rm -rf "$dir"
  [ "$code" = 1 ] || { echo "exit code $code, want 1"; return 1; }
  grep -qF "chown -R 1654:1654 $dir" "$TMP/bind.log" || { echo "the fix naming $dir is missing"; return 1; }
  echo "exit 1 with 'chown -R 1654:1654 $dir'" >"$log.detail"
}

s_bind_fixable() {
  local n=netclaw-seed-bind dir owner
  claim_container "$n" || return 1
  dir=$(mktemp -d /tmp/netclaw-seed-bind.XXXXXX)   # root-owned: the entrypoint takes it over
  docker run -d --network host --name "$n" --label "$LABEL" -v "$dir:$DATA" "$IMAGE" >/dev/null || return 1
  wait_for 30 ready "$n" || { docker logs "$n"; docker rm -f "$n" >/dev/null; rm -rf "$dir"; return 1; }
  owner=$(stat -c %u:%g "$dir")
  docker logs "$n" 2>&1 | grep -F 'taking ownership'
  docker stop "$n" >/dev/null
  docker rm "$n" >/dev/null
  rm -rf "$dir"
  [ "$owner" = 1654:1654 ] || { echo "host dir owned by $owner"; return 1; }
}

s_pair() {
  # As root through the launcher, like the page: the CLI must read the daemon user's key.
  docker exec "$NAME" netclaw daemon pair >"$TMP/pair.out" 2>&1
  local rc=$?
  cat "$TMP/pair.out"
  [ "$rc" = 0 ] || { echo "exit code $rc"; return 1; }
  grep -qE '^Pairing code: +[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$' "$TMP/pair.out" || { echo "no pairing code"; return 1; }
  grep -q 'netclaw pair ' "$TMP/pair.out" || { echo "no 'netclaw pair <endpoint>' line"; return 1; }
  echo "$(grep '^Pairing code' "$TMP/pair.out" | tr -s ' ')" >"$log.detail"
}

# A container started with no provider variables, set up with the scripted init over docker exec.
s_init_scripted() {
  local n=netclaw-seed-init v=netclaw-seed-init
  claim_container "$n" && claim_volume "$v" || return 1
  # With the page's last line, the host's Docker socket (s_docker_socket uses it after init).
  docker run -d --network host --name "$n" --label "$LABEL" -v "$v:$DATA" \
    -v "$HOST_DOCKER_SOCKET:/var/run/docker.sock" \
    -e NETCLAW_Daemon__UpdateFeedUrl="$REGISTRY_URL" "$IMAGE" >/dev/null || return 1
  wait_for 30 ready "$n" || { docker logs "$n"; return 1; }
  docker exec "$n" netclaw status >"$TMP/init-before.out" 2>&1
  grep -q 'degraded' "$TMP/init-before.out" || { cat "$TMP/init-before.out"; echo "expected degraded before init"; return 1; }
  docker exec -e SEED_KEY="$APIKEY" "$n" netclaw init --non-interactive --provider openrouter \
    --endpoint "$OPENROUTER_URL" --api-key-env SEED_KEY --model anthropic/claude-sonnet-4 --name Seed \
    >"$TMP/init.out" 2>&1
  local rc=$?
  cat "$TMP/init.out"
  [ "$rc" = 0 ] || { echo "init exit code $rc"; docker logs --tail 20 "$n"; return 1; }
  grep -q 'netclawd is back and ready' "$TMP/init.out" || { echo "init did not restart the daemon through the supervisor"; return 1; }
  docker exec "$n" netclaw status >"$TMP/init-after.out" 2>&1 || { cat "$TMP/init-after.out"; return 1; }
  grep -q 'anthropic/claude-sonnet-4 via openrouter' "$TMP/init-after.out" || { cat "$TMP/init-after.out"; return 1; }
  if docker exec -u netclaw "$n" netclaw chat --help >/dev/null 2>&1; then
    docker exec "$n" netclaw chat -p "init-ping-$$" >"$TMP/init-chat.out" 2>&1 || { cat "$TMP/init-chat.out"; return 1; }
    grep -q "echo: init-ping-$$" "$TMP/init-chat.out" || { cat "$TMP/init-chat.out"; echo "no answer after init"; return 1; }
    echo "init over docker exec, supervisor restart, status healthy, chat -p answers" >"$log.detail"
  else
    echo "init over docker exec, supervisor restart, status healthy (no chat command in this build yet)" >"$log.detail"
  fi
  docker exec -u netclaw "$n" grep -q 'ENC:v1:' "$DATA/config/secrets.json" || { echo "the key is not stored encrypted"; return 1; }
  # Left running for s_docker_socket, which removes it.
}

# The page's last line: with the host's Docker socket mounted, the agent manages containers. The
# container set up by s_init_scripted (Personal posture, where the shell tool exists) has it; it is
# removed afterwards whatever the outcome (later steps need 127.0.0.1:5199).
s_docker_socket() {
  docker_socket_chat netclaw-seed-init
  local rc=$?
  docker rm -f netclaw-seed-init >/dev/null 2>&1
  return "$rc"
}
docker_socket_chat() {
  local n=$1 rc
  running "$n" || { echo "the container of the init step is not running"; return 1; }
  docker logs "$n" 2>&1 | grep -E '^\[entrypoint\] Docker socket /var/run/docker\.sock mounted \(gid [0-9]+, group [^)]+\): netclawd may use the docker CLI$' \
    || { echo "no 'Docker socket ... mounted' line"; docker logs --tail 20 "$n"; return 1; }
  # The model's turn: one shell_execute call, then a closing text.
  curl -sf -X POST -H 'content-type: application/json' "$UPSTREAM_URL/__fake/replies" \
    -d '{"replies":[{"toolCalls":[{"name":"shell_execute","arguments":{"Command":"docker ps --format \"{{.Names}}\""}}]},"containers listed"]}' \
    >/dev/null || { echo "could not queue the fake replies"; return 1; }
  docker exec "$n" netclaw chat -p "list the containers ($$)" --json >"$TMP/dps.json" 2>"$TMP/dps.err"
  rc=$?
  cat "$TMP/dps.json" "$TMP/dps.err"
  [ "$rc" = 0 ] || { echo "chat exit code $rc"; return 1; }
  docker exec -i "$n" jq -r '.toolCalls[0] | "\(.name) isError=\(.isError)"' <"$TMP/dps.json" | grep -qx 'shell_execute isError=false' \
    || { echo "no successful shell_execute call"; return 1; }
  docker exec -i "$n" jq -r '.toolCalls[0].result' <"$TMP/dps.json" >"$TMP/dps.result"
  grep -qx "$n" "$TMP/dps.result" || { echo "the tool result does not list the container $n"; return 1; }
  # The model got that result back.
  curl -sf "$UPSTREAM_URL/__fake/requests" | grep -q "$n" || { echo "the fake upstream never saw the listing"; return 1; }
  # The group is the netclaw user's, so `docker exec -u netclaw` gets it too.
  docker exec -u netclaw "$n" docker ps -q >/dev/null || { echo "docker ps as netclaw through docker exec failed"; return 1; }
  echo "the agent's shell_execute ran docker ps and listed $n" >"$log.detail"
}

# Any GID: a socket of group 4242 (a forwarder to the host's), and a -v whose host path does not
# exist (Docker mounts an empty directory): adopted, and a clear warning with the daemon up.
s_docker_socket_variants() {
  local dir rc
  dir=$(mktemp -d /tmp/netclaw-seed-sock.XXXXXX)
  docker_socket_variants netclaw-seed-sock "$dir"
  rc=$?
  docker rm -f netclaw-seed-sock >/dev/null 2>&1
  if [ -n "$forwarder_pid" ]; then kill "$forwarder_pid" 2>/dev/null; wait "$forwarder_pid" 2>/dev/null; fi
  forwarder_pid=""
  rm -rf "$dir"
  return "$rc"
}
docker_socket_variants() {
  local n=$1 dir=$2 node
  claim_container "$n" || return 1
  node=$(find_node24) || return 1
  "$node" -e '
    const net = require("node:net"), fs = require("node:fs");
    const [path, gid, target] = process.argv.slice(1);
    net.createServer((c) => {
      const u = net.connect(target);
      c.pipe(u).pipe(c);
      c.on("error", () => u.destroy());
      u.on("error", () => c.destroy());
    }).listen(path, () => { fs.chownSync(path, 0, Number(gid)); fs.chmodSync(path, 0o660); });
  ' "$dir/docker.sock" 4242 "$HOST_DOCKER_SOCKET" &
  forwarder_pid=$!
  wait_for 20 sh -c "[ \"\$(stat -c %g:%a '$dir/docker.sock' 2>/dev/null)\" = 4242:660 ]" \
    || { echo "the forwarding socket did not come up"; return 1; }
  docker run -d --network host --name "$n" --label "$LABEL" -v "$dir/docker.sock:/var/run/docker.sock" "$IMAGE" >/dev/null || return 1
  wait_for 20 sh -c "docker logs $n 2>&1 | grep -q 'Docker socket'" || true
  docker logs "$n" 2>&1 | tee "$TMP/sock.log"
  grep -qxF '[entrypoint] Docker socket /var/run/docker.sock mounted (gid 4242, group docker): netclawd may use the docker CLI' "$TMP/sock.log" \
    || { echo "gid 4242 not adopted"; return 1; }
  docker exec -u netclaw "$n" docker ps --format '{{.Names}}' | grep -qx "$n" || { echo "docker ps through gid 4242 failed"; return 1; }
  docker rm -f "$n" >/dev/null
  docker run -d --network host --name "$n" --label "$LABEL" -v "$dir/missing.sock:/var/run/docker.sock" "$IMAGE" >/dev/null || return 1
  wait_for 30 ready "$n" || { docker logs "$n"; return 1; }
  docker logs "$n" 2>&1 | tee "$TMP/sock2.log"
  grep -qF '[entrypoint] WARN: Docker socket /var/run/docker.sock is mounted but netclawd cannot use it: it is a directory, not a socket' "$TMP/sock2.log" \
    || { echo "no warning for a directory at the socket path"; return 1; }
  echo "gid 4242 adopted (docker ps works); a missing host path warns and the daemon still starts" >"$log.detail"
}

# Image B = this image plus one more migration. Data written by A survives B's migration (with a
# copy saved first); A on the migrated volume refuses with the rollback message.
s_upgrade() {
  local n=netclaw-seed-upgrade v=netclaw-seed-upgrade ctx next db
  claim_container "$n" && claim_volume "$v" || return 1
  ctx=$TMP/upgrade-context
  mkdir -p "$ctx"
  tar -C "$ROOT" --exclude=./node_modules --exclude=./.git --exclude=./dist -cf - . | tar -C "$ctx" -xf - || return 1
  next=$(ls "$ctx/src/daemon/store/migrations" | sed -n 's/^\([0-9][0-9][0-9]\)_.*\.sql$/\1/p' | sort -n | tail -n 1)
  next=$(printf '%03d' $((10#$next + 1)))
  printf 'CREATE TABLE upgrade_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;\n' \
    >"$ctx/src/daemon/store/migrations/${next}_upgrade_probe.sql"
  docker build --network host --force-rm -q -f "$ctx/docker/Dockerfile" -t netclaw:seed-upgrade-b \
    --build-arg BASE_IMAGE="${BASE_IMAGE:-ubuntu:24.04}" --build-arg NODE_IMAGE="${NODE_IMAGE:-node:24}" "$ctx" >/dev/null || return 1
  db=$DATA/sessions/netclaw.db
  # A writes data.
  docker run -d --network host --name "$n" --label "$LABEL" -v "$v:$DATA" -e NETCLAW_Daemon__UpdateFeedUrl="$REGISTRY_URL" "$IMAGE" >/dev/null || return 1
  wait_for 30 ready "$n" || { docker logs "$n"; return 1; }
  docker exec -u netclaw "$n" sqlite3 "$db" "INSERT INTO meta (key, value) VALUES ('seed_upgrade_marker', 'written by A')" || return 1
  docker stop "$n" >/dev/null && docker rm "$n" >/dev/null
  # B migrates.
  docker run -d --network host --name "$n" --label "$LABEL" -v "$v:$DATA" -e NETCLAW_Daemon__UpdateFeedUrl="$REGISTRY_URL" netclaw:seed-upgrade-b >/dev/null || return 1
  wait_for 30 ready "$n" || { docker logs "$n"; return 1; }
  [ "$(docker exec -u netclaw "$n" sqlite3 "$db" "SELECT value FROM meta WHERE key = 'seed_upgrade_marker'")" = "written by A" ] \
    || { echo "data written by A is gone after B's migration"; return 1; }
  [ "$(docker exec -u netclaw "$n" sqlite3 "$db" 'SELECT MAX(version) FROM schema_version')" = "$((10#$next))" ] \
    || { echo "B did not apply migration $next"; return 1; }
  docker exec -u netclaw "$n" sh -c "ls $DATA/sessions/ | grep -q 'netclaw.db.pre-migration-v'" || { echo "no pre-migration copy"; return 1; }
  docker stop "$n" >/dev/null && docker rm "$n" >/dev/null
  # A again: refuses, in a restart loop, with the rollback message.
  docker run -d --network host --name "$n" --label "$LABEL" -v "$v:$DATA" -e NETCLAW_Daemon__UpdateFeedUrl="$REGISTRY_URL" "$IMAGE" >/dev/null || return 1
  wait_for 20 sh -c "docker logs $n 2>&1 | grep -q 'is at schema version'" || true
  docker logs "$n" 2>&1 | tee "$TMP/rollback.log" | tail -n 5
  grep -qE "Daemon startup aborted: Database .*netclaw\.db is at schema version $((10#$next)), but this netclawd .* only knows up to" "$TMP/rollback.log" \
    || { echo "the newer-database refusal is missing"; return 1; }
  grep -q 'restore the copy saved before the migration' "$TMP/rollback.log" || { echo "no rollback instructions"; return 1; }
  ! ready "$n" || { echo "A served a database it does not understand"; return 1; }
  docker stop "$n" >/dev/null && docker rm "$n" >/dev/null
  docker image rm netclaw:seed-upgrade-b >/dev/null 2>&1
  echo "A → B (migration $next) kept A's data and saved a copy; A on the migrated volume refuses with the rollback message" >"$log.detail"
}

# ---- run ---------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || { say "seed.sh must run as root (it starts the Docker engine)"; exit 1; }
say "seed: Docker image acceptance test ($IMAGE)"

step "engine up (setup-engine.sh)" s_engine || finish
step "stand-in base images (standins.sh)" s_standins || finish
step "docker build --network host" s_build || finish
step "image: entrypoint, healthcheck, volume, port, env, labels, tools, UID 1654" s_image_config
step "docker-compose -f docker/compose.yaml config" s_compose
step "fake upstream and npm registry on 127.0.0.1 (test/fakes)" s_upstream || finish
step "docker run -d --name netclaw -v netclaw-home:... (the page's variables)" s_run || finish
step "health 'healthy' within the 30 s start period" s_healthy
step "docker exec netclaw netclaw status" s_status
step "update check runs, self-update disabled" s_update_check
step "docker exec netclaw netclaw doctor" s_doctor
step "launcher: exit codes, no root message as netclaw" s_launcher
step "processes and data run as UID 1654" s_uids
step "chat through the fake upstream" s_chat
step "docker exec netclaw netclaw daemon pair prints a code" s_pair
step "persistence: markers in config/identity/sessions" s_persist_prepare
step "daemon killed: container stays up, daemon back" s_kill_restart
step "docker stop: clean, under 10 s" s_stop
step "docker rm + new container on the same volume keeps state" s_recreate
step "NETCLAW_Daemon__Host=0.0.0.0: restart loop and the exact error" s_badhost
step "bind mount not owned by 1654, not fixable: clear error" s_bind_unfixable
step "bind mount of a root-owned host dir: taken over, daemon starts" s_bind_fixable
step "no provider env: docker exec netclaw netclaw init --non-interactive, then status/chat" s_init_scripted
step "Docker socket mounted: a chat turn's shell tool lists containers" s_docker_socket
step "Docker socket of another GID adopted; a missing host socket warns" s_docker_socket_variants
step "upgrade: image B with one more migration keeps A's data; A again refuses to roll back" s_upgrade
finish
