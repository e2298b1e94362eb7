"use strict";
// The summary (histograms per task type, split by the group-by attribute), the instances of a
// bucket, one task's breakdown and event log, and the filter controls.

// The log scale's bucket bounds, as the server's Latency computes them: round(10^(i/5)) ns.
const BOUNDS = Array.from({length: 71}, (_, i) => Math.round(Math.pow(10, i / 5)));
// Bucket i from its lower bound (bucket 0 starts at 0).
function bucketIndex(minNs) { return minNs <= 0 ? 0 : Math.max(0, BOUNDS.indexOf(minNs)); }

// Log-scale histogram with five buckets per decade, every bucket from the first to the last
// non-empty one in place (empty ones as gaps), so the x axis is a true log axis; a label is
// drawn only where it does not run into the previous one.
function histogram(type) {
  const filled = type.histogram;
  const first = filled.length ? bucketIndex(filled[0].min_ns) : 0;
  const last = filled.length ? bucketIndex(filled[filled.length - 1].min_ns) : 0;
  const byIndex = new Map(filled.map(b => [bucketIndex(b.min_ns), b]));
  const bars = [];
  for (let i = first; i <= last; i++) {
    bars.push(byIndex.get(i) || {min_ns: i === 0 ? 0 : BOUNDS[i], max_ns: BOUNDS[i + 1], count: 0});
  }
  const w = 26, h = 110, top = 16, bottom = 34, left = 46;
  const svg = el("svg:svg", {"class": "histogram", "data-type": type.type,
    width: Math.max(260, left + Math.max(1, bars.length) * w + 20), height: h + top + bottom});
  const most = Math.max(1, ...bars.map(b => b.count));
  // y axis: 0 and the largest count, with a title
  svg.appendChild(el("svg:line", {"class": "axis", x1: left - 4, x2: left - 4, y1: top, y2: top + h}));
  svg.appendChild(el("svg:text", {"class": "y-label", x: left - 8, y: top + h, "text-anchor": "end"}, "0"));
  svg.appendChild(el("svg:text", {"class": "y-label", x: left - 8, y: top + 8, "text-anchor": "end"}, String(most)));
  svg.appendChild(el("svg:text", {"class": "axis-title", x: 2, y: top + h / 2, "text-anchor": "start"}, "count"));
  svg.appendChild(el("svg:line", {"class": "axis", x1: left - 4, x2: left + bars.length * w, y1: top + h + 1, y2: top + h + 1}));
  let lastLabelEnd = -1e9;
  bars.forEach((b, i) => {
    const x = left + i * w;
    // A bucket's lower bound as its label, when it does not run into the previous label (~7 px per char).
    const label = human(b.min_ns);
    const half = label.length * 3.5;
    if (x - half > lastLabelEnd + 6) {
      svg.appendChild(el("svg:text", {"class": "x-label", x: x, y: top + h + 14, "text-anchor": "middle"}, label));
      svg.appendChild(el("svg:line", {"class": "axis", x1: x, x2: x, y1: top + h + 1, y2: top + h + 4}));
      lastLabelEnd = x + half;
    }
    if (b.count === 0) return;
    const bh = Math.max(2, Math.round(b.count / most * h));
    const rect = el("svg:rect", {"class": "bar", x: x + 1, y: top + h - bh, width: w - 2, height: bh,
      "data-min": b.min_ns, "data-max": b.max_ns === null ? -1 : b.max_ns, "data-count": b.count});
    svgTitle(rect, human(b.min_ns) + " – " + (b.max_ns === null ? "∞" : human(b.max_ns)) + ": " + b.count + " tasks");
    rect.addEventListener("click", () => {
      document.querySelectorAll("rect.bar.selected").forEach(r => r.classList.remove("selected"));
      rect.classList.add("selected");
      loadBucket(type, b.min_ns, b.max_ns === null ? -1 : b.max_ns);
    });
    svg.appendChild(rect);
  });
  svg.appendChild(el("svg:text", {"class": "axis-title", x: left, y: top + h + 30}, "latency (log scale)"));
  return svg;
}

function rowTitle(t) {
  if (!("group" in t)) return t.type;
  const key = filterState.groupBy;
  if (t.other_values) return t.type + " (other " + key + " values)";
  return t.type + " " + (t.group === null ? "(no " + key + ")" : key + "=" + t.group[key]);
}

