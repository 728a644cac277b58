#!/usr/bin/env python3
"""report.py LOG [-o OUT.html]: the HTML report of a run of the playground.

The kernel, booted with `report = on` (make run REPORT=1), writes records
on serial beside its human log: lines starting with '@' (core/report.c;
docs/pictures.md, "The records"). This script reads a serial log, keeps
the human lines as the transcript and the records as data, and writes one
self-contained HTML file: inline SVG, inline CSS, one inline script, no
network and nothing to fetch (a Content-Security-Policy in the page says
so to the browser), so it opens from a USB stick or an email.

It shows a timeline of faults per task coloured by kind, the counters
over time, the snapshots (mem_map, each task's page directory and its
tables) as grids to click through, and the transcript beside them with
each expect marked pass or fail. Python's standard library only.
"""
import argparse
import html
import json
import os
import re
import sys

VERSION = 1                 # of the records this script reads
RECORD = re.compile(r"^@([a-z]+)(?: (.*))?$")
FIELD = re.compile(r"(\w[\w-]*)=(\S*)")
RUN = re.compile(r"(\D)(\d*)")
TAP = re.compile(r"^(not ok|ok) \d+ - (.*)$")
SHELL_EXPECT = re.compile(r"^  (true|FALSE): (.*)$")

# Fault kinds as the kernel names them (fault_kind_name()); a kind not
# listed (a later kernel's: swap-in, file...) gets a colour of its own
# from its name, so the report needs no change for it.
KIND_COLOURS = {
    "demand-zero": "#3cc85a", "zero-page": "#bdbdbd", "zero-cow": "#9be07a",
    "cow-copy": "#e83030", "cow-reuse": "#ff9a28", "spurious": "#7a7a7a",
    "segv": "#b040e0", "oom": "#5a1010",
}


LEFT, WIDTH = 170, 1000      # the charts' time axis: the same in both, one above the other
MARKS_MAX = 20000            # more faults than this: the timeline shows bins, not marks
LANES_MAX = 40               # more tasks: the named ones, the busiest, then one "others" lane
OTHERS = -1                  # the pid of that lane
PICTURE_HEAD = re.compile(r"^  (map of physical memory|directory grid|table grid): ")


class LogError(Exception):
    pass


def kind_colour(kind):
    if kind in KIND_COLOURS:
        return KIND_COLOURS[kind]
    h = sum(ord(c) * 7 ** i for i, c in enumerate(kind)) % 360
    return "hsl(%d,70%%,55%%)" % h


def fields(text):
    """key=value pairs; a trailing text= takes the rest of the line."""
    out = {}
    if text is None:
        return out
    head, sep, rest = text.partition("text=")
    if sep and (not head or head.endswith(" ")):
        out["text"] = rest
        text = head
    for k, v in FIELD.findall(text):
        out[k] = v
    return out


def runs(text):
    """'.32w5.987' -> the characters it stands for."""
    return "".join(c * (int(n) if n else 1) for c, n in RUN.findall(text or ""))


def entries(text):
    """The e= list of a @pd or @pt record: {index: [value, refs]}."""
    out = {}
    for item in filter(None, (text or "").split(",")):
        m = re.match(r"^(\d+)(?:([+*])(\d+))?=([0-9a-f]+)(?:/(\d+))?$", item)
        if not m:
            raise LogError("bad entry %r" % item)
        i, how, n, v, refs = m.groups()
        i, n, v, refs = int(i), int(n or 1), int(v, 16), int(refs or 1)
        for k in range(n):
            out[i + k] = [v + (0x1000 * k if how == "+" else 0), refs]
    return out


