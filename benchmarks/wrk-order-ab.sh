#!/usr/bin/env bash
# A/B of the order service (issue 14) between two benchmark jars, in one invocation: the plain
# service (from NEW_JAR) and the traced service of each jar run side by side on loopback; each
# round runs plain, off (OLD), off (NEW), live (OLD), live (NEW) back to back under wrk. Prints each
# phase's rounds, the medians, and the medians of the within-round ratios (the figure to quote:
# a round where the machine slowed moves all its phases alike).
#
#   bash benchmarks/wrk-order-ab.sh OLD_JAR NEW_JAR
#   ROUNDS=5 DURATION=8 WARMUP=10 bash benchmarks/wrk-order-ab.sh /work/wt/ab-a14/benchmarks/target/benchmarks.jar benchmarks/target/benchmarks.jar
#
# Needs wrk and curl; loopback only; every phase bounded. Also prints the service's CPU per
# request (ns, from /proc) per phase, which a loaded machine blurs less than requests/s.
set -euo pipefail
OLD=${1:?usage: wrk-order-ab.sh OLD_JAR NEW_JAR}
NEW=${2:?usage: wrk-order-ab.sh OLD_JAR NEW_JAR}
DURATION=${DURATION:-8}; WARMUP=${WARMUP:-10}; ROUNDS=${ROUNDS:-5}
PORT=${PORT:-18380}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }
for jar in "$OLD" "$NEW"; do
  [ -f "$jar" ] || { echo "wrk-order-ab.sh: no such jar: $jar" >&2; exit 2; }
done
PP=$PORT; PA=$((PORT + 10)); PB=$((PORT + 20))
java -Xmx512m -cp "$NEW" io.asynctrace.benchmarks.netty.OrderService $PP plain >"$OUT/plain.log" 2>&1 & P1=$!
java -Xmx512m -cp "$OLD" io.asynctrace.benchmarks.netty.OrderService $PA traced >"$OUT/old.log" 2>&1 & P2=$!
java -Xmx512m -cp "$NEW" io.asynctrace.benchmarks.netty.OrderService $PB traced >"$OUT/new.log" 2>&1 & P3=$!
trap 'kill $P1 $P2 $P3 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for p in $PP $PA $PB; do
  for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$p/order/1" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:$p/order/1" >/dev/null
done

PHASES="plain offOld offNew liveOld liveNew"
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
port() { case $1 in plain) echo $PP;; offOld|liveOld) echo $PA;; *) echo $PB;; esac; }
pid() { case $1 in plain) echo $P1;; offOld|liveOld) echo $P2;; *) echo $P3;; esac; }
phase() { # phase seconds file
  local p; p=$(port "$1"); local c0; c0=$(cpu "$(pid "$1")"); local curl=""
  if [ "${1#live}" != "$1" ]; then
    curl -fs -o "$3.trace" "http://127.0.0.1:$((p + 1))/debug/asynctrace/trace?seconds=$(($2 + 2))" & curl=$!
    sleep 0.5
  fi
  wrk -t2 -c32 -d"$2s" "http://127.0.0.1:$p/order/42" >"$3"
  [ -n "$curl" ] && wait "$curl"
  local c1; c1=$(cpu "$(pid "$1")")
  awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%d\n", d * 1e9 / hz / $1}' "$3" >"$3.cpu"
}
for ph in $PHASES; do phase "$ph" "$WARMUP" "$OUT/warm-$ph.txt"; done
for r in $(seq 1 "$ROUNDS"); do
  line="round $r:"
  for ph in $PHASES; do
    phase "$ph" "$DURATION" "$OUT/$ph-$r.txt"
    line="$line $ph $(rps "$OUT/$ph-$r.txt") ($(cat "$OUT/$ph-$r.txt.cpu") ns cpu/req)"
  done
  echo "$line; load $(cut -d' ' -f1 /proc/loadavg)"
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def rps(f):
    for line in open(f):
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
phases = ["plain", "offOld", "offNew", "liveOld", "liveNew"]
v = {p: [rps(f"{out}/{p}-{r}.txt") for r in range(1, rounds + 1)] for p in phases}
c = {p: [int(open(f"{out}/{p}-{r}.txt.cpu").read()) for r in range(1, rounds + 1)] for p in phases}
for p in phases:
    print(f"{p:8s} median {statistics.median(v[p]):9.0f} requests/s, {statistics.median(c[p]):7.0f} ns cpu/request")
def ratio(a, b):
    return statistics.median([x / y for x, y in zip(v[a], v[b])])
print("per-round ratios, median: off/plain old %.3f new %.3f; live/plain old %.3f new %.3f; new/old off %.3f live %.3f"
      % (ratio("offOld", "plain"), ratio("offNew", "plain"), ratio("liveOld", "plain"), ratio("liveNew", "plain"),
         ratio("offNew", "offOld"), ratio("liveNew", "liveOld")))
PY
echo "raw wrk output and traces in $OUT; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