let summarySeq = 0, bucketSeq = 0, taskSeq = 0;

// A whole-file query (instances, a task by id alone): the server runs one at a time and answers
// 503 to another meanwhile; asked again, later each time, until answered or no longer wanted
// (then null). While it runs, the server answers 503 with Retry-After: 0 every two seconds: asked
// again at once, which keeps it going (it stops once nobody asks for it).
async function retryBusy(url, box, stale) {
  for (let delay = 500; ; ) {
    try {
      return await getJson(url);
    } catch (e) {
      if (e.status !== 503) throw e;
      if (stale()) return null;
      if (e.retryAfter === 0) {
        box.textContent = e.text.replace(/; ask again now.*/, "") + "…";
        continue;
      }
      box.textContent = e.text + " (asking again in " + (delay / 1000) + " s)";
      await new Promise(r => setTimeout(r, delay));
      delay = Math.min(delay * 2, 4000);
      if (stale()) return null;
    }
  }
}
// The rows of the summary shown: the other values' row lists the tasks of none of its type's other rows.
let summaryTasks = [];
async function loadSummary() {
  const seq = ++summarySeq;
  const types = document.getElementById("types");
  let data;
  for (;;) {
    try {
      data = await getJson("/api/summary?x=1" + whereQuery() + groupQuery());
      break;
    } catch (e) {
      if (e.status !== 503) throw e;
      if (seq !== summarySeq) return;
      // The server says where the pass stands: the first pass indexing, or this one queued or reading.
      types.textContent = "histograms: " + (e.text || "the trace is still being indexed") + "…";
      await new Promise(r => setTimeout(r, 500));
    }
  }
  if (seq !== summarySeq) return;
  const s = data.summary;
  document.getElementById("file").textContent = data.file;
  const meta = document.getElementById("meta");
  meta.textContent = s.events + " events, " + s.threads.length + " threads, over " + human(s.duration_ns)
    + ", dropped " + s.dropped + ", misuse " + s.misuse + ". ";
  if (s.truncated) meta.appendChild(el("span", {"class": "warn"}, "Truncated at byte offset " + s.truncated_at + "."));
  runtimeOverview(s.runtime, s.duration_ns);
  summaryTasks = s.tasks;
  types.textContent = "";
  if (s.tasks.length === 0) types.appendChild(el("p", {"class": "empty"}, "No tasks" + (filterState.where.length ? " match the filter." : " in this trace.")));
  for (const t of s.tasks) {
    const attrs = {"class": "type", "data-type": t.type};
    if ("group" in t) attrs["data-group"] = t.group === null ? "" : t.other_values ? "(other)" : t.group[filterState.groupBy];
    const div = el("div", attrs);
    div.appendChild(el("h2", {}, rowTitle(t)));
    div.appendChild(el("div", {"class": "stats"}, t.count + " tasks, " + t.complete + " complete; p50 " + human(t.p50_ns)
      + ", p90 " + human(t.p90_ns) + ", p99 " + human(t.p99_ns) + ", max " + human(t.max_ns)
      + "; outcomes: " + Object.entries(t.outcomes).map(([k, v]) => k + " " + v).join(", ")));
    div.appendChild(histogram(t));
    types.appendChild(div);
  }
}

// JVM runtime events of the whole trace: why they are missing, data loss, GC pauses and heap after GC.
function runtimeOverview(r, duration) {
  const box = document.getElementById("runtime");
  box.textContent = "";
  if (!r || r.events === 0) return;
  for (const why of r.unavailable) box.appendChild(el("div", {"class": "warn"}, "Runtime events unavailable: " + why));
  if (r.data_loss.reports > 0) box.appendChild(el("div", {"class": "warn"}, "Runtime events lost: "
    + r.data_loss.reports + " reports (" + r.data_loss.reasons.map(x => x.reason).join("; ") + ")"));
  if (r.events === r.unavailable.length) return;
  box.appendChild(el("div", {id: "gc-stats"}, "GC pauses: " + r.gc.pauses + ", total " + human(r.gc.total_ns)
    + ", max " + human(r.gc.pauses ? r.gc.max_ns : -1)
    + (r.heap_max_bytes === null ? "" : "; heap after GC: " + mib(r.heap_min_bytes) + " – " + mib(r.heap_max_bytes)
      + ", last " + mib(r.heap_last_bytes))));
  if (r.heap.length === 0) return;
  const w = 600, h = 50, t0 = Math.min(0, r.heap[0].time_ns), span = Math.max(1, duration, r.heap[r.heap.length - 1].time_ns - t0);
  const lo = r.heap_min_bytes, hi = Math.max(lo + 1, r.heap_max_bytes);
  const svg = el("svg:svg", {id: "heap", width: w + 10, height: h + 10});
  const pts = r.heap.map(p => (5 + (p.time_ns - t0) / span * w).toFixed(1) + "," + (5 + h - (p.used_bytes - lo) / (hi - lo) * h).toFixed(1));
  svg.appendChild(svgTitle(el("svg:polyline", {"class": "heap", points: pts.join(" ")}), "heap used after GC"));
  r.heap.forEach((p, i) => {
    const [cx, cy] = pts[i].split(",");
    svg.appendChild(svgTitle(el("svg:circle", {"class": "gc", cx: cx, cy: cy, r: 2}), (p.time_ns / 1e6).toFixed(3) + " ms: " + mib(p.used_bytes)));
  });
  box.appendChild(svg);
}