def parse(lines):
    """The run: header, styles, faults, tasks, snapshots, transcript."""
    run = {"header": None, "styles": {"use": [], "entry": []}, "faults": [], "events": [],
           "names": {}, "snapshots": [], "transcript": [], "done": None}
    snap = None
    for raw in lines:
        line = raw.rstrip("\r\n")
        m = RECORD.match(line)
        if not m:
            run["transcript"].append(line)
            continue
        kind, f = m.group(1), fields(m.group(2))
        at = len(run["transcript"])
        if kind == "report":
            if int(f.get("v", 0)) != VERSION:
                raise LogError("the log's records are version %s; this script reads version %d"
                               % (f.get("v"), VERSION))
            run["header"] = f
        elif run["header"] is None:
            continue                    # an '@' line before the header is not ours
        elif kind == "style":
            run["styles"].setdefault(f["table"], []).append(
                {"key": f["key"], "ch": f["ch"], "rgb": "#" + f["rgb"], "text": f.get("text", "")})
        elif kind == "fault":
            run["faults"].append({"t": int(f["t"]), "pid": int(f["pid"]), "kind": f["kind"],
                                  "va": f["va"], "pa": f["pa"], "access": f["access"],
                                  "free": int(f["free"]), "at": at})
        elif kind == "task":
            ev = {"t": int(f["t"]), "pid": int(f["pid"]), "ev": f["ev"], "at": at}
            ev.update({k: f[k] for k in ("parent", "name", "status", "user") if k in f})
            run["events"].append(ev)
        elif kind == "name":
            run["names"][int(f["pid"])] = f["name"]
        elif kind == "snap":
            snap = {"n": int(f["n"]), "t": int(f["t"]), "why": f.get("text", ""), "at": at,
                    "pds": [], "pts": {}, "map": None, "counters": {}}
            run["snapshots"].append(snap)
        elif kind in ("pd", "pt", "map", "counters", "end") and snap is not None:
            if int(f.get("n", -1)) != snap["n"]:
                raise LogError("record %s of snapshot %s inside snapshot %d"
                               % (kind, f.get("n"), snap["n"]))
            if kind == "pd":
                snap["pds"].append({"task": f["task"], "pid": int(f["pid"]), "pfn": f["pfn"],
                                    "rss": int(f["rss"]), "grid": runs(f["grid"]),
                                    "e": entries(f.get("e"))})
            elif kind == "pt":
                snap["pts"][f["pfn"]] = {"va": f["va"], "refs": int(f["refs"]),
                                         "grid": runs(f["grid"]), "e": entries(f.get("e"))}
            elif kind == "map":
                snap["map"] = {"pages": int(f["pages"]), "free": int(f["free"]),
                               "runs": f["runs"]}
            elif kind == "counters":
                snap["counters"] = {k: int(v) for k, v in f.items() if k != "n"}
            else:
                snap["end"] = {"tables": int(f["tables"]), "left_out": int(f["left_out"])}
                snap = None
        elif kind == "done":
            run["done"] = f
    if run["header"] is None:
        raise LogError("no report records: boot with 'report = on' in playground.cfg "
                       "(make run REPORT=1)")
    for s in run["snapshots"]:      # the command a snapshot belongs to, in the transcript
        s["anchor"] = next((i for i in range(s["at"] - 1, -1, -1)
                            if run["transcript"][i].startswith("play> ")), max(s["at"] - 1, 0))
    for s in run["snapshots"]:
        if s["map"] is None or "end" not in s:
            raise LogError("snapshot %d is cut short (the log ends inside it?)" % s["n"])
        if len(runs(s["map"]["runs"])) != s["map"]["pages"]:
            raise LogError("snapshot %d: the map's runs do not add up to its pages" % s["n"])
    return run


# ------------------------------------------------------------------ html

def esc(s):
    return html.escape(str(s), quote=True)


def task_label(run, pid, program):
    if pid == OTHERS:
        return program[OTHERS]
    name = run["names"].get(pid)
    return "%s (pid %d)" % (name, pid) if name else "%s pid %d" % (program.get(pid, "task"), pid)


