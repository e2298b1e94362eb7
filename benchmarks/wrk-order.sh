#!/usr/bin/env bash
# Throughput of the order service of issue 14 (benchmarks' OrderService) under wrk, on loopback:
# the service written without asynctrace ("plain"), the traced build with tracing off ("off"), and
# the traced build while a live trace is fetched from its endpoint ("live"); ROUNDS alternating rounds,
# medians and ratios to plain.
#
#   bash benchmarks/wrk-order.sh                  # 5 rounds of 10 s per phase, 2 wrk threads, 32 connections
#   ROUNDS=3 DURATION=5 bash benchmarks/wrk-order.sh
#
# Needs wrk (Debian: apt-get install wrk), curl and a built benchmarks jar
# (mvn -pl benchmarks -am package -DskipTests; BUILD=1 builds it). Loopback only; every phase is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-15}
ROUNDS=${ROUNDS:-5}
PORT=${PORT:-18180}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
JAR=benchmarks/target/benchmarks.jar

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }
if [ "${BUILD:-0}" = 1 ] || [ ! -f "$JAR" ]; then
  mvn -q -B ${MVN_OFFLINE:+-o} -pl benchmarks -am package -DskipTests >&2
fi

PLAIN_PORT=$PORT
TRACED_PORT=$((PORT + 10))
DEBUG_PORT=$((TRACED_PORT + 1))
java -Xmx512m -cp "$JAR" io.asynctrace.benchmarks.netty.OrderService "$PLAIN_PORT" plain >"$OUT/plain.log" 2>&1 &
PLAIN=$!
java -Xmx512m -cp "$JAR" io.asynctrace.benchmarks.netty.OrderService "$TRACED_PORT" traced >"$OUT/traced.log" 2>&1 &
TRACED=$!
trap 'kill "$PLAIN" "$TRACED" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

for url in "http://127.0.0.1:$PLAIN_PORT/order/1" "http://127.0.0.1:$TRACED_PORT/order/1"; do
  for _ in $(seq 1 150); do
    curl -fs "$url" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "$url" >/dev/null
done

rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
load() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" "http://127.0.0.1:$1/order/42" >"$3"; }

# Warm up every code path the rounds measure (the JIT compiles the recorder's too), then alternate.
load "$PLAIN_PORT" "${WARMUP}s" "$OUT/warmup-plain.txt"
load "$TRACED_PORT" "${WARMUP}s" "$OUT/warmup-off.txt"
curl -fs -o /dev/null "http://127.0.0.1:$DEBUG_PORT/debug/asynctrace/trace?seconds=$((WARMUP + 1))" &
CURL=$!
sleep 0.5
load "$TRACED_PORT" "${WARMUP}s" "$OUT/warmup-live.txt"
wait "$CURL"

for r in $(seq 1 "$ROUNDS"); do
  load "$PLAIN_PORT" "${DURATION}s" "$OUT/plain-$r.txt"
  load "$TRACED_PORT" "${DURATION}s" "$OUT/off-$r.txt"
  # The trace window covers the whole live phase: start it, let it begin recording, then load.
  curl -fs -o "$OUT/live-$r.trace" "http://127.0.0.1:$DEBUG_PORT/debug/asynctrace/trace?seconds=$((DURATION + 2))" &
  CURL=$!
  sleep 0.5
  load "$TRACED_PORT" "${DURATION}s" "$OUT/live-$r.txt"
  wait "$CURL"
  echo "round $r: plain $(rps "$OUT/plain-$r.txt"), off $(rps "$OUT/off-$r.txt"), live $(rps "$OUT/live-$r.txt") requests/s;" \
       "trace $(stat -c %s "$OUT/live-$r.trace") bytes"
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { for r in $(seq 1 "$ROUNDS"); do rps "$OUT/$1-$r.txt"; done | median; }
P=$(med plain); F=$(med off); L=$(med live)
echo "machine: $(nproc) cpus, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s http://127.0.0.1:PORT/order/42, $ROUNDS alternating rounds"
echo "plain (no asynctrace): $P requests/s (median)"
echo "installed, tracing off: $F requests/s (median)"
echo "live trace running:     $L requests/s (median)"
awk -v p="$P" -v f="$F" -v l="$L" 'BEGIN { printf "off/plain: %.3f   live/plain: %.3f\n", f / p, l / p }'
# The same ratios taken within each round (its three phases ran back to back), then their median:
# a round where the whole machine slowed moves all three phases, so it moves these ratios less.
ratio() { for r in $(seq 1 "$ROUNDS"); do awk -v a="$(rps "$OUT/$1-$r.txt")" -v p="$(rps "$OUT/plain-$r.txt")" 'BEGIN { print a / p }'; done | median; }
awk -v f="$(ratio off)" -v l="$(ratio live)" 'BEGIN { printf "per-round ratios, median: off/plain: %.3f   live/plain: %.3f\n", f, l }'
echo "raw wrk output and traces in $OUT"