async function loadBucket(row, min, max) {
  const type = row.type;
  const box = document.getElementById("instances");
  box.textContent = "loading…";
  const terms = [];
  if ("group" in row) {
    const key = filterState.groupBy;
    if (row.group === null) terms.push("!" + key);
    else if (!row.other_values) terms.push(key + "=" + row.group[key]);
    else {
      // The other values' row: tasks with the key, and none of the values that have rows of their own.
      terms.push(key);
      for (const r of summaryTasks) {
        if (r.type === type && r.group && !r.other_values) terms.push(key + "!=" + r.group[key]);
      }
    }
  }
  const seq = ++bucketSeq;
  const url = "/api/tasks?type=" + encodeURIComponent(type) + "&min=" + min + "&max=" + max + "&limit=100"
    + whereQuery() + termQuery(terms);
  const tasks = await retryBusy(url, box, () => seq !== bucketSeq);
  if (tasks === null || seq !== bucketSeq) return;
  box.textContent = "";
  box.appendChild(el("h2", {}, rowTitle(row) + " tasks from " + human(min) + " to " + (max < 0 ? "∞" : human(max))
    + " (" + tasks.length + ", slowest first)"));
  const table = el("table", {id: "instance-table"});
  const head = el("tr");
  ["task", "duration", "outcome", "start (ms)", "threads", "attributes"].forEach(h => head.appendChild(el("th", {}, h)));
  table.appendChild(head);
  for (const t of tasks) {
    const tr = el("tr", {"class": "instance", "data-id": t.id});
    tr.appendChild(el("td", {}, "#" + t.id));
    tr.appendChild(el("td", {"class": "num"}, human(t.duration_ns)));
    tr.appendChild(el("td", {}, t.outcome === null ? "-" : t.outcome));
    tr.appendChild(el("td", {"class": "num"}, (t.start_ns / 1e6).toFixed(3)));
    tr.appendChild(el("td", {}, t.threads.join(", ")));
    tr.appendChild(el("td", {}, Object.entries(t.attrs || {}).map(([k, v]) => k + "=" + v).join(", ")));
    tr.addEventListener("click", () => {
      document.querySelectorAll("tr.instance.selected").forEach(r => r.classList.remove("selected"));
      tr.classList.add("selected");
      loadTask(t.id, t.start_ns, t.start_ns + t.duration_ns);
    });
    table.appendChild(tr);
  }
  box.appendChild(table);
}

