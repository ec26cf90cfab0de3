"""The self-contained HTML treemap page behind ``pyfs-jvm du --html FILE``.

One file, no network: the data is embedded as JSON and laid out by a small squarified-treemap
script (Bruls, Huizing, van Wijk). The page shows two levels at a time; clicking a directory
zooms into it (the location hash holds the path, e.g. ``page.html#/src/pkg``, so views can be
linked and reloaded), the breadcrumb goes back up, and a toggle switches between disk usage
(allocated) and apparent size. Each rectangle is a ``div.cell`` with ``data-path``,
``data-size`` and ``data-depth`` attributes, which the tests read after rendering in Chromium.
"""

from __future__ import annotations

import html
import json
from typing import Any

MAX_NODES = 20000


def tree_data(usage: Any, root_name: str) -> dict[str, Any]:
    """The nested node dicts for the page: ``{n, a, b, f, d, k, c}`` = name, apparent bytes,
    allocated bytes (or null), files, directories, kind ("d"/"f"/"o" for aggregated small
    items), children. Items too small to see are folded into one "(N small items)" node per
    directory, and the whole tree is capped at ``MAX_NODES`` nodes."""
    total = max(1, usage.allocated_size if usage.allocated_size is not None else usage.apparent_size)
    cutoff = total / 50000
    budget = [MAX_NODES]

    def measure(e: Any) -> int:
        v = e.allocated_size if e.allocated_size is not None else e.apparent_size
        return int(v)

    def node(e: Any) -> dict[str, Any]:
        budget[0] -= 1
        d: dict[str, Any] = {"n": e.path, "a": e.apparent_size, "b": e.allocated_size, "f": e.file_count,
                             "d": e.dir_count, "k": "d" if e.is_dir else "f"}
        if e.is_dir:
            d["c"] = kids(e.children, e.apparent_size, e.allocated_size, e.size)
        return d

    def kids(children: list[Any], apparent: int, allocated: int | None, file_bytes: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        rest_a = apparent
        rest_b = allocated
        unlisted = file_bytes - sum(c.size for c in children)
        small = 0
        for c in sorted(children, key=measure, reverse=True):
            if measure(c) >= cutoff and budget[0] > 0:
                out.append(node(c))
                rest_a -= c.apparent_size
                if rest_b is not None and c.allocated_size is not None:
                    rest_b -= c.allocated_size
            else:
                small += 1
        # whatever is not shown as its own rectangle: small items, unlisted files, the dir itself
        if rest_a > 0 or (rest_b or 0) > 0:
            label = (f"({small} small items)" if small else "(other files)" if unlisted > 0
                     else "(the directory itself)")
            out.append({"n": label, "a": max(0, rest_a), "b": None if rest_b is None else max(0, rest_b),
                        "f": 0, "d": 0, "k": "o"})
        return out

    return {"n": root_name, "a": usage.apparent_size, "b": usage.allocated_size, "f": usage.total_files,
            "d": usage.total_dirs, "k": "d",
            "c": kids(usage.children, usage.apparent_size, usage.allocated_size, usage.total_size)}


def render(usage: Any, root_name: str) -> str:
    data = json.dumps(tree_data(usage, root_name), ensure_ascii=True, separators=(",", ":"))
    data = data.replace("</", "<\\/")  # cannot end the <script> element early
    return _PAGE.replace("__TITLE__", html.escape(f"Disk usage: {root_name}")).replace("__DATA__", data)


_PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
  html, body { margin: 0; height: 100%; font: 13px/1.3 system-ui, sans-serif; background: #1d1f21; color: #eee; }
  header { display: flex; gap: 1em; align-items: center; padding: 6px 10px; background: #2b2e31; height: 26px; }
  header .crumbs a { color: #8cc4ff; cursor: pointer; text-decoration: none; }
  header .crumbs a:hover { text-decoration: underline; }
  header .total { margin-left: auto; color: #bbb; }
  header label { color: #bbb; }
  #map { position: absolute; left: 0; right: 0; top: 38px; bottom: 0; overflow: hidden; }
  .cell { position: absolute; box-sizing: border-box; border: 1px solid #1d1f21; overflow: hidden;
          color: #111; cursor: default; }
  .cell.dir { cursor: pointer; }
  .cell.other { background-image: repeating-linear-gradient(45deg, rgba(255,255,255,.25) 0 4px, transparent 4px 8px); }
  .cell .label { position: absolute; left: 3px; top: 1px; right: 3px; white-space: nowrap; overflow: hidden;
                 text-overflow: ellipsis; font-size: 12px; pointer-events: none; }
  .cell[data-depth="2"] .label { font-size: 11px; color: #222; }
  #tip { position: fixed; pointer-events: none; background: #000d; color: #fff; padding: 4px 8px; border-radius: 3px;
         display: none; white-space: pre; z-index: 10; }
</style>
</head>
<body>
<header>
  <span class="crumbs" id="crumbs"></span>
  <label><input type="checkbox" id="apparent"> apparent size</label>
  <span class="total" id="total"></span>
</header>
<div id="map"></div>
<div id="tip"></div>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const ROOT = JSON.parse(document.getElementById("data").textContent);
const HEADER = 16, PAD = 2;
let useApparent = ROOT.b === null;

function size(n) { return useApparent || n.b === null ? n.a : n.b; }
function human(b) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0; while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
  return (i ? b.toFixed(1) : String(b)) + " " + u[i];
}

// Squarified layout of items (with .v > 0) in the rectangle; returns [item, x, y, w, h] tuples.
function squarify(items, x, y, w, h) {
  const out = [];
  const total = items.reduce((s, it) => s + it.v, 0);
  if (total <= 0 || w <= 0 || h <= 0) return out;
  const scale = (w * h) / total;
  const rest = items.map(it => ({it, area: it.v * scale}));
  let row = [];
  const worst = (r, side) => {
    let s = 0, mx = 0, mn = Infinity;
    for (const e of r) { s += e.area; mx = Math.max(mx, e.area); mn = Math.min(mn, e.area); }
    return Math.max(side * side * mx / (s * s), (s * s) / (side * side * mn));
  };
  const flush = () => {
    const s = row.reduce((a, e) => a + e.area, 0);
    if (w >= h) {
      const cw = s / h; let cy = y;
      for (const e of row) { const eh = e.area / cw; out.push([e.it, x, cy, cw, eh]); cy += eh; }
      x += cw; w -= cw;
    } else {
      const rh = s / w; let cx = x;
      for (const e of row) { const ew = e.area / rh; out.push([e.it, cx, y, ew, rh]); cx += ew; }
      y += rh; h -= rh;
    }
    row = [];
  };
  for (const e of rest) {
    const side = Math.min(w, h);
    if (row.length === 0 || worst(row.concat([e]), side) <= worst(row, side)) row.push(e);
    else { flush(); row.push(e); }
  }
  if (row.length) flush();
  return out;
}

function find(path) {
  let n = ROOT;
  for (const part of path) {
    const next = (n.c || []).find(c => c.k === "d" && c.n === part);
    if (!next) break;
    n = next;
  }
  return n;
}

function currentPath() {
  const h = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
  return h ? h.split("/").filter(Boolean) : [];
}

function hue(i) { return (i * 137.508) % 360; }

function render() {
  const path = currentPath();
  const node = find(path);
  const map = document.getElementById("map");
  map.textContent = "";
  const crumbs = document.getElementById("crumbs");
  crumbs.textContent = "";
  const parts = [ROOT.n].concat(path);
  parts.forEach((p, i) => {
    if (i) crumbs.appendChild(document.createTextNode(" / "));
    const a = document.createElement("a");
    a.textContent = p;
    a.href = "#/" + path.slice(0, i).map(encodeURIComponent).join("/");
    crumbs.appendChild(a);
  });
  document.getElementById("total").textContent =
    human(size(node)) + (useApparent ? " apparent" : " on disk") + " \u00b7 " + node.f.toLocaleString() + " files \u00b7 " +
    node.d.toLocaleString() + " dirs";
  const W = map.clientWidth, H = map.clientHeight;
  const items = (node.c || []).map((c, i) => ({n: c, v: size(c), i})).filter(it => it.v > 0);
  items.sort((a, b) => b.v - a.v);
  for (const [it, x, y, w, h] of squarify(items, 0, 0, W, H)) {
    const cell = draw(map, it.n, path, x, y, w, h, 1, hue(it.i));
    if (it.n.k === "d" && w > 40 && h > HEADER + 12 && it.n.c) {
      const sub = it.n.c.map(c => ({n: c, v: size(c)})).filter(s => s.v > 0);
      sub.sort((a, b) => b.v - a.v);
      for (const [s, sx, sy, sw, sh] of squarify(sub, PAD, HEADER, w - 2 * PAD - 2, h - HEADER - PAD - 2)) {
        draw(cell, s.n, path.concat([it.n.n]), sx, sy, sw, sh, 2, hue(it.i));
      }
    }
  }
}

function draw(parent, n, path, x, y, w, h, depth, hu) {
  const d = document.createElement("div");
  d.className = "cell " + (n.k === "d" ? "dir" : n.k === "o" ? "other" : "file");
  d.style.left = x.toFixed(2) + "px"; d.style.top = y.toFixed(2) + "px";
  d.style.width = w.toFixed(2) + "px"; d.style.height = h.toFixed(2) + "px";
  const light = depth === 1 ? 62 : 75, sat = n.k === "d" ? 55 : 30;
  d.style.background = "hsl(" + hu.toFixed(1) + "," + sat + "%," + light + "%)";
  const full = path.concat([n.n]);
  d.dataset.path = "/" + full.join("/");
  d.dataset.name = n.n;
  d.dataset.size = String(size(n));
  d.dataset.depth = String(depth);
  d.dataset.kind = n.k;
  if (w > 30 && h > 13) {
    const l = document.createElement("span");
    l.className = "label";
    l.textContent = n.n + (w > 110 ? "  " + human(size(n)) : "");
    d.appendChild(l);
  }
  d.addEventListener("mousemove", ev => {
    ev.stopPropagation();
    const tip = document.getElementById("tip");
    tip.style.display = "block";
    tip.style.left = (ev.clientX + 12) + "px"; tip.style.top = (ev.clientY + 12) + "px";
    tip.textContent = d.dataset.path + "\n" + human(n.a) + " apparent" +
      (n.b === null ? "" : "\n" + human(n.b) + " on disk") +
      (n.k === "d" ? "\n" + n.f.toLocaleString() + " files, " + n.d.toLocaleString() + " dirs" : "");
  });
  d.addEventListener("mouseleave", () => { document.getElementById("tip").style.display = "none"; });
  if (n.k === "d") {
    d.addEventListener("click", ev => {
      ev.stopPropagation();
      location.hash = "#/" + full.map(encodeURIComponent).join("/");
    });
  }
  parent.appendChild(d);
  return d;
}

const box = document.getElementById("apparent");
box.checked = useApparent;
box.disabled = ROOT.b === null;
box.addEventListener("change", () => { useApparent = box.checked; render(); });
window.addEventListener("hashchange", render);
window.addEventListener("resize", render);
render();
</script>
</body>
</html>
"""
