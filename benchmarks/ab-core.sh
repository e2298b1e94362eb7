#!/usr/bin/env bash
# A/B of trace-core's hot path: CoreBenchmark's log, withSpan, startSpan and flight-recorder cases
# (and nanoTime, the yardstick) from two benchmark jars, run alternately in one invocation so that
# load from other processes hits both alike. Prints one table: each case's score per jar (median of
# the rounds, ns/op, with JMH's error of the median round) and new / old.
#
#   bash benchmarks/ab-core.sh OLD_JAR NEW_JAR
#   MODE=sample CASES='ReactorBenchmark\.(nanoTime|plain|taskWithLog)$' bash benchmarks/ab-core.sh OLD_JAR NEW_JAR
#     (JMH's sampling mode with -prof gc: each case's median sample (p50, ns) and B/op; on a loaded
#     machine preemption swamps the averages, the medians much less)
#   ROUNDS=5 JMH="-f 1 -wi 5 -w 1s -i 5 -r 1s" bash benchmarks/ab-core.sh old/benchmarks.jar benchmarks/target/benchmarks.jar
#
# Build a jar: mvn -B -o -q -pl benchmarks -am package -DskipTests (its target/benchmarks.jar);
# for the commit before issue 13's work: git worktree add --detach ../ab-old e8527b6, and build there.
# Run it under flock /work/wt/bench.lock on a shared machine. Needs java and python3.
set -euo pipefail

OLD=${1:?usage: ab-core.sh OLD_JAR NEW_JAR}
NEW=${2:?usage: ab-core.sh OLD_JAR NEW_JAR}
ROUNDS=${ROUNDS:-3}
JMH=${JMH:--f 1 -wi 3 -w 1s -i 5 -r 1s}
MODE=${MODE:-avgt}
CASES=${CASES:-'CoreBenchmark\.(nanoTime|logEnabled|withSpanEnabled|startSpanEndEnabled|logFlightRecorder|withSpanFlightRecorder)$'}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"

for jar in "$OLD" "$NEW"; do
  [ -f "$jar" ] || { echo "ab-core.sh: no such jar: $jar" >&2; exit 2; }
done

for round in $(seq 1 "$ROUNDS"); do
  for side in old new; do
    jar=$OLD; [ "$side" = new ] && jar=$NEW
    echo "round $round/$ROUNDS: $side ($jar)" >&2
    BM="-bm avgt"; [ "$MODE" = sample ] && BM="-bm sample -prof gc"
    # shellcheck disable=SC2086
    java -jar "$jar" $JMH $BM -tu ns -rf json -rff "$OUT/$side-$round.json" "$CASES" >"$OUT/$side-$round.log" 2>&1 \
      || { echo "ab-core.sh: the $side run failed, see $OUT/$side-$round.log" >&2; exit 1; }
  done
done

python3 - "$OUT" "$ROUNDS" "$MODE" <<'PY'
import json, statistics, sys
out, rounds, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if mode == "sample":
    s = {}
    for side in ("old", "new"):
        for r in range(1, rounds + 1):
            for b in json.load(open(f"{out}/{side}-{r}.json")):
                n = b["benchmark"].rsplit(".", 1)[1]
                alloc = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score", float("nan"))
                s.setdefault(n, {}).setdefault(side, []).append((b["primaryMetric"]["scorePercentiles"]["50.0"], alloc))
    print("| case | old p50 ns | new p50 ns | new / old | old B/op | new B/op |")
    print("|---|---:|---:|---:|---:|---:|")
    for n, by in s.items():
        if "old" not in by or "new" not in by:
            continue
        o, nw = (statistics.median(x[0] for x in by[k]) for k in ("old", "new"))
        oa, na = (statistics.median(x[1] for x in by[k]) for k in ("old", "new"))
        print(f"| {n} | {o:.0f} | {nw:.0f} | {nw / o:.2f} | {oa:.1f} | {na:.1f} |")
        print(f"|   rounds (old/new p50) | " + ", ".join(f"{a[0]:.0f}/{b[0]:.0f}" for a, b in zip(by["old"], by["new"])) + " | | | | |")
    print(f"\n{rounds} rounds of each jar, alternating; medians over the rounds. Raw: {out}")
    sys.exit(0)
scores = {}
for side in ("old", "new"):
    for r in range(1, rounds + 1):
        for b in json.load(open(f"{out}/{side}-{r}.json")):
            name = b["benchmark"].rsplit(".", 1)[1]
            m = b["primaryMetric"]
            scores.setdefault(name, {}).setdefault(side, []).append((m["score"], m["scoreError"]))
def med(v):
    s = sorted(v)
    return s[len(s) // 2]
print(f"| case | old ns/op | new ns/op | new / old |")
print(f"|---|---:|---:|---:|")
for name, by in scores.items():
    if "old" not in by or "new" not in by:
        continue
    (o, oe), (n, ne) = med(by["old"]), med(by["new"])
    print(f"| {name} | {o:.1f} ± {oe:.1f} | {n:.1f} ± {ne:.1f} | {n / o:.2f} |")
print(f"\n{rounds} rounds of each jar, alternating; median round shown (± JMH's 99.9 % error of that round). Raw: {out}")
PY
