/* report.js - the snapshots of scripts/report.py's page: drawn here, from
 * the JSON the page carries, because one grid cell per page of every
 * snapshot written out as SVG would make the file huge. One snapshot is
 * on the page at a time; the buttons, the transcript and the timeline
 * choose it. No library, nothing fetched. */
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const NS = "http://www.w3.org/2000/svg";
  const MAX_CELLS = 65536; /* more pages than this: 2^k pages a cell */
  const useStyle = {}, entryStyle = {}, rank = {};
  data.styles.use.forEach(function (s, i) { useStyle[s.ch] = s; rank[s.ch] = i; });
  data.styles.entry.forEach(function (s) { entryStyle[s.ch] = s; });

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c];
    });
  }
  function expand(runs) {
    let out = [];
    runs.replace(/(\D)(\d*)/g, function (_, c, n) { out.push(c.repeat(n ? +n : 1)); return ""; });
    return out.join("");
  }
  function hex(v, w) { return "0x" + (v >>> 0).toString(16).padStart(w || 8, "0"); }
  function hover(text) { document.getElementById("hover").textContent = text || "\u00a0"; }

  function legend(styles, counts) {
    return "<p class=\"keys\">" + styles.map(function (s) {
      return "<span class=\"key\"><i style=\"background:" + s.rgb + "\"></i>" + esc(s.text) +
        (counts ? " " + (counts[s.ch] || 0) : "") + "</span>";
    }).join(" ") + "</p>";
  }

  /* Physical memory: a cell a page (or 2^k), the use of highest rank shown. */
  function drawMap(box, map) {
    const chars = expand(map.runs);
    let shift = 0;
    while (Math.ceil(chars.length / (1 << shift)) > MAX_CELLS) shift++;
    const per = 1 << shift, cells = Math.ceil(chars.length / per);
    const cols = cells > 16384 ? 256 : 128, size = cells > 16384 ? 3 : 5;
    const rows = Math.ceil(cells / cols), counts = {};
    for (const c of chars) counts[c] = (counts[c] || 0) + 1;
    const parts = [];
    for (let i = 0; i < cells; i++) {
      let best = ".";
      for (let p = i * per; p < Math.min((i + 1) * per, chars.length); p++)
        if (rank[chars[p]] > rank[best]) best = chars[p];
      parts.push("<rect class=\"page\" x=\"" + (i % cols) * size + "\" y=\"" +
        Math.floor(i / cols) * size + "\" width=\"" + (size - (size > 3 ? 1 : 0)) +
        "\" height=\"" + (size - (size > 3 ? 1 : 0)) + "\" fill=\"" + useStyle[best].rgb +
        "\" data-i=\"" + i + "\"/>");
    }
    box.innerHTML = "<h3>Physical memory: " + chars.length + " pages, " + per + " page" +
      (per > 1 ? "s" : "") + " a cell, " + cols + " a row (" + map.free + " free)</h3>" +
      "<svg class=\"map\" xmlns=\"" + NS + "\" width=\"" + cols * size + "\" height=\"" +
      rows * size + "\">" + parts.join("") + "</svg>" + legend(data.styles.use, counts);
    box.querySelector("svg").addEventListener("mousemove", function (ev) {
      const i = +ev.target.getAttribute("data-i");
      if (isNaN(i) || ev.target.tagName !== "rect") return;
      const pfn = i * per;
      hover("page " + hex(pfn * 4096) + " (pfn " + pfn + ")" + (per > 1 ? " and the next " +
        (per - 1) : "") + ": " + useStyle[chars[pfn]].text);
    });
  }

  /* A directory or a table: 32 x 32 entries, A and D as marks. */
  function drawGrid(box, title, grid, entries, cls, base, span, pick) {
    const size = 10, parts = [];
    for (let i = 0; i < 1024; i++) {
      const x = (i % 32) * size, y = Math.floor(i / 32) * size, st = entryStyle[grid[i]];
      parts.push("<rect class=\"" + cls + "\" x=\"" + x + "\" y=\"" + y + "\" width=\"" +
        (size - 1) + "\" height=\"" + (size - 1) + "\" fill=\"" + st.rgb + "\" data-i=\"" + i +
        "\"/>");
      const e = entries[i];
      if (e && (e[0] & 1)) {
        if (e[0] & 0x20) parts.push("<rect class=\"markA\" x=\"" + (x + 1) + "\" y=\"" + (y + 1) +
          "\" width=\"2\" height=\"2\"/>");
        if (e[0] & 0x40) parts.push("<rect class=\"markD\" x=\"" + (x + size - 4) + "\" y=\"" +
          (y + size - 4) + "\" width=\"2\" height=\"2\"/>");
      }
    }
    const used = data.styles.entry.filter(function (s) { return grid.indexOf(s.ch) >= 0; });
    const counts = {};
    for (const c of grid) counts[c] = (counts[c] || 0) + 1;
    const card = document.createElement("div");
    card.className = "card";
    card.innerHTML = "<h3>" + esc(title) + "</h3><svg class=\"grid\" xmlns=\"" + NS +
      "\" width=\"" + 32 * size + "\" height=\"" + 32 * size + "\">" + parts.join("") +
      "</svg>" + legend(used, counts);
    box.appendChild(card);
    card.querySelector("svg").addEventListener("mousemove", function (ev) {
      const i = +ev.target.getAttribute("data-i");
      if (isNaN(i) || ev.target.tagName !== "rect") return;
      const e = entries[i];
      hover((cls === "pde" ? "PDE[" : "PTE[") + i + "] " + hex(base + i * span) + ": " +
        entryStyle[grid[i]].text + (e ? ", entry " + hex(e[0]) + (cls === "pte" ? ", page count " +
        e[1] : "") : ""));
    });
    if (pick)
      card.querySelector("svg").addEventListener("click", function (ev) {
        const i = +ev.target.getAttribute("data-i");
        if (!isNaN(i)) pick(i);
      });
  }

  function showTable(snap, pd, i) {
    const box = document.getElementById("ptbox");
    box.innerHTML = "";
    const e = pd.e[i];
    if (!e || !(e[0] & 1)) {
      box.innerHTML = "<p class=\"note\">PDE[" + i + "] of " + esc(pd.task) +
        " is empty: no page table for " + hex(i * 4194304) + " yet.</p>";
      return;
    }
    const pfn = "0x" + (e[0] >>> 12).toString(16), pt = snap.pts[pfn];
    if (!pt) {
      box.innerHTML = "<p class=\"note\">That table was not recorded (a snapshot lists at most " +
        "256).</p>";
      return;
    }
    drawGrid(box, "page table of " + pd.task + " for " + pt.va + " (at " + hex(parseInt(pfn) *
      4096) + ", count " + pt.refs + (pt.refs > 1 ? ": shared by fork" : "") + ")", pt.grid,
      pt.e, "pte", parseInt(pt.va, 16), 4096, null);
  }

  function showSnap(n) {
    const snap = data.snapshots.find(function (s) { return s.n === n; });
    if (!snap) return;
    document.querySelectorAll("#snapbar button").forEach(function (b) {
      b.classList.toggle("on", +b.getAttribute("data-snap") === n);
    });
    document.getElementById("snapwhy").textContent = "Snapshot " + n + " of " +
      data.snapshots.length + ": after \u201c" + snap.why + "\u201d";
    drawMap(document.getElementById("mapbox"), snap.map);
    const pdbox = document.getElementById("pdbox");
    pdbox.innerHTML = snap.pds.length ? "" : "<p class=\"note\">No named task had an address " +
      "space at this moment.</p>";
    document.getElementById("ptbox").innerHTML = "";
    snap.pds.forEach(function (pd) {
      drawGrid(pdbox, "page directory of " + pd.task + " (pid " + pd.pid + ", at " +
        hex(parseInt(pd.pfn, 16) * 4096) + ", " + pd.rss + " pages present): click an entry",
        pd.grid, pd.e, "pde", 0, 4194304, function (i) { showTable(snap, pd, i); });
    });
    const first = snap.pds.find(function (pd) { return Object.keys(pd.e).length; });
    if (first) showTable(snap, first, +Object.keys(first.e)[0]);
    document.querySelectorAll("#transcript .here").forEach(function (l) {
      l.classList.remove("here");
    });
    const line = document.getElementById("L" + snap.at);
    if (line) {
      line.classList.add("here");
      const t = document.getElementById("transcript");
      t.scrollTop = line.offsetTop - t.offsetTop - t.clientHeight / 3;
    }
  }

  const bar = document.getElementById("snapbar");
  data.snapshots.forEach(function (s) {
    const b = document.createElement("button");
    b.setAttribute("data-snap", s.n);
    b.textContent = s.n + ": " + s.why;
    bar.appendChild(b);
  });
  document.addEventListener("click", function (ev) {
    const n = ev.target.getAttribute && ev.target.getAttribute("data-snap");
    if (n) showSnap(+n);
  });
  if (data.snapshots.length) showSnap(data.snapshots[0].n);
  else bar.innerHTML = "<p class=\"note\">No snapshot in this run: a script's show commands " +
    "and the end of each script take one.</p>";
})();
