#!/usr/bin/env bash
# Issue 17: summary --group-by/--where and the view on a big trace (BENCHMARKS.md); run under flock /work/wt/bench.lock.
set -u
JAR=${JAR:-trace-tool/target/asynctrace.jar}
T=$(realpath "${1:?usage: tool-big-trace.sh BIG.trace}")
JAR=$(realpath "$JAR"); cd "$(mktemp -d)"
run() { /usr/bin/time -f "%e s wall, %M KB max RSS" java -Xmx64m -XX:ActiveProcessorCount=1 -jar $JAR "$@" > out.txt 2> time.txt; echo "$* -> $(tail -1 time.txt)"; }
if [ -z "${VIEW_ONLY:-}" ]; then   # VIEW_ONLY=1: only the view's figures
run summary $T
run summary $T --group-by region
run summary $T --group-by region --json
run summary $T --where region=ap
head -c 600 out.txt; echo
fi
# view: time to first answers, then windows at each zoom level
PORT=18719
start=$(date +%s%N)
java -Xmx64m -jar $JAR view $T --port $PORT > view.out 2>&1 &
VPID=$!
until curl -s -o /dev/null http://127.0.0.1:$PORT/api/options; do sleep 0.05; done
t1=$(date +%s%N)
curl -s -o /dev/null http://127.0.0.1:$PORT/
curl -s -o /dev/null http://127.0.0.1:$PORT/common.js; curl -s -o /dev/null http://127.0.0.1:$PORT/timeline.js; curl -s -o /dev/null http://127.0.0.1:$PORT/view.js
meta=$(curl -s http://127.0.0.1:$PORT/api/timeline)
last=$(echo "$meta" | python3 -c "import json,sys; print(json.load(sys.stdin)['last_ns'])")
curl -s -o w.json "http://127.0.0.1:$PORT/api/window?from=0&to=$last&bins=2000"
t2=$(date +%s%N)
echo "view: listening after $(( (t1-start)/1000000 )) ms; page + scripts + timeline + first window after $(( (t2-start)/1000000 )) ms (mode $(python3 -c "import json; print(json.load(open('w.json'))['mode'])"); trace end known: $last ns; indexed so far: $(echo "$meta" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['indexed_bytes'] * 100 // d['file_bytes'])") %)"
until curl -s http://127.0.0.1:$PORT/api/timeline | grep -q '"complete":true'; do sleep 0.2; done
t3=$(date +%s%N)
echo "view: whole file indexed after $(( (t3-start)/1000000 )) ms; RSS $(ps -o rss= -p $VPID) KB"
meta=$(curl -s http://127.0.0.1:$PORT/api/timeline)
read first last < <(echo "$meta" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['first_ns'], d['last_ns'])")
mid=$(( (first + last) / 2 ))
for span in $(( last - first )) 1000000000 100000000 10000000 1000000; do
  for rep in 1 2 3; do
    r=$(curl -s -w ' %{time_total}' "http://127.0.0.1:$PORT/api/window?from=$(( mid - span / 2 ))&to=$(( mid + span / 2 ))&bins=2000")
    echo "$r" | python3 -c "
import json,sys
t=sys.stdin.read(); j,s=t.rsplit(' ',1); d=json.loads(j)
print('window %12d ns: %-8s %6d items, read %6.1f MiB, %4.0f ms' % (d['to']-d['from'], d['mode'], len(d['items']), d['bytes_read']/1048576, float(s)*1000))"
  done
done
read tid ts te < <(curl -s "http://127.0.0.1:$PORT/api/window?from=$mid&to=$(( mid + 1000000 ))&bins=2000" | python3 -c "
import json,sys; d=json.load(sys.stdin); i=[i for i in d['items'] if i[3]==0][0]; print(i[4], i[1], i[2])")
for rep in 1 2 3; do
curl -s -o task.json -w "task click, task #$tid (segments of its lifetime): %{http_code} %{time_total} s\n" "http://127.0.0.1:$PORT/api/task?id=$tid&from=$ts&to=$te"
done
echo "view RSS after the windows: $(ps -o rss= -p $VPID) KB"
# The filter box and the group-by selector: time for the request, then until its index is complete.
for q in "where=region%3Dap" "group_by=region"; do
  s=$(date +%s%N)
  curl -s -o /dev/null "http://127.0.0.1:$PORT/api/timeline?$q"
  a=$(date +%s%N)
  until curl -s "http://127.0.0.1:$PORT/api/timeline?$q" | grep -q '"complete":true'; do sleep 0.2; done
  b=$(date +%s%N)
  r=$(curl -s -w ' %{time_total}' "http://127.0.0.1:$PORT/api/window?from=0&to=$last&bins=2000&$q")
  echo "view $q: answered after $(( (a-s)/1000000 )) ms, its index complete after $(( (b-s)/1000000 )) ms; whole-trace window $(echo "$r" | awk '{print $NF}') s; RSS $(ps -o rss= -p $VPID) KB"
done
kill $VPID