def timeline_svg(run):
    """Faults per task (a lane each) over time, one mark per fault."""
    faults = run["faults"]
    khz = int(run["header"].get("tsc_khz") or 0) or 1000000
    program = {e["pid"]: e.get("name", "task") for e in run["events"] if e["ev"] == "new"}
    pids = sorted({f["pid"] for f in faults})
    if len(pids) > LANES_MAX:
        count = {}
        for f in faults:
            count[f["pid"]] = count.get(f["pid"], 0) + 1
        keep = sorted(pids, key=lambda p: (p not in run["names"], -count[p]))[:LANES_MAX - 1]
        others = len(pids) - len(keep)
        pids = sorted(keep) + [OTHERS]
        faults = [f if f["pid"] in keep else dict(f, pid=OTHERS) for f in faults]
        program[OTHERS] = "%d other tasks" % others
    t_end = max([f["t"] for f in faults] + [s["t"] for s in run["snapshots"]] + [1])
    left, width, lane, top = LEFT, WIDTH, 22, 24
    height = top + lane * max(len(pids), 1) + 30
    x = lambda t: left + width * t / t_end                       # noqa: E731
    out = ['<svg id="timeline-svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" '
           'role="img" aria-label="faults over time, one lane per task">'
           % (left + width + 20, height, left + width + 20, height)]
    for i, pid in enumerate(pids):
        y = top + i * lane
        out.append('<text x="%d" y="%d" class="lane">%s</text>' % (left - 8, y + 15,
                                                                  esc(task_label(run, pid, program))))
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" class="laneline"/>'
                   % (left, left + width, y + lane - 1, y + lane - 1))
    row = {pid: i for i, pid in enumerate(pids)}
    for s in run["snapshots"]:
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" class="snapline" data-snap="%d">'
                   '<title>snapshot %d: %s</title></line>'
                   % (x(s["t"]), x(s["t"]), top - 14, height - 30, s["n"], s["n"], esc(s["why"])))
    if len(faults) <= MARKS_MAX:
        for f in faults:
            y = top + row[f["pid"]] * lane + 3
            out.append('<rect class="fault" x="%.1f" y="%d" width="3" height="%d" fill="%s" '
                       'data-kind="%s" data-line="%d"><title>%s %s va=%s pa=%s (%s), %.3f ms'
                       '</title></rect>' % (x(f["t"]) - 1, y, lane - 7, kind_colour(f["kind"]),
                                            esc(f["kind"]), f["at"], esc(f["kind"]),
                                            esc(task_label(run, f["pid"], program)), f["va"],
                                            f["pa"], f["access"], f["t"] / khz))
    else:
        # A mark per fault would make the page too big to open: one bar per
        # task, pixel column and kind instead, as tall as its share.
        bins = {}
        for f in faults:
            key = (f["pid"], int(x(f["t"])) // 2, f["kind"])
            bins[key] = bins.get(key, 0) + 1
        for (pid, col, kind), n in sorted(bins.items()):
            y = top + row[pid] * lane + 3
            out.append('<rect class="faultbin" x="%d" y="%d" width="2" height="%d" fill="%s" '
                       'data-kind="%s" data-count="%d"><title>%d %s faults of %s</title></rect>'
                       % (col * 2, y, lane - 7, kind_colour(kind), esc(kind), n, n, esc(kind),
                          esc(task_label(run, pid, program))))
    for e in run["events"]:
        if e["pid"] in row and e["ev"] in ("new", "exit"):
            y = top + row[e["pid"]] * lane
            out.append('<path class="taskmark" d="M%.1f %d v%d" data-ev="%s"><title>%s %s</title>'
                       '</path>' % (x(e["t"]), y + 1, lane - 3, e["ev"], esc(task_label(
                           run, e["pid"], program)), "starts" if e["ev"] == "new" else
                           "exits (status %s)" % e.get("status")))
    ms = t_end / khz
    for k in range(6):
        out.append('<text x="%.1f" y="%d" class="tick">%.0f ms</text>'
                   % (left + width * k / 5, height - 10, ms * k / 5))
    out.append("</svg>")
    return "\n".join(out)


def counters_svg(run):
    """Faults of each kind, counted up over time, and the free pages."""
    faults = run["faults"]
    khz = int(run["header"].get("tsc_khz") or 0) or 1000000
    t_end = max([f["t"] for f in faults] + [1])
    left, width, height, top = LEFT, WIDTH, 200, 10
    kinds = sorted({f["kind"] for f in faults}, key=lambda k: list(KIND_COLOURS).index(k)
                   if k in KIND_COLOURS else 99)
    total = {k: 0 for k in kinds}
    pts = {k: ["%d,%d" % (left, top + height)] for k in kinds}
    most = max([sum(1 for f in faults if f["kind"] == k) for k in kinds] + [1])
    x = lambda t: left + width * t / t_end                       # noqa: E731
    y = lambda v: top + height - height * v / most               # noqa: E731
    last_x = {k: None for k in kinds}
    for f in faults:
        k = f["kind"]
        px = round(x(f["t"]), 1)
        if px != last_x[k]:     # a point a pixel column is all a line can show
            pts[k].append("%.1f,%.1f" % (px, y(total[k])))
        total[k] += 1
        if px != last_x[k]:
            pts[k].append("%.1f,%.1f" % (px, y(total[k])))
        else:
            pts[k][-1] = "%.1f,%.1f" % (px, y(total[k]))
        last_x[k] = px
    out = ['<svg id="counters-svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" '
           'role="img" aria-label="faults of each kind over time, and free pages"'
           '>' % (left + width + 20, top + 2 * height + 60, left + width + 20,
                  top + 2 * height + 60)]
    out.append('<text x="%d" y="%d" class="axis">%d faults</text><text x="%d" y="%d" class="axis">'
               '0</text>' % (left - 8, top + 10, most, left - 8, top + height))
    for k in kinds:
        pts[k].append("%.1f,%.1f" % (left + width, y(total[k])))
        out.append('<polyline class="count" data-kind="%s" fill="none" stroke="%s" stroke-width="2" '
                   'points="%s"><title>%s: %d</title></polyline>'
                   % (esc(k), kind_colour(k), " ".join(pts[k]), esc(k), total[k]))
    # Free pages, from the fault records, below.
    base = top + height + 40
    if faults:
        lo = min(f["free"] for f in faults)
        hi = max(f["free"] for f in faults)
        span = max(hi - lo, 1)
        seen, points = set(), []
        for f in faults:
            p = "%.0f,%.0f" % (x(f["t"]), base + height - height * (f["free"] - lo) / span)
            if p not in seen:
                seen.add(p)
                points.append(p)
        line = " ".join(points)
        out.append('<polyline class="free" fill="none" stroke="#8ab4ff" stroke-width="2" '
                   'points="%s"><title>free pages</title></polyline>' % line)
        out.append('<text x="%d" y="%d" class="axis">%d free</text><text x="%d" y="%d" '
                   'class="axis">%d free</text>'
                   % (left - 8, base + 10, hi, left - 8, base + height, lo))
    out.append('<text x="%d" y="%d" class="axis">%.0f ms</text>'
               % (left + width - 40, top + 2 * height + 55, t_end / khz))
    out.append("</svg>")
    legend = "".join('<span class="key"><i style="background:%s"></i>%s %d</span>'
                     % (kind_colour(k), esc(k), total[k]) for k in kinds)
    return "\n".join(out), legend


def picture_blocks(lines):
    """{first line: end} of each text picture (a show's characters, which
    the grids above draw better): its header line, then the lines indented
    like it, up to the next line that is not."""
    blocks, i = {}, 0
    while i < len(lines):
        if PICTURE_HEAD.match(lines[i]):
            j = i + 1
            while j < len(lines) and lines[j].startswith("  "):
                j += 1
            blocks[i] = j
            i = j
        else:
            i += 1
    return blocks


def transcript_html(run):
    """The human log, each line a div; commands, expects and snapshots
    marked; the text pictures folded away."""
    snap_at = {}
    for s in run["snapshots"]:
        snap_at.setdefault(s["anchor"], []).append(s["n"])
    blocks = picture_blocks(run["transcript"])
    out, passed, failed, fold_end = [], 0, 0, None
    for i, line in enumerate(run["transcript"]):
        if i in blocks:
            out.append('<details class="picture"><summary>%s (%d lines of characters)</summary>'
                       % (esc(line.strip()), blocks[i] - i))
            fold_end = blocks[i]
        if fold_end is not None and i == fold_end:
            out.append("</details>")
            fold_end = None
        cls, mark = "line", ""
        m = TAP.match(line)
        e = SHELL_EXPECT.match(line)
        if line.startswith("play> "):
            cls += " cmd"
        elif m and ": expect " in m.group(2) or e:
            ok = (m.group(1) == "ok") if m else e.group(1) == "true"
            cls += " expect " + ("pass" if ok else "fail")
            mark = '<b class="mark">%s</b>' % ("\u2713" if ok else "\u2717")
            passed, failed = passed + ok, failed + (not ok)
        elif m:
            cls += " tap " + ("pass" if m.group(1) == "ok" else "fail")
        snaps = "".join('<button class="snapbtn" data-snap="%d">snapshot %d</button>' % (n, n)
                        for n in snap_at.get(i, ()))
        out.append('<div class="%s" id="L%d">%s%s%s</div>' % (cls, i, mark, esc(line) or "&nbsp;",
                                                              snaps))
    if fold_end is not None:
        out.append("</details>")
    return "".join(out), passed, failed


def data_json(run):
    """What the page's script draws the snapshots from."""
    data = {"styles": run["styles"], "header": run["header"],
            "snapshots": [{"n": s["n"], "why": s["why"], "at": s["anchor"], "pds": s["pds"],
                           "pts": s["pts"], "map": s["map"], "counters": s["counters"],
                           "left_out": s["end"]["left_out"]} for s in run["snapshots"]]}
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


def render(run, title):
    timeline = timeline_svg(run)
    counters, kinds_legend = counters_svg(run)
    transcript, passed, failed = transcript_html(run)
    h = run["header"]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "report.css")) as f:
        css = f.read()
    with open(os.path.join(here, "report.js")) as f:
        js = f.read()
    summary = ("kernel %s, %d pages of RAM in mem_map, fork %s; %d faults, %d tasks, %d snapshots; "
               "expects: %d passed, %d failed"
               % (h.get("kernel"), int(h.get("max_pfn", 0)), h.get("fork"), len(run["faults"]),
                  len({e["pid"] for e in run["events"] if e["ev"] == "new"}),
                  len(run["snapshots"]), passed, failed))
    binned = (" (%d faults: one bar per task, kind and pixel column)" % len(run["faults"])
              if len(run["faults"]) > MARKS_MAX else "")
    return TEMPLATE.format(title=esc(title), css=css, summary=esc(summary), timeline=timeline,
                           binned=binned,
                           kinds=kinds_legend, counters=counters, transcript=transcript,
                           data=data_json(run), js=js.replace("</", "<\\/"),
                           verdict="fail" if failed else "pass")


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p id="summary" class="{verdict}">{summary}</p>
</header>
<section id="timeline">
<h2>Faults over time, one lane per task{binned}</h2>
<p class="keys">{kinds} <span class="key"><i class="snapkey"></i>a snapshot (click)</span></p>
{timeline}
</section>
<section id="counters">
<h2>Counters over time</h2>
{counters}
</section>
<section id="snapshots">
<h2>Snapshots: memory and page tables, beside the transcript</h2>
<div id="snapbar"></div>
<div class="columns">
<div id="snapview">
<p id="snapwhy"></p>
<div id="mapbox"></div>
<div id="pdbox"></div>
<div id="ptbox"></div>
<p id="hover" aria-live="polite">&nbsp;</p>
</div>
<div id="transcript">
{transcript}
</div>
</div>
</section>
<script type="application/json" id="data">{data}</script>
<script>
{js}
</script>
</body>
</html>
"""


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("log", help="a serial log of a boot with report = on")
    p.add_argument("-o", "--out", help="the HTML file (default: report.html beside the log)")
    p.add_argument("--title", default="Paging playground: report of a run")
    a = p.parse_args()
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(a.log)), "report.html")
    try:
        with open(a.log, encoding="utf-8", errors="replace") as f:
            run = parse(f)
    except (OSError, LogError, KeyError, ValueError) as e:
        sys.exit("report: %s: %s" % (a.log, e))
    with open(out, "w", encoding="utf-8") as f:
        f.write(render(run, a.title))
    print("report: %s: %d faults, %d snapshots, %d transcript lines -> %s"
          % (a.log, len(run["faults"]), len(run["snapshots"]), len(run["transcript"]), out))


if __name__ == "__main__":
    main()
