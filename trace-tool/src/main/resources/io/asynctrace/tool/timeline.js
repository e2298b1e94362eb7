"use strict";
// The timeline of the whole trace on a canvas: a ruler, the GC and heap tracks, one lane per
// thread, then task lanes grouped by type. Data comes in windows (/api/window) at the zoom level
// drawn: "overview" and "summary" windows give busy time per bin (drawn as columns), "detail"
// windows each task, span, job and runtime slice. W/S and the wheel zoom, A/D and dragging pan.

const TASK = 0, SPAN = 1, JOB = 2, WAIT = 3, RUNTIME = 4;
const POLL_MS = 500, POLL_MAX_MS = 8000;
const LABEL_W = 170, RULER_H = 26, THREAD_H = 22, TYPE_ROWS = 4, ROW_H = 9, GC_H = 16, HEAP_H = 34;

const timelineView = {
  meta: null, data: null, view: null, fetchSeq: 0, fetches: 0, timer: null, hits: [], layout: [],
  mouseX: null, drag: null, onKeys: null,

  async start(from, to) {
    this.canvas = document.getElementById("timeline-canvas");
    this.tip = document.getElementById("timeline-tip");
    this.bindInput();
    await this.loadMeta();
    const first = this.meta.first_ns, last = Math.max(this.meta.last_ns, first + 1);
    this.view = {from: from !== null && from >= 0 ? from : first, to: to !== null && to >= 0 ? to : last};
    this.fullView = from === null && to === null;
    window.addEventListener("resize", () => this.render());
    this.render();
    this.fetch(0);
    if (!this.meta.complete && !this.meta.error) this.poll();
  },

  async loadMeta() {
    this.meta = await getJson("/api/timeline?x=1" + whereQuery() + groupQuery());
    this.relayout();
    if (this.onKeys) this.onKeys(this.meta.keys.concat(filterState.groupBy ? [filterState.groupBy] : []));
    const status = document.getElementById("indexing");
    status.textContent = this.meta.error ? "" : this.meta.complete ? "" : this.meta.queued ? this.meta.pending
      : "indexing " + mib(this.meta.indexed_bytes) + " of " + mib(this.meta.file_bytes) + "…";
    if (this.meta.error) status.appendChild(el("span", {"class": "warn"}, this.meta.error));
  },

  // While the server indexes in the background: the overview fills in, more lanes may appear.
  // Until the index is complete or failed; a failed request is shown and retried, later each time.
  async poll() {
    if (this.polling) return;
    this.polling = true;
    let delay = POLL_MS;
    try {
      for (;;) {
        await new Promise(r => setTimeout(r, delay));
        try {
          await this.loadMeta();
        } catch (e) {
          delay = Math.min(delay * 2, POLL_MAX_MS);
          this.pollFailures = (this.pollFailures || 0) + 1;
          document.getElementById("timeline-status").textContent = "error: " + (e.text || e.message)
            + " (retrying in " + (delay / 1000) + " s)";
          continue;
        }
        delay = POLL_MS;
        if (this.fullView) this.view = {from: this.meta.first_ns, to: Math.max(this.meta.last_ns, this.meta.first_ns + 1)};
        this.fetch(0, true);
        if (this.meta.complete || this.meta.error) return;
      }
    } finally {
      this.polling = false;
    }
  },

  // A new filter or group-by choice: the server indexes for it in the background.
  async refilter() {
    try {
      await this.loadMeta();
    } catch (e) {
      this.poll(); // keeps asking, for the filter now chosen
      throw e;
    }
    this.data = null;
    this.render();
    this.fetch(0);
    if (!this.meta.complete && !this.meta.error) this.poll();
  },

  relayout() {
    const lanes = this.meta.lanes;
    const rows = [];
    let y = RULER_H;
    const add = (lane, h) => { rows.push({lane: lane, y: y, h: h, info: lanes[lane]}); y += h; };
    lanes.forEach((l, i) => { if (l.kind === "gc") add(i, GC_H); });
    lanes.forEach((l, i) => { if (l.kind === "heap") add(i, HEAP_H); });
    lanes.forEach((l, i) => { if (l.kind === "thread") add(i, THREAD_H); });
    const types = lanes.map((l, i) => i).filter(i => lanes[i].kind === "type");
    // by type, then (with group-by) by the attribute's value, tasks without it last
    const order = l => [l.other_types ? "\uffff" : l.name, l.group === undefined || l.group === null ? "\uffff" : l.other_values ? "\ufffe"
      : Object.values(l.group)[0]];
    types.sort((a, b) => {
      const [na, ga] = order(lanes[a]), [nb, gb] = order(lanes[b]);
      return na < nb ? -1 : na > nb ? 1 : ga < gb ? -1 : ga > gb ? 1 : 0;
    });
    types.forEach(i => add(i, TYPE_ROWS * ROW_H + 6));
    this.layout = rows;
    this.height = y + 4;
  },

  width() { return Math.max(200, this.canvas.clientWidth || 900); },
  x(ns) { return LABEL_W + (ns - this.view.from) / (this.view.to - this.view.from) * (this.width() - LABEL_W); },
  ns(x) { return this.view.from + (x - LABEL_W) / (this.width() - LABEL_W) * (this.view.to - this.view.from); },

  // Asks for the view widened by half a view on each side, at about two bins per pixel of that width.
  // A new view aborts the window still coming for the old one; the poll (background: just the
  // overview filling in) never starts a window while one is in flight.
  fetch(delay, background) {
    if (background && this.inFlight) {
      this.again = true; // asked again once it has come: the overview it carries may be older
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.doFetch(), delay);
  },

  async doFetch() {
    const span = this.view.to - this.view.from;
    // The view never starts before 0 (setView), nor does the window: it covers the view.
    const from = Math.floor(Math.max(Math.min(this.meta.first_ns, this.view.from), this.view.from - span / 2));
    const to = Math.max(from + 1, Math.ceil(this.view.to + span / 2));
    const bins = Math.round((this.width() - LABEL_W) * 2);
    const seq = ++this.fetchSeq;
    if (this.inFlight) this.inFlight.abort();
    const inFlight = new AbortController();
    this.inFlight = inFlight;
    const url = "/api/window?from=" + from + "&to=" + to + "&bins=" + bins + whereQuery() + groupQuery();
    let data;
    try {
      data = await getJson(url, inFlight.signal);
    } catch (e) {
      if (e.name !== "AbortError") document.getElementById("timeline-status").textContent = "error: " + (e.text || e.message);
      return;
    } finally {
      if (this.inFlight === inFlight) {
        this.inFlight = null;
        if (this.again) {
          this.again = false;
          this.fetch(0);
        }
      }
    }
    if (seq !== this.fetchSeq) return;
    this.fetches++;
    this.data = data;
    if (data.items.some(i => i[0] >= this.meta.lanes.length) || data.values.some(v => v[0] >= this.meta.lanes.length)) {
      await this.loadMeta();
    }
    this.render();
  },

  // Whether the data drawn still fits the view: it covers it, at a resolution fine enough.
  fits() {
    const d = this.data;
    if (!d || d.from > this.view.from || d.to < this.view.to) return false;
    if (d.mode === "detail") return true;
    const nsPerPx = (this.view.to - this.view.from) / (this.width() - LABEL_W);
    return d.bin_ns <= nsPerPx * 2 && d.bin_ns >= nsPerPx / 4;
  },

  // Moves the view (zoom, pan, drag, a click's task): up to a tenth of it past the trace's ends,
  // never before time 0 (the trace's start), where windows start too: one that covers it can come.
  setView(from, to) {
    const first = this.meta.first_ns, last = Math.max(this.meta.last_ns, first + 1);
    let span = Math.max(1000, Math.min(to - from, (last - first) * 1.2));
    from = Math.max(0, first - span * 0.1, Math.min(from, last - span * 0.9));
    this.view = {from: from, to: from + span};
    this.fullView = false;
    this.render();
    if (!this.fits()) this.fetch(60);
  },

  zoom(factor, atX) {
    const at = atX === null || atX === undefined || atX < LABEL_W ? (this.view.from + this.view.to) / 2 : this.ns(atX);
    this.setView(at - (at - this.view.from) * factor, at + (this.view.to - at) * factor);
  },

  pan(fraction) {
    const d = (this.view.to - this.view.from) * fraction;
    this.setView(this.view.from + d, this.view.to + d);
  },

  bindInput() {
    const c = this.canvas;
    const onKey = e => {
      if (e.target && (e.target.tagName === "INPUT" || e.target.tagName === "SELECT")) return;
      const k = e.key.toLowerCase();
      if (k === "w") this.zoom(0.8, this.mouseX);
      else if (k === "s") this.zoom(1.25, this.mouseX);
      else if (k === "a") this.pan(-0.1);
      else if (k === "d") this.pan(0.1);
      else return;
      e.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    c.addEventListener("wheel", e => {
      e.preventDefault();
      const rect = c.getBoundingClientRect();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) this.pan((e.deltaX || e.deltaY) / 1000);
      else this.zoom(Math.exp(e.deltaY * 0.002), e.clientX - rect.left);
    }, {passive: false});
    c.addEventListener("mousedown", e => {
      c.focus();
      this.drag = {x: e.clientX, from: this.view.from, to: this.view.to, moved: false};
    });
    window.addEventListener("mousemove", e => {
      const rect = c.getBoundingClientRect();
      this.mouseX = e.clientX >= rect.left && e.clientX <= rect.right ? e.clientX - rect.left : null;
      if (this.drag) {
        const dx = e.clientX - this.drag.x;
        if (Math.abs(dx) > 3) this.drag.moved = true;
        if (this.drag.moved) {
          const d = dx / (this.width() - LABEL_W) * (this.drag.to - this.drag.from);
          this.setView(this.drag.from - d, this.drag.to - d);
        }
      } else {
        this.hover(e.clientX - rect.left, e.clientY - rect.top);
      }
    });
    window.addEventListener("mouseup", e => {
      if (!this.drag) return;
      const moved = this.drag.moved;
      this.drag = null;
      if (!moved) {
        const rect = c.getBoundingClientRect();
        this.click(e.clientX - rect.left, e.clientY - rect.top);
      }
    });
  },

  hit(x, y) {
    for (let i = this.hits.length - 1; i >= 0; i--) {
      const h = this.hits[i];
      if (x >= h.x0 - 1 && x <= h.x1 + 1 && y >= h.y0 && y <= h.y1) return h;
    }
    return null;
  },

  hover(x, y) {
    const h = this.hit(x, y);
    if (!h) { this.tip.style.display = "none"; return; }
    const it = h.item;
    const what = it[3] === TASK ? "task #" + it[4] + " " + this.meta.lanes[it[0]].name + (it[6] ? " (" + it[6] + ")" : "")
      : it[3] === SPAN ? "span " + it[6] + " (task #" + it[4] + ")" : it[3] === JOB ? "job running (task #" + it[4] + ")"
      : it[3] === WAIT ? "waiting for a thread (task #" + it[4] + ")" : it[6];
    this.tip.textContent = what + " · " + human(it[2] - it[1]) + " at " + human(it[1]);
    this.tip.style.left = Math.min(x + 12, this.width() - 200) + "px";
    this.tip.style.top = (y + 14) + "px";
    this.tip.style.display = "block";
  },

  click(x, y) {
    const h = this.hit(x, y);
    if (h && h.item[4]) {
      this.selected = h.item[4];
      this.render();
      const it = h.item;
      loadTask(it[4], it[3] === TASK ? it[1] : undefined, it[3] === TASK ? it[2] : undefined)
        .catch(e => { document.getElementById("task").textContent = "error: " + e.message; });
    }
  },

  render() {
    const c = this.canvas, dpr = window.devicePixelRatio || 1, w = this.width(), h = this.height || 200;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      c.style.height = h + "px";
    }
    const g = c.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.font = "11px system-ui, sans-serif";
    this.hits = [];
    const d = this.data;
    const rows = new Map(this.layout.map(r => [r.lane, r]));
    // lanes: alternating background, labels
    this.layout.forEach((r, i) => {
      g.fillStyle = i % 2 ? "#fafafa" : "#fff";
      g.fillRect(0, r.y, w, r.h);
      g.fillStyle = "#333";
      const label = r.info.kind === "type" ? "task " + r.info.name + groupLabel(r.info, this.meta.group_by) : r.info.name;
      g.fillText(label.length > 26 ? label.slice(0, 25) + "…" : label, 4, r.y + Math.min(r.h - 5, 15));
    });
    g.save();
    g.beginPath();
    g.rect(LABEL_W, 0, w - LABEL_W, h);
    g.clip();
    if (d) {
      if (d.mode === "detail") this.drawItems(g, d, rows);
      this.drawValues(g, d, rows);
    }
    this.drawPending(g, w, h);
    g.restore();
    this.drawRuler(g, w);
    g.strokeStyle = "#ccc";
    g.beginPath();
    g.moveTo(LABEL_W - 0.5, 0);
    g.lineTo(LABEL_W - 0.5, h);
    g.stroke();
    c.dataset.from = Math.round(this.view.from);
    c.dataset.to = Math.round(this.view.to);
    c.dataset.mode = d ? d.mode : "none";
    c.dataset.items = d ? d.items.length : 0;
    c.dataset.fetches = this.fetches;
    c.dataset.lanes = this.layout.length;
    c.dataset.complete = this.meta && this.meta.complete ? "true" : "false";
    document.getElementById("timeline-status").textContent = "showing " + human(this.view.to - this.view.from)
      + " from " + human(this.view.from) + (d ? " · " + d.mode + (d.mode === "detail" ? ", " + d.items.length + " items" : "")
      + (d.bytes_read ? ", read " + mib(d.bytes_read) : "") : " · loading…");
  },

  drawItems(g, d, rows) {
    const typeRows = new Map();
    const items = d.items.slice().sort((a, b) => a[1] - b[1]);
    const colors = {[SPAN]: "#6aa84f", [JOB]: "#3d85c6", [WAIT]: "#cc4125", [RUNTIME]: "#e69138"};
    for (const it of items) {
      const r = rows.get(it[0]);
      if (!r) continue;
      const x0 = this.x(it[1]), x1 = Math.max(x0 + 1, this.x(it[2]));
      if (x1 < LABEL_W || x0 > this.width()) continue;
      let y0, hh;
      if (it[3] === TASK) {
        // pack tasks of one type into rows, first free row wins
        let ends = typeRows.get(it[0]);
        if (!ends) { ends = new Array(TYPE_ROWS).fill(-Infinity); typeRows.set(it[0], ends); }
        let row = ends.findIndex(e => e <= x0);
        if (row < 0) row = TYPE_ROWS - 1;
        ends[row] = x1 + 1;
        y0 = r.y + 3 + row * ROW_H;
        hh = ROW_H - 1;
        g.fillStyle = it[4] === this.selected ? "#e08a1e" : it[6] && it[6] !== "ok" ? "#c9736b" : "#8fa9c9";
      } else if (r.info.kind === "gc") {
        y0 = r.y + 2; hh = r.h - 4; g.fillStyle = "#555";
      } else if (it[3] === WAIT) {
        y0 = r.y + r.h - 5; hh = 3; g.fillStyle = colors[WAIT];
      } else if (it[3] === RUNTIME) {
        y0 = r.y + r.h - 8; hh = 5; g.fillStyle = colors[RUNTIME];
      } else if (it[3] === JOB) {
        y0 = r.y + 2; hh = r.h - 8; g.fillStyle = it[4] === this.selected ? "#e08a1e" : colors[JOB];
      } else {
        y0 = r.y + 5; hh = r.h - 12; g.fillStyle = it[4] === this.selected ? "#e08a1e" : colors[SPAN];
      }
      g.fillRect(x0, y0, x1 - x0, hh);
      if (it[3] === SPAN && it[6] && x1 - x0 > 40) {
        g.fillStyle = "#fff";
        g.fillText(it[6], Math.max(x0, LABEL_W) + 2, y0 + hh - 2, x1 - Math.max(x0, LABEL_W) - 4);
      }
      this.hits.push({x0: x0, x1: x1, y0: y0, y1: y0 + hh, item: it});
    }
  },

  // Busy time per bin as columns (threads, GC: the fraction busy; types: concurrency, scaled to
  // the largest in view); the heap as a line of the largest value per bin.
  drawValues(g, d, rows) {
    const binNs = d.bin_ns;
    for (const v of d.values) {
      const lane = v[0];
      const r = rows.get(lane);
      if (!r) continue;
      const kind = r.info.kind;
      if (d.mode === "detail" && kind !== "heap") continue;
      const vals = v.slice(1);
      let top = 1;
      if (kind === "type") vals.forEach(x => { top = Math.max(top, x / binNs); });
      if (kind === "heap") vals.forEach(x => { top = Math.max(top, x); });
      g.fillStyle = kind === "type" ? "#8fa9c9" : kind === "gc" ? "#555" : "#6aa84f";
      g.strokeStyle = "#4a7fc1";
      if (kind === "heap") g.beginPath();
      let started = false;
      for (let i = 0; i < vals.length; i++) {
        if (vals[i] === 0) continue;
        const x0 = this.x(d.from + i * binNs), x1 = Math.max(x0 + 0.5, this.x(d.from + (i + 1) * binNs));
        if (x1 < LABEL_W || x0 > this.width()) continue;
        if (kind === "heap") {
          const y = r.y + r.h - 3 - vals[i] / top * (r.h - 8);
          if (!started) { g.moveTo(x0, y); started = true; } else g.lineTo(x0, y);
          continue;
        }
        const frac = kind === "type" ? vals[i] / binNs / top : Math.min(1, vals[i] / binNs);
        const hh = Math.max(1, frac * (r.h - 4));
        g.fillRect(x0, r.y + r.h - 2 - hh, x1 - x0, hh);
      }
      if (kind === "heap" && started) {
        g.stroke();
        g.fillStyle = "#666";
        g.fillText(mib(top), LABEL_W + 4, r.y + 10);
      }
    }
  },

  // While the server's background pass runs: the time it has not reached yet, hatched, with its progress.
  drawPending(g, w, h) {
    const m = this.meta;
    if (!m || m.complete) return;
    const to = this.data && this.data.indexed_to_ns !== undefined ? Math.max(this.data.indexed_to_ns, m.indexed_to_ns) : m.indexed_to_ns;
    const x0 = Math.max(LABEL_W, this.x(to));
    if (x0 >= w) return;
    g.fillStyle = "rgba(200, 200, 200, 0.35)";
    g.fillRect(x0, RULER_H, w - x0, h - RULER_H);
    g.strokeStyle = "rgba(150, 150, 150, 0.5)";
    g.beginPath();
    for (let x = x0 - h; x < w; x += 12) { g.moveTo(x, h); g.lineTo(x + h, RULER_H); }
    g.stroke();
    g.fillStyle = "#555";
    g.fillText("indexing… " + Math.floor(100 * m.indexed_bytes / Math.max(1, m.file_bytes)) + "% of the file", x0 + 6, RULER_H + 14);
  },

  // Ticks at 1, 2 or 5 × 10^k ns, at least 90 px apart, so labels never overlap.
  drawRuler(g, w) {
    g.fillStyle = "#fff";
    g.fillRect(0, 0, w, RULER_H);
    const span = this.view.to - this.view.from;
    const minStep = span / (w - LABEL_W) * 90;
    let step = Math.pow(10, Math.floor(Math.log10(Math.max(1, minStep))));
    for (const m of [1, 2, 5, 10]) { if (step * m >= minStep) { step *= m; break; } }
    const digits = Math.max(0, 3 - Math.floor(Math.log10(step) % 3 + 1e-9) - 1);
    g.strokeStyle = "#bbb";
    g.fillStyle = "#333";
    for (let t = Math.ceil(this.view.from / step) * step; t <= this.view.to; t += step) {
      const x = this.x(t);
      g.beginPath();
      g.moveTo(x + 0.5, RULER_H - 8);
      g.lineTo(x + 0.5, this.height);
      g.stroke();
      g.fillText(rulerLabel(t, step, digits), x + 3, RULER_H - 11);
    }
    g.fillStyle = "#555";
    g.fillText("time since the trace began", 4, RULER_H - 11);
    g.strokeStyle = "#999";
    g.beginPath();
    g.moveTo(0, RULER_H - 0.5);
    g.lineTo(w, RULER_H - 0.5);
    g.stroke();
  },
};

// A task lane's group, with group-by: " KEY=VALUE", or " (no KEY)".
function groupLabel(lane, key) {
  if (lane.group === undefined || lane.other_types) return "";
  if (lane.other_values) return " (other " + key + " values)";
  return lane.group === null ? " (no " + key + ")" : " " + key + "=" + lane.group[key];
}

// A tick's time with the unit of its step and just enough decimals to tell ticks apart.
function rulerLabel(t, step) {
  const units = [[1e9, "s"], [1e6, "ms"], [1e3, "µs"], [1, "ns"]];
  const [div, unit] = units.find(([d]) => step >= d) || units[3];
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / div) - 1e-9));
  return (t / div).toFixed(decimals) + unit;
}