// One task: title, breakdown, its own per-thread timeline, stacks (when recorded) and event log.
// from/to (its lifetime, when known) let the server read only the segments that hold it.
async function loadTask(id, from, to) {
  const box = document.getElementById("task");
  box.textContent = "loading…";
  const range = from !== undefined && to !== undefined ? "&from=" + Math.max(0, Math.floor(from)) + "&to=" + Math.ceil(to) : "";
  const seq = ++taskSeq;
  const t = await retryBusy("/api/task?id=" + id + range, box, () => seq !== taskSeq);
  if (t === null || seq !== taskSeq) return;
  box.textContent = "";
  box.appendChild(el("h2", {id: "task-title"}, "task #" + t.id + " " + t.type + ": " + human(t.duration_ns)
    + ", outcome " + (t.outcome === null ? "-" : t.outcome)));
  const attrs = Object.entries(t.attrs || {});
  if (attrs.length) box.appendChild(el("div", {id: "task-attrs"}, "attributes: " + attrs.map(([k, v]) => k + "=" + v).join(", ")));
  box.appendChild(el("div", {"class": "breakdown", id: "breakdown"}, "running " + human(t.running_ns)
    + " · queued for a thread " + human(t.queued_ns) + " · other (I/O, timers, dependencies) " + human(t.other_ns)
    + (t.runtime && t.runtime.length ? " · blocked " + human(t.blocked_ns) + " · socket I/O " + human(t.socket_ns)
      + " · GC pauses " + human(t.gc_ns) : "")));
  const legend = el("div", {"class": "legend"});
  const keys = [["span", "#6aa84f"], ["job running", "#3d85c6"], ["waiting for a thread", "#cc4125"], ["log", "#9900ff"]];
  if (t.runtime && t.runtime.length) keys.push(["blocked", "#e69138"], ["socket I/O", "#45818e"], ["GC pause", "#aaa"]);
  keys.forEach(([n, c]) => legend.appendChild(el("span", {style: "background:" + c}, n)));
  box.appendChild(legend);
  box.appendChild(taskTimeline(t));
  // The place for the task's stacks (issue 15): renderStacks(t, div) fills it when the trace has them.
  const stacks = el("div", {id: "task-stacks"});
  if (typeof renderStacks === "function") renderStacks(t, stacks);
  box.appendChild(stacks);
  const table = el("table", {id: "events"});
  const head = el("tr");
  ["when (ms)", "elapsed", "thread", "event"].forEach(h => head.appendChild(el("th", {}, h)));
  table.appendChild(head);
  for (const e of t.events) {
    const tr = el("tr", {"class": "event"});
    tr.appendChild(el("td", {"class": "num"}, (e.time_ns / 1e6).toFixed(3)));
    tr.appendChild(el("td", {"class": "num"}, "+" + human(e.elapsed_ns)));
    tr.appendChild(el("td", {}, e.thread));
    tr.appendChild(el("td", {}, e.event + (e.stack ? "  \u25b8 stack" : "")));
    table.appendChild(tr);
    if (e.stack) {
      // Click an event that has a call stack to show it (innermost frame first).
      const row = el("tr", {"class": "stack", style: "display:none"});
      const cell = el("td", {colspan: "4"});
      cell.appendChild(el("pre", {}, stackText(e)));
      row.appendChild(cell);
      tr.classList.add("has-stack");
      tr.style.cursor = "pointer";
      tr.title = "click for the call stack";
      tr.addEventListener("click", () => { row.style.display = row.style.display === "none" ? "" : "none"; });
      table.appendChild(row);
    }
  }
  box.appendChild(table);
}

