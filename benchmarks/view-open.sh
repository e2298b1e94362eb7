#!/bin/bash
# Issue 17: how long `asynctrace view` takes to open a big trace, jar A vs jar B in alternating rounds
# (BENCHMARKS.md). Run under flock /work/wt/bench.lock:
#   flock /work/wt/bench.lock benchmarks/view-open.sh BIG.trace OLD.jar NEW.jar [ROUNDS]
# Per round and jar: a fresh `java -Xmx64m -jar JAR view BIG.trace`; "listening" is when /api/options
# first answers; "first window" is when the page's first requests are all answered, as the page makes
# them: /, common.js, timeline.js, view.js, /api/timeline, then the whole trace's window (all with curl;
# bash alone reads the JSON: a python3 start-up, 0.1-3 s on a loaded machine, counted in earlier figures).
set -u
T=$(realpath "${1:?usage: view-open.sh BIG.trace A.jar B.jar [ROUNDS]}")
A=${2:?jar A}
B=${3:?jar B}
ROUNDS=${4:-5}
PORT=18741
ms() { echo $(( ($2 - $1) / 1000000 )); }
one() {
  local jar=$1 start t1 t2 meta first last pid
  start=$(date +%s%N)
  java -Xmx64m -jar "$jar" view "$T" --port $PORT > /dev/null 2>&1 &
  pid=$!
  until curl -s -o /dev/null http://127.0.0.1:$PORT/api/options; do
    kill -0 $pid 2>/dev/null || { echo "view exited" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  # One curl for the page's first requests (one connection, as a browser keeps it), no JSON parser to start.
  meta=$(curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null "http://127.0.0.1:$PORT/" \
    "http://127.0.0.1:$PORT/common.js" "http://127.0.0.1:$PORT/timeline.js" "http://127.0.0.1:$PORT/view.js" \
    "http://127.0.0.1:$PORT/api/timeline")
  first=$(grep -o '"first_ns":[0-9]*' <<< "$meta" | cut -d: -f2)
  last=$(grep -o '"last_ns":[0-9]*' <<< "$meta" | cut -d: -f2)
  curl -s -o /dev/null "http://127.0.0.1:$PORT/api/window?from=$first&to=$(( last + (last - first) / 2 ))&bins=2000"
  t2=$(date +%s%N)
  [ -n "$last" ] && [ "$last" -gt 0 ] || { echo "no trace end in /api/timeline: $meta" >&2; exit 1; }
  kill $pid; wait $pid 2>/dev/null
  echo "$(ms $start $t1) $(ms $start $t2)"
}
declare -a la lb fa fb
for r in $(seq 1 "$ROUNDS"); do
  read -r l f < <(one "$A"); la+=("$l"); fa+=("$f")
  read -r l f < <(one "$B"); lb+=("$l"); fb+=("$f")
  echo "round $r: A listening ${la[-1]} ms, first window ${fa[-1]} ms; B listening ${lb[-1]} ms, first window ${fb[-1]} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mla=$(median "${la[@]}"); mlb=$(median "${lb[@]}"); mfa=$(median "${fa[@]}"); mfb=$(median "${fb[@]}")
echo "medians: A listening $mla ms, first window $mfa ms; B listening $mlb ms, first window $mfb ms"
echo "B / A: listening $(awk "BEGIN {printf \"%.2f\", $mlb / $mla}"), first window $(awk "BEGIN {printf \"%.2f\", $mfb / $mfa}")"
