#!/usr/bin/env bash
# Builds the sample application with Spring AOT (the "aot" Maven profile: process-aot) and runs
# it on the JVM with -Dspring.aot.enabled=true through the requests of the tour in docs/sample-app.md, asserting the
# answers; then stops it. Checks too that the runtime hints the starter registers (its Lua
# scripts, the SpEL root) reached the generated native-image metadata. Bounded in time.
#
#   sample-app/aot-smoke.sh
#
# Needs Java 17+, Maven (./mvnw is used when present) and Redis on 127.0.0.1:6379 (the sample's
# default; each run gets a key prefix of its own). MVN_ARGS adds Maven options (e.g. -o).
# GraalVM is not needed: what a native image would need is checked, not built.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
MVN="mvn"
[ -x ./mvnw ] && MVN="./mvnw"
OUT="sample-app/target/aot-smoke"
JAR="sample-app/target/sample-app-0.1.0-SNAPSHOT.jar"
METADATA="sample-app/target/spring-aot/main/resources/META-INF/native-image/dev.tieredcache/sample-app/reachability-metadata.json"
# Generous bounds: on a loaded CI machine a cold start takes a while; nothing here waits longer.
STARTUP_SECONDS=180

log() { printf '[aot-smoke] %s\n' "$*"; }
fail() { printf '[aot-smoke] FAILED: %s\n' "$*" >&2; [ -f "$OUT/app.log" ] && tail -n 40 "$OUT/app.log" >&2; exit 1; }

rm -rf "$OUT" && mkdir -p "$OUT"
log "building the sample with Spring AOT ($OUT/build.log)"
# shellcheck disable=SC2086
"$MVN" -q -B ${MVN_ARGS:-} -Paot -pl sample-app -am package -DskipTests >"$OUT/build.log" 2>&1 \
  || { tail -n 60 "$OUT/build.log" >&2; fail "the AOT build failed"; }
[ -f "$JAR" ] || fail "no jar at $JAR"
[ -f "$METADATA" ] || fail "process-aot wrote no native-image metadata ($METADATA)"
# The metadata is JSON, which may escape slashes.
grep -Eq 'dev\\?/tieredcache\\?/redis\\?/\*\.lua' "$METADATA" || fail "the Lua scripts are not in the resource hints"
grep -q 'dev.tieredcache.interceptor.InvocationContext$Root' "$METADATA" || fail "the SpEL root is not in the reflection hints"
grep -q '"dev.tieredcache.sample.User"' "$METADATA" || fail "the cached User type is not in the reflection hints"

log "starting the jar with -Dspring.aot.enabled=true"
java -Dspring.aot.enabled=true -jar "$JAR" --server.port=0 --sample.db-latency=0ms >"$OUT/app.log" 2>&1 &
APP=$!
stop() {
  if kill -0 "$APP" 2>/dev/null; then
    kill "$APP" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$APP" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$APP" 2>/dev/null || true
  fi
}
trap stop EXIT

PORT=""
deadline=$((SECONDS + STARTUP_SECONDS))
while [ "$SECONDS" -lt "$deadline" ]; do
  kill -0 "$APP" 2>/dev/null || fail "the application exited during start-up"
  if grep -q 'Started SampleApplication' "$OUT/app.log"; then
    PORT="$(sed -n 's/.*Tomcat started on port \([0-9][0-9]*\).*/\1/p' "$OUT/app.log" | head -n 1)"
    break
  fi
  sleep 0.5
done
[ -n "$PORT" ] || fail "not started within ${STARTUP_SECONDS}s"
grep -q 'Starting AOT-processed SampleApplication' "$OUT/app.log" || fail "the application did not run in AOT mode"
BASE="http://127.0.0.1:$PORT"

# A slow start may have found Redis late (the app then serves without it and keeps trying):
# the tour wants both tiers, so wait until the circuit is closed.
deadline=$((SECONDS + 60))
until curl -sS --max-time 10 "$BASE/actuator/health" 2>/dev/null | grep -q '"circuit":"closed"'; do
  [ "$SECONDS" -lt "$deadline" ] || fail "the Redis circuit did not close: is Redis answering on 127.0.0.1:6379?"
  sleep 0.5
