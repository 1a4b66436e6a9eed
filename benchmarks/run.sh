#!/usr/bin/env bash
# Runs every benchmark of issues 6, 13, 14 and 15 (and value compression) and writes the report.
#
#   benchmarks/run.sh [full|smoke]
#
# full (default): JMH benchmarks (L1 hit with 1 and 2 threads, L2 hit, allocation) and the
#   scenarios (interleaved hits, miss and load, stampede, tag invalidation, invalidation
#   reach, round trips, batch reads, compression, write-behind against PostgreSQL, memory per
#   entry), the starter beside Spring's caches, the floor and the peers JetCache and Redisson, with settings that fit a 2-core machine in under
#   15 minutes; writes docs/benchmarks.md.
# smoke: minimal settings, about two minutes on 2 quiet cores, to check that everything still compiles and
#   runs, every peer scenario once (CI); asserts nothing about time; writes
#   benchmarks/target/results/benchmarks-smoke.md.
#
# Needs Redis on 127.0.0.1:6379 (BENCH_REDIS_PORT to change), used under a key prefix of the
# run's own and cleaned up by prefix; round trips, batch reads, compression, write-behind and memory per
# entry are measured on a redis-server the run starts itself when the binary is on the PATH. The write-behind
# scenario needs PostgreSQL at 127.0.0.1:5432, database test, user postgres (BENCH_POSTGRES_URL, a JDBC
# URL, to change; it works in a schema of its own, dropped at the end). MVN_ARGS adds Maven
# options (e.g. -o). A benchmark or scenario that fails is reported as such; the run goes on.
set -euo pipefail

MODE="${1:-full}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT="benchmarks/target/results"
PORT="${BENCH_REDIS_PORT:-6379}"

case "$MODE" in
  full)
    JMH_OPTS="-f 1 -wi 3 -i 5 -w 1s -r 1s"
    REPORT="docs/benchmarks.md" ;;
  smoke)
    JMH_OPTS="-f 0 -wi 0 -i 1 -r 100ms"
    REPORT="$OUT/benchmarks-smoke.md" ;;
  *)
    echo "usage: $0 [full|smoke]" >&2; exit 2 ;;
esac

started=$(date +%s)
mvn -q -B ${MVN_ARGS:-} package -pl benchmarks -am -DskipTests
rm -rf "$OUT" && mkdir -p "$OUT"
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
JAVA_OPTS="-Dbench.redis.port=$PORT${BENCH_POSTGRES_URL:+ -Dbench.postgres.url=$BENCH_POSTGRES_URL}"

jmh() {
  local name="$1"; shift
  echo "== JMH $name"
  # shellcheck disable=SC2086
  if ! java $JAVA_OPTS -cp "$CP" org.openjdk.jmh.Main $JMH_OPTS -jvmArgsAppend "$JAVA_OPTS" \
      -rf json -rff "$OUT/$name.json" -o "$OUT/$name.log" "$@"; then
    echo "JMH $name failed: its tables will say so (see $OUT/$name.log)"
    rm -f "$OUT/$name.json"
  fi
  tail -n 8 "$OUT/$name.log" || true
}

if [ "$MODE" = smoke ]; then
  # One L1 run serves for the allocation table too, and the 2-thread run covers the starter
  # alone: smoke checks that everything runs, quickly.
  jmh l1 'L1HitBenchmark' -prof gc
  cp "$OUT/l1.json" "$OUT/gc.json" 2>/dev/null || true
  jmh l1t2 'L1HitBenchmark' -t 2 -p cache=ReadThrough
else
  jmh l1 'L1HitBenchmark'
  jmh l1t2 'L1HitBenchmark' -t 2
  jmh gc 'L1HitBenchmark' -prof gc
fi
jmh l2 'L2HitBenchmark'

echo "== Scenarios (interleaved hits, miss, stampede, tags, reach, round trips, batch reads, compression, write-behind, memory)"
java $JAVA_OPTS -cp "$CP" dev.tieredcache.benchmarks.Scenarios "$MODE" "$OUT/scenarios.json" \
  > "$OUT/scenarios.log" 2>&1 || { tail -n 40 "$OUT/scenarios.log"; exit 1; }
grep -v 'DEBUG\|^\s*at ' "$OUT/scenarios.log" | grep -E '^(Scenario|  )' | cut -c1-200 || true

echo "== Report"
java -cp "$CP" dev.tieredcache.benchmarks.ReportGenerator "$OUT/l1.json" "$OUT/l1t2.json" "$OUT/l2.json" "$OUT/gc.json" \
  "$OUT/scenarios.json" "$REPORT" "$MODE" "$JMH_OPTS" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  benchmarks/report-notes.md
echo "Done in $(( $(date +%s) - started ))s: $REPORT"
