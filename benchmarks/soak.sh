#!/usr/bin/env bash
# Issue 13's soak of the always-on setup: the demo service (trace-netty DemoServer) under wrk with a flight
# recorder always on and a slow-task trigger firing (every 5000th order takes --slow-millis + 50 ms, and each
# such request writes a snapshot into a directory), a live trace fetched from the endpoint every 20 s (a 2 s
# window), heap after a full GC and RSS sampled every 30 s. At the end a flight snapshot is fetched too.
# Checks: every live trace, every triggered snapshot and the final snapshot read complete with 0 drops.
#
#   bash benchmarks/soak.sh                 # 600 s
#   DURATION=120 bash benchmarks/soak.sh    # a shorter one
#
# Needs wrk, curl and jcmd (the JDK's). Loopback only. Prints the samples and the checks; exits 1 if a check
# fails. CP=... skips the build (a classpath with trace-netty, its dependencies and trace-tool).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-600}
PORT=${PORT:-18090}
CONNECTIONS=${CONNECTIONS:-16}
SLOW_MILLIS=${SLOW_MILLIS:-200}
SLOW_EVERY=${SLOW_EVERY:-5000}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT/live" "$OUT/flight"

for tool in wrk curl jcmd; do
  command -v "$tool" >/dev/null || { echo "soak.sh: $tool not found" >&2; exit 2; }
done
if [ -z "${CP:-}" ]; then
  mvn -q -B ${MVN_OFFLINE:+-o} -pl trace-netty,trace-tool -am package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile="$OUT/cp.txt" >&2
  CP="trace-netty/target/classes:trace-tool/target/classes:trace-core/target/classes:$(cat "$OUT/cp.txt")"
fi

java -Xmx256m -cp "$CP" io.asynctrace.netty.DemoServer "$PORT" --step-millis 0 --flight "$OUT/flight" \
  --slow-millis "$SLOW_MILLIS" --slow-every "$SLOW_EVERY" >"$OUT/server.log" 2>&1 &
SERVER=$!
WRK=
trap 'kill $WRK "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 150); do
  curl -fs "$URL/order" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "$URL/order" >/dev/null

wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$URL/order" >"$OUT/wrk.txt" 2>&1 &
WRK=$!

# Reads a trace with the CLI: prints "complete dropped events" from summary --json.
check() {
  java -cp "$CP" io.asynctrace.tool.Main summary "$1" --json 2>/dev/null \
    | python3 -c 'import json,sys; s=json.load(sys.stdin); print(str(s["complete"]).lower(), s["dropped"], s["events"])' \
    || echo "unreadable - -"
}

failed=0
# Scheduled by deadline, not by "now % 30": a slow iteration (a GC, a fetch) must not skip a sample. The live
# traces are fetched in the background (each takes its 2 s window) and read after the run, so neither delays
# the samples.
start=$(date +%s)
next_sample=0
next_fetch=0
fetchers=()
while :; do
  now=$(( $(date +%s) - start ))
  [ "$now" -ge "$DURATION" ] && break
  if [ "$now" -ge "$next_sample" ]; then
    next_sample=$((next_sample + 30))
    jcmd "$SERVER" GC.run >/dev/null
    heap=$(jcmd "$SERVER" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {print $(i+1); exit}}')
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
    echo "$now ${heap%K} $rss" >>"$OUT/samples.txt"
  fi
  if [ "$now" -ge "$next_fetch" ]; then
    next_fetch=$((next_fetch + 20))
    f="$OUT/live/live-$(printf %04d "$now").trace"
    ( curl -fs -o "$f" "$URL/debug/asynctrace/trace?seconds=2" || echo "fetch at $now s failed" >>"$OUT/errors.txt" ) &
    fetchers+=($!)
  fi
  sleep 0.5
done
wait "$WRK" || true
WRK=
for p in "${fetchers[@]}"; do wait "$p" || true; done
curl -fs -o "$OUT/final-flight.trace" "$URL/debug/asynctrace/flight"
final=$(check "$OUT/final-flight.trace")
case "$final" in "true 0 "*) ;; *) failed=1 ;; esac
fetches=0
for f in "$OUT"/live/*.trace; do
  [ -e "$f" ] || continue
  fetches=$((fetches + 1))
  r=$(check "$f")
  t=${f##*/live-}; t=${t%.trace}
  echo "$((10#$t)) live $r" >>"$OUT/live.txt"
  case "$r" in "true 0 "*) ;; *) failed=1 ;; esac
done

echo "== samples (t s, heap used after GC KiB, RSS KiB)"; cat "$OUT/samples.txt"
awk '$1 >= 60 { n++; if (!h || $2 < hl) hl = $2; if ($2 > hh) hh = $2; if (!h || $3 < rl) rl = $3; if ($3 > rh) rh = $3; h = 1 }
  END { if (n) printf "== from 60 s on, %d samples: heap after GC %d..%d KiB, RSS %d..%d KiB\n", n, hl, hh, rl, rh }' "$OUT/samples.txt"
echo "== live traces: $fetches (t s, complete dropped events)"; cat "$OUT/live.txt"
snapshots=0
for f in "$OUT"/flight/*.trace; do
  [ -e "$f" ] || continue
  snapshots=$((snapshots + 1))
  r=$(check "$f")
  case "$r" in "true 0 "*) ;; *) failed=1; echo "snapshot $f: $r" ;; esac
done
echo "== triggered flight snapshots: $snapshots (each read complete with 0 drops unless listed above)"
echo "== final flight snapshot: $final"
echo "== wrk"; grep -E "Requests/sec|Latency|requests in" "$OUT/wrk.txt"
[ -f "$OUT/errors.txt" ] && { cat "$OUT/errors.txt"; failed=1; }
[ "$snapshots" -gt 0 ] || { echo "no triggered snapshot: the slow-task trigger did not fire"; failed=1; }
echo "raw: $OUT"
exit "$failed"