done
log "running the tour against $BASE"

# request METHOD PATH [JSON]: prints the body, then the HTTP status on its own last line.
request() {
  local method="$1" path="$2" body="${3:-}"
  if [ -n "$body" ]; then
    curl -sS --max-time 10 -X "$method" -H 'Content-Type: application/json' -d "$body" -w '\n%{http_code}' "$BASE$path"
  else
    curl -sS --max-time 10 -X "$method" -w '\n%{http_code}' "$BASE$path"
  fi
}

# expect METHOD PATH [JSON] STATUS TEXT...: the answer has the status and contains every text.
expect() {
  local method="$1" path="$2" body="" status
  shift 2
  if [ "${1:0:1}" = "{" ]; then body="$1"; shift; fi
  status="$1"; shift
  local answer code
  answer="$(request "$method" "$path" "$body")" || fail "$method $path: no answer"
  code="$(printf '%s' "$answer" | tail -n 1)"
  answer="$(printf '%s' "$answer" | sed '$d')"
  [ "$code" = "$status" ] || fail "$method $path answered $code, expected $status: $answer"
  for text in "$@"; do
    case "$answer" in *"$text"*) ;; *) fail "$method $path: '$text' not in $answer" ;; esac
  done
  printf '%s' "$answer"
}

# expect_not METHOD PATH TEXT: the answer (200) does not contain the text.
expect_not() {
  local answer
  answer="$(expect "$1" "$2" 200)"
  case "$answer" in *"$3"*) fail "$1 $2: '$3' should not be in $answer" ;; esac
}

user_queries() {
  expect GET '/actuator/metrics/sample.db.queries?tag=query:user' 200 '"COUNT"' \
    | sed 's/.*"statistic":"COUNT","value":\([0-9.]*\).*/\1/'
}

# A user, twice: one database query; a missing user, cached as missing.
expect GET /users/1 200 '"name":"Alice"' >/dev/null
expect GET /users/1 200 '"name":"Alice"' >/dev/null
[ "$(user_queries)" = "1.0" ] || fail "two reads of user 1 queried the database $(user_queries) times, expected 1.0"
expect GET /users/999 404 >/dev/null
expect GET /users/999 404 >/dev/null

# Write-through: the next read is the new value.
expect PUT /users/1/profile '{"email":"alice@ops.example","bio":"Now on call"}' 200 '"email":"alice@ops.example"' >/dev/null
expect GET /users/1 200 '"email":"alice@ops.example"' >/dev/null

# Tags: moving Alice refreshes both member lists and her dashboard.
expect GET /teams/1/members 200 '"name":"Alice"' >/dev/null
expect GET /users/1/dashboard 200 '"teamName":"Platform"' >/dev/null
expect PUT /users/1/team '{"teamId":2}' 200 '"fromTeam":1' '"toTeam":2' >/dev/null
expect_not GET /teams/1/members '"name":"Alice"'
expect GET /teams/2/members 200 '"name":"Alice"' >/dev/null
expect GET /users/1/dashboard 200 '"teamName":"Payments"' >/dev/null

# Plain @Cacheable and a versioned group: renaming a team reaches every dashboard.
expect GET /teams/2 200 '"name":"Payments"' >/dev/null
expect PUT /teams/2 '{"name":"Treasury"}' 200 '"name":"Treasury"' >/dev/null
expect GET /teams/2 200 '"name":"Treasury"' >/dev/null
expect GET /users/3/dashboard 200 '"teamName":"Treasury"' >/dev/null

# The actuator: health with the cache's component, the starter's endpoint, its meters.
expect GET /actuator/health 200 '"status":"UP"' '"tieredCache"' '"circuit":"closed"' >/dev/null
expect GET /actuator/tieredcache 200 '"users"' '"dashboards"' >/dev/null
expect GET /actuator/prometheus 200 'tiered_cache_gets_total' 'tiered_cache_loads_seconds_count' >/dev/null

log "passed: the AOT-processed sample answered the tour"
