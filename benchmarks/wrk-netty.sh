#!/usr/bin/env bash
# Throughput of the demo server (trace-netty DemoServer, GET /order without timers) under wrk,
# with tracing off and then on (a live trace fetched from the endpoint), in one run.
#
#   bash benchmarks/wrk-netty.sh            # 3 rounds of 10 s off + 10 s on, 2 wrk threads, 32 connections
#   DURATION=30 CONNECTIONS=64 bash benchmarks/wrk-netty.sh
#
# Needs wrk (Debian: apt-get install wrk) and curl. Loopback only. Prints each round, the medians and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-5}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18080}
OUT=${OUT:-$(mktemp -d)}

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }

mvn -q -B ${MVN_OFFLINE:+-o} -pl trace-netty -am package -DskipTests dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/cp.txt" >&2
CP="trace-netty/target/classes:$(cat "$OUT/cp.txt")"

java -Xmx512m -cp "$CP" io.asynctrace.netty.DemoServer "$PORT" --step-millis 0 >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  curl -fs "$URL/order" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "$URL/order" >/dev/null

rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }

wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$URL/order" >"$OUT/warmup.txt"

# Phases alternate (off, on, off, on, ...) so that load from other processes hits both alike;
# the figures are the medians over ROUNDS.
for r in $(seq 1 "$ROUNDS"); do
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL/order" >"$OUT/off-$r.txt"
  # The trace window covers the whole measured phase: start it, wait until it records, then load.
  curl -fs -o "$OUT/live-$r.trace" "$URL/debug/asynctrace/trace?seconds=$((DURATION + 2))" &
  CURL=$!
  sleep 0.5
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL/order" >"$OUT/on-$r.txt"
  wait "$CURL"
  echo "round $r: off $(rps "$OUT/off-$r.txt") requests/s, on $(rps "$OUT/on-$r.txt") requests/s," \
       "trace $(stat -c %s "$OUT/live-$r.trace") bytes"
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
OFF=$(for r in $(seq 1 "$ROUNDS"); do rps "$OUT/off-$r.txt"; done | median)
ON=$(for r in $(seq 1 "$ROUNDS"); do rps "$OUT/on-$r.txt"; done | median)
echo "machine: $(nproc) cpus, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s $URL/order, $ROUNDS rounds"
echo "tracing off: $OFF requests/s (median)"
echo "tracing on:  $ON requests/s (median)"
awk -v off="$OFF" -v on="$ON" 'BEGIN { printf "on/off: %.3f (throughput loss %.1f %%)\n", on / off, (1 - on / off) * 100 }'
echo "raw wrk output in $OUT"
