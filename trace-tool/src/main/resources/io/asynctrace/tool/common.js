"use strict";
// Shared by view.js and timeline.js: formatting, DOM helpers, the page's filter state.
const NS = "http://www.w3.org/2000/svg";

function human(ns) {
  if (ns === null || ns === undefined || ns < 0) return "-";
  if (ns < 1e3) return Math.round(ns) + "ns";
  const f = (v, u) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) + u;
  if (ns < 1e6) return f(ns / 1e3, "µs");
  if (ns < 1e9) return f(ns / 1e6, "ms");
  return f(ns / 1e9, "s");
}

function el(tag, attrs, text) {
  const e = tag.startsWith("svg:") ? document.createElementNS(NS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgTitle(node, text) { node.appendChild(el("svg:title", {}, text)); return node; }

function mib(bytes) { return bytes === null ? "-" : (bytes / 1048576).toFixed(1) + " MiB"; }

// retryAfter: the seconds of a Retry-After header (0: a whole-file query still running, ask again now), or null.
class HttpError extends Error {
  constructor(url, status, text, retryAfter) {
    super(url + ": " + status + " " + text);
    this.status = status; this.text = text; this.retryAfter = retryAfter;
  }
}

async function getJson(url, signal) {
  const r = await fetch(url, signal ? {signal: signal} : undefined);
  const retry = r.headers.get("Retry-After");
  if (!r.ok) throw new HttpError(url, r.status, (await r.text()).trim(), retry === null ? null : Number(retry));
  return r.json();
}

// The filter box's terms, the group-by choice and the view command's --from/--to window (which
// narrows the histograms and instance lists too), shared by the histograms and the timeline.
const filterState = { where: [], groupBy: "", from: null, to: null };

function whereQuery() {
  return filterState.where.map(w => "&where=" + encodeURIComponent(w)).join("")
    + (filterState.from !== null ? "&from_filter=" + filterState.from : "")
    + (filterState.to !== null ? "&to_filter=" + filterState.to : "");
}

// Terms taken whole by the server (a value with spaces, as a group-by row's), one each.
function termQuery(terms) {
  return terms.map(t => "&term=" + encodeURIComponent(t)).join("");
}

function groupQuery() {
  return filterState.groupBy ? "&group_by=" + encodeURIComponent(filterState.groupBy) : "";
}
