#!/usr/bin/env bash
# Runs every benchmark of issue 6 and writes the report.
#
#   benchmarks/run.sh [full|smoke]
#
# full (default): JMH benchmarks 1, 2 and 6 and scenarios 3-5 with settings that fit a
#   2-core machine in under 15 minutes; writes docs/benchmarks.md.
# smoke: minimal settings, under a minute or two, to check that everything still compiles
#   and runs (CI); asserts nothing about time; writes benchmarks/target/results/benchmarks-smoke.md.
#
# Needs Redis on 127.0.0.1:6379 (BENCH_REDIS_PORT to change), used under a key prefix of the
# run's own and cleaned up by prefix; round trips are counted on a redis-server the run
# starts itself when the binary is on the PATH. MVN_ARGS adds Maven options (e.g. -o).
set -euo pipefail

MODE="${1:-full}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT="benchmarks/target/results"
PORT="${BENCH_REDIS_PORT:-6379}"

case "$MODE" in
  full)
    JMH_OPTS="-f 2 -wi 3 -i 5 -w 1s -r 2s"
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
JAVA_OPTS="-Dbench.redis.port=$PORT"

jmh() {
  local name="$1"; shift
  echo "== JMH $name"
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$CP" org.openjdk.jmh.Main $JMH_OPTS -jvmArgsAppend "$JAVA_OPTS" \
    -rf json -rff "$OUT/$name.json" -o "$OUT/$name.log" "$@"
  tail -n 6 "$OUT/$name.log"
}

jmh l1 'L1HitBenchmark'
jmh l2 'L2HitBenchmark'
jmh gc 'L1HitBenchmark' -prof gc

echo "== Scenarios (stampede, tag invalidation, round trips)"
java $JAVA_OPTS -cp "$CP" dev.tieredcache.benchmarks.Scenarios "$MODE" "$OUT/scenarios.json" \
  > "$OUT/scenarios.log" 2>&1 || { tail -n 40 "$OUT/scenarios.log"; exit 1; }
grep -v 'DEBUG\|^\s*at ' "$OUT/scenarios.log" | grep -E '^(Scenario|  )' | cut -c1-200 || true

echo "== Report"
java -cp "$CP" dev.tieredcache.benchmarks.ReportGenerator "$OUT/l1.json" "$OUT/l2.json" "$OUT/gc.json" \
  "$OUT/scenarios.json" "$REPORT" "$MODE" "$JMH_OPTS" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  benchmarks/report-notes.md
echo "Done in $(( $(date +%s) - started ))s: $REPORT"
