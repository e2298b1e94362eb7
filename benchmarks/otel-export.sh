#!/usr/bin/env bash
# Issue 16: file export into a local Zipkin, Zipkin's own ceiling, and the exporter against a sink that
# discards; optionally the 1 GiB trace in a 64 MiB heap. One run, figures for BENCHMARKS.md.
#   flock /work/wt/bench.lock benchmarks/otel-export.sh [BIG.trace]
# Needs: mvn -B -o package -DskipTests (trace-tool/target/asynctrace.jar, benchmarks/target/benchmarks.jar)
# and the Zipkin server jar (~/.m2 io/zipkin/zipkin-server/3.5.1, classifier exec). Loopback only.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/trace-tool/target/asynctrace.jar
BENCH=$ROOT/benchmarks/target/benchmarks.jar
ZIPKIN=${ZIPKIN:-$HOME/.m2/repository/io/zipkin/zipkin-server/3.5.1/zipkin-server-3.5.1-exec.jar}
ORDERS=${ORDERS:-250000}
SINK_ORDERS=${SINK_ORDERS:-1000000} # the discarding sink takes more: a bigger trace, so the JVM's start matters less
ZPORT=${ZPORT:-19511}
SPORT=${SPORT:-19512}
BIG=${1:-}
W=$(mktemp -d /tmp/otel-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
cp "$JAR" "$W/asynctrace.jar" && cp "$BENCH" "$W/benchmarks.jar" || exit 1 # a build during the run cannot change them
JAR=$W/asynctrace.jar; BENCH=$W/benchmarks.jar
cpu() { awk '{printf "%.1f", ($14+$15)/100}' /proc/$1/stat; }
timed() { # label, command...: wall, CPU and max RSS of one command
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$W/time" "$@" > "$W/out" 2> "$W/err" || { echo "$label FAILED:"; tail -3 "$W/err"; return 1; }
  read wall user sys rss < "$W/time"
  echo "$label: $(tail -1 "$W/out")"
  echo "$label: ${wall} s wall, $(echo "$user + $sys" | bc) s CPU, max RSS $((rss / 1024)) MiB"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
java -cp "$BENCH" io.asynctrace.benchmarks.otel.OrdersTrace "$ORDERS" "$W/orders.trace" | tail -1
SPANS=$((ORDERS * 4))

# A fresh Zipkin for each measurement, holding every span it gets: once full, its in-memory storage
# evicts, and evicting costs it more than ingesting (a first run with MEM_MAX_SPANS=500000 reached it).
ZPID=
start_zipkin() {
  [ -n "$ZPID" ] && kill "$ZPID" && wait "$ZPID" 2>/dev/null
  MEM_MAX_SPANS=${MEM_MAX_SPANS:-3000000} java -Xmx4g -jar "$ZIPKIN" --armeria.ports[0].ip=127.0.0.1 \
    --armeria.ports[0].port=$ZPORT --armeria.ports[0].protocols=http --logging.level.root=WARN > "$W/zipkin.log" 2>&1 &
  ZPID=$!; PIDS+=($ZPID)
  for i in $(seq 600); do curl -sf -o /dev/null http://127.0.0.1:$ZPORT/health && break; sleep 0.5; done
  # warm it up with a small export (8 000 spans)
  java -jar "$JAR" export "$W/small.trace" --format zipkin --endpoint http://127.0.0.1:$ZPORT/api/v2/spans --service warmup > /dev/null
}
java -cp "$BENCH" io.asynctrace.benchmarks.otel.OrdersTrace 2000 "$W/small.trace" > /dev/null
start_zipkin
java -Xmx256m -cp "$BENCH" io.asynctrace.benchmarks.otel.SpanSink $SPORT > "$W/sink.log" 2>&1 &
SPID=$!; PIDS+=($SPID)
for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$SPORT/stats && break; sleep 0.2; done
# The ceiling's spans are copies of what an export stores (its tags), with fresh ids.
curl -s "http://127.0.0.1:$ZPORT/api/v2/traces?serviceName=warmup&limit=1" > "$W/template.json"

echo "== Zipkin alone: pre-encoded batches of 2048 spans from 2 client threads, 10 s each"
for enc in proto3 json; do
  before=$(cpu $ZPID)
  java -cp "$BENCH" io.asynctrace.benchmarks.otel.ZipkinCeiling http://127.0.0.1:$ZPORT/api/v2/spans "$W/template.json" $enc plain 2048 2 10 | tail -1 | sed "s/^/zipkin ceiling $enc: /"
  echo "zipkin ceiling $enc: the server used $(echo "$(cpu $ZPID) - $before" | bc) s CPU"
done

echo "== our export of $SPANS spans (wall includes the JVM's start and both passes over the file)"
for args in "zipkin" "zipkin --encoding json --compression gzip"; do
  start_zipkin
  before=$(cpu $ZPID)
  timed "export --format $args -> Zipkin" java -jar "$JAR" export "$W/orders.trace" --format $args \
    --endpoint http://127.0.0.1:$ZPORT/api/v2/spans --service "bench-${args// /}" && \
  echo "export --format $args -> Zipkin: $(awk -v s=$SPANS -v w=$wall 'BEGIN {printf "%.0f", s / w}') spans/s; the server used $(echo "$(cpu $ZPID) - $before" | bc) s CPU"
done
java -cp "$BENCH" io.asynctrace.benchmarks.otel.OrdersTrace "$SINK_ORDERS" "$W/sink.trace" | tail -1
SINK_SPANS=$((SINK_ORDERS * 4))
for args in "zipkin" "otlp" "otlp -Xmx512m"; do
  format=${args%% *}; heap=; [ "$args" != "$format" ] && heap=${args#* }
  path=/api/v2/spans; [ "$format" = otlp ] && path=/v1/traces
  timed "export --format $args -> sink" java $heap -jar "$JAR" export "$W/sink.trace" --format $format \
    --endpoint http://127.0.0.1:$SPORT$path --service bench && \
  echo "export --format $args -> sink: $(awk -v s=$SINK_SPANS -v w=$wall 'BEGIN {printf "%.0f", s / w}') spans/s"
done
timed "summary (the machine's yardstick)" java -jar "$JAR" summary "$W/orders.trace"
curl -s http://127.0.0.1:$ZPORT/prometheus | grep -E '^zipkin_collector_spans_(dropped_)?total\{transport="http"' | sed 's/^/last zipkin: /'

if [ -n "$BIG" ]; then
  echo "== $BIG to the sink over OTLP in a 64 MiB heap (progress on a terminal: run under script)"
  script -q -c "/usr/bin/time -f '%e s wall, %U s user, %S s sys, max RSS %M KB' java -Xmx64m -jar $JAR export $BIG --format otlp --endpoint http://127.0.0.1:$SPORT/v1/traces --service big" "$W/big.typescript" > /dev/null
  tr '\r' '\n' < "$W/big.typescript" | grep -v '^\[' | grep -v '^$' | grep -v '^Script' | tail -6
  tr '\r' '\n' < "$W/big.typescript" | grep '^\[' | tail -1 | sed 's/^/last progress line: /'
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$W"