// One lane per thread: spans, jobs running, waits for a thread, logs, runtime slices and GC pauses.
function taskTimeline(t) {
  const lanes = t.threads.slice();
  const laneOf = name => { let i = lanes.indexOf(name); if (i < 0) { lanes.push(name); i = lanes.length - 1; } return i; };
  t.spans.forEach(s => laneOf(s.thread));
  t.jobs.forEach(j => { if (j.thread !== null) laneOf(j.thread); });
  t.logs.forEach(l => laneOf(l.thread));
  const runtime = t.runtime || [];
  runtime.forEach(r => { if (r.kind !== "gc_pause") laneOf(r.thread); });
  const labelW = 170, width = 900, laneH = 26, top = 22;
  const t0 = t.start_ns, span = Math.max(1, t.duration_ns);
  const x = ns => labelW + Math.max(0, Math.min(width, (ns - t0) / span * width));
  const svg = el("svg:svg", {id: "timeline", width: labelW + width + 10, height: top + lanes.length * laneH + 10});
  svg.appendChild(el("svg:rect", {"class": "task", x: labelW, y: 4, width: width, height: 12}));
  svg.appendChild(el("svg:text", {x: labelW + 4, y: 14}, t.type + " #" + t.id + "  " + human(t.duration_ns)));
  lanes.forEach((name, i) => {
    svg.appendChild(el("svg:text", {"class": "lane", x: 4, y: top + i * laneH + 17}, name));
    svg.appendChild(el("svg:line", {x1: labelW, x2: labelW + width, y1: top + (i + 1) * laneH, y2: top + (i + 1) * laneH,
      stroke: "#eee"}));
  });
  const rect = (cls, lane, from, to, y, h, title) => {
    const r = el("svg:rect", {"class": cls, x: x(from), y: top + lane * laneH + y,
      width: Math.max(1, x(to) - x(from)), height: h});
    svg.appendChild(svgTitle(r, title));
  };
  const end = t0 + span;
  for (const r of runtime) {
    const what = r.kind.replace(/_/g, " ") + " " + human(r.duration_ns) + (r.detail ? " " + r.detail : "");
    if (r.kind === "gc_pause") {
      const g = el("svg:rect", {"class": "gc", x: x(r.time_ns), y: 2, width: Math.max(1, x(r.time_ns + r.duration_ns) - x(r.time_ns)),
        height: top + lanes.length * laneH - 2});
      svg.appendChild(svgTitle(g, what));
    }
  }
  for (const j of t.jobs) {
    if (j.thread === null) continue;
    const lane = laneOf(j.thread);
    if (j.queued_ns !== null && j.started_ns !== null) rect("wait", lane, j.queued_ns, j.started_ns, 3, 20,
      "waiting for a thread " + human(j.started_ns - j.queued_ns));
    if (j.started_ns !== null) {
      const f = j.finished_ns === null ? end : j.finished_ns;
      rect("job", lane, j.started_ns, f, 3, 20, "job running " + human(f - j.started_ns));
    }
  }
  for (const s of t.spans) {
    const f = s.duration_ns === null ? end : s.start_ns + s.duration_ns;
    rect("span", laneOf(s.thread), s.start_ns, f, 7, 12, s.name + " " + human(s.duration_ns));
    svg.appendChild(el("svg:text", {x: x(s.start_ns) + 2, y: top + laneOf(s.thread) * laneH + 17}, s.name));
  }
  for (const r of runtime) {
    if (r.kind === "gc_pause") continue;
    const cls = r.kind.startsWith("socket") ? "socket" : "block";
    rect(cls, laneOf(r.thread), r.time_ns, r.time_ns + r.duration_ns, 16, 6, r.kind.replace(/_/g, " ") + " "
      + human(r.duration_ns) + (r.value ? " " + r.value + " B" : "") + (r.detail ? " " + r.detail : ""));
  }
  for (const l of t.logs) {
    const c = el("svg:circle", {"class": "log", cx: x(l.time_ns), cy: top + laneOf(l.thread) * laneH + 13, r: 4});
    svg.appendChild(svgTitle(c, l.category + ": " + l.message));
  }
  return svg;
}


function applyFilter() {
  const text = document.getElementById("where").value.trim();
  filterState.where = text === "" ? [] : text.split(/\s+/);
  document.getElementById("filter-error").textContent = "";
  const failed = e => { document.getElementById("filter-error").textContent = e.text || e.message; };
  loadSummary().catch(failed);
  timelineView.refilter().catch(failed);
}

async function start() {
  const opts = await getJson("/api/options");
  filterState.where = opts.where;
  filterState.groupBy = opts.group_by || "";
  filterState.from = opts.from;
  filterState.to = opts.to;
  document.getElementById("where").value = opts.where.join(" ");
  document.getElementById("apply-where").addEventListener("click", applyFilter);
  document.getElementById("where").addEventListener("keydown", e => { if (e.key === "Enter") applyFilter(); });
  const select = document.getElementById("group-by");
  select.addEventListener("change", () => {
    filterState.groupBy = select.value;
    loadSummary().catch(e => { document.getElementById("meta").textContent = "error: " + e.message; });
    timelineView.refilter().catch(e => { document.getElementById("timeline-status").textContent = "error: " + e.message; });
  });
  timelineView.onKeys = keys => {
    for (const k of keys) {
      if (![...select.options].some(o => o.value === k)) select.appendChild(el("option", {value: k}, k));
    }
    select.value = filterState.groupBy;
  };
  await timelineView.start(opts.from, opts.to);
  await loadSummary();
}

start().catch(e => { document.getElementById("meta").textContent = "error: " + e.message; });

function stackText(e) {
  const lines = e.stack.map(f => "at " + f["class"] + "." + f.method + "("
      + (f.file ? f.file + (f.line ? ":" + f.line : "") : (f.line ? "line " + f.line : "unknown source")) + ")");
  if (e.stack_truncated) lines.push("... (cut at the recording's stack depth)");
  return lines.join("\n");
}
