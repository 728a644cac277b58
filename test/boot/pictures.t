#!/usr/bin/env python3
"""Pictures of memory (core/view) and the HTML report (core/report.c,
scripts/report), in one boot and one browser run.

The shell is typed at over a serial socket, with report = on and 64 MiB,
while QEMU's monitor takes screendumps at known moments:

  watch on         the live strip opens at the top (its geometry on serial)
  show map         every page's cell has the colour of its use: known pages
                   (a's data, its directory and table, the zero page, page
                   0) checked against what they are, and every cell
                   against the kernel's own snapshot record of mem_map
  fork, show pd    the directory's entries: the tables fork shared, the
                   kernel half, empty ones; every cell against the record
  write, show pt   the child's table after copy-on-write: its own page
                   writable with the dirty mark, the others shared
  show map again   the cells that changed: shared pages, the child's page
  (idle)           the strip catches up and matches mem_map

The characters on serial are checked against the same records. Then
scripts/report/report.py turns the serial log into HTML, and headless
Chromium loads it: no error, no request but the file, a grid cell per
page and a timeline mark per fault, the grids behind the clicks, every
expect marked. Screenshots of both go to build/test/pictures/ (make
pictures copies them into docs/pictures/).
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import pgtest
import screen as reader

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(pgtest.ROOT, "scripts", "report"))
import report  # noqa: E402
import browser  # noqa: E402

MEMORY = "64M"
CFG = "run = shell\nreport = on\n"
WORK = os.path.join(pgtest.BUILD, "test", "pictures")
GEOMETRY = re.compile(r"^view: (map|watch map|grid) (?:on screen )?at x=(\d+) y=(\d+) cell=(\d+)"
                      r"(?: cols=(\d+) rows=(\d+) pages_per_cell=(\d+))?$", re.M)
tap = pgtest.Tap()
os.makedirs(WORK, exist_ok=True)
transcript = []


class Shell:
    """The kernel's shell on a serial socket; everything read is kept."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        for _ in range(100):
            try:
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.s.settimeout(1)
        self.buf = b""

    def until(self, marker, timeout=180):
        end = time.time() + timeout
        while marker.encode() not in self.buf and time.time() < end:
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                break
            self.buf += chunk
        text, sep, rest = self.buf.partition(marker.encode())
        self.buf = rest
        out = (text + sep).decode(errors="replace").replace("\r", "")
        transcript.append(out)
        return out if sep else None

    def run(self, line):
        """Type a line, return what it printed up to the next prompt."""
        self.s.sendall(line.encode() + b"\r")
        return self.until("play> ") or ""


class Monitor:
    def __init__(self, path, proc):
        self.s = pgtest.connect_monitor(path, proc, timeout=30)

    def dump(self, name):
        path = os.path.join(WORK, name + ".ppm")
        if os.path.exists(path):
            os.unlink(path)
        self.s.sendall(b"screendump %s\n" % path.encode())
        pgtest.read_until(self.s, b"(qemu) ")
        return pgtest.read_ppm(path) if os.path.exists(path) else None


def rgb(hexcolour):
    return tuple(int(hexcolour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))


def geometry(out, kind):
    """The last "view: <kind> at ..." line of a command's output."""
    found = [m for m in GEOMETRY.finditer(out) if m.group(1) == kind]
    if not found:
        return None
    g = found[-1].groups()
    return {"x": int(g[1]), "y": int(g[2]), "cell": int(g[3]),
            "cols": int(g[4] or 0), "rows": int(g[5] or 0), "per": int(g[6] or 1)}


def last_snapshot(log):
    """The run as the report script reads it, and its last snapshot."""
    run = report.parse(log.splitlines())
    return run, run["snapshots"][-1] if run["snapshots"] else None


def cell_uses(chars, per):
    """The character a cell of `per` pages shows: the highest rank."""
    rank = {s["ch"]: i for i, s in enumerate(STYLES["use"])}
    return [max(chars[i:i + per], key=rank.get) for i in range(0, len(chars), per)]


def map_cell_xy(g, pfn):
    i = pfn // g["per"]
    return g["x"] + i % g["cols"] * g["cell"], g["y"] + i // g["cols"] * g["cell"]


def check_map_cells(name, shot, g, chars):
    """Every cell's top-left pixel against the use the record gives."""
    colour = {s["ch"]: rgb(s["rgb"]) for s in STYLES["use"]}
    cells = cell_uses(chars, g["per"])
    bad = [(i, c, reader.pixel(shot, *map_cell_xy(g, i * g["per"]))) for i, c in enumerate(cells)
           if reader.pixel(shot, *map_cell_xy(g, i * g["per"])) != colour[c]]
    tap.ok(shot is not None and not bad,
           "%s: all %d cells have the colour of their pages' use in the kernel's record"
           % (name, len(cells)), "first mismatches (cell, use, pixel): %r" % bad[:8])


def use_at(name, shot, g, pfn, key, what):
    st = next(s for s in STYLES["use"] if s["key"] == key)
    got = reader.pixel(shot, *map_cell_xy(g, pfn))
    tap.ok(got == rgb(st["rgb"]), "%s: %s (pfn 0x%x) is drawn as %s" % (name, what, pfn, key),
           "pixel %r, want %r" % (got, rgb(st["rgb"])))


def grid_cell_xy(g, i):
    return g["x"] + i % 32 * g["cell"], g["y"] + i // 32 * g["cell"]


def check_grid(name, shot, g, grid_chars):
    colour = {s["ch"]: rgb(s["rgb"]) for s in STYLES["entry"]}
    half = (g["cell"] - 1) // 2
    bad = []
    for i, c in enumerate(grid_chars):
        x, y = grid_cell_xy(g, i)
        got = reader.pixel(shot, x + half, y + half)
        if got != colour[c]:
            bad.append((i, c, got))
    tap.ok(not bad, "%s: all 1024 entries have the colour of their state in the record" % name,
           "first mismatches (entry, state, pixel): %r" % bad[:8])


def entry_at(name, shot, g, i, key, what):
    st = next(s for s in STYLES["entry"] if s["key"] == key)
    x, y = grid_cell_xy(g, i)
    half = (g["cell"] - 1) // 2
    got = reader.pixel(shot, x + half, y + half)
    tap.ok(got == rgb(st["rgb"]), "%s: entry %d (%s) is drawn as %s" % (name, i, what, key),
           "pixel %r, want %r" % (got, rgb(st["rgb"])))


def dirty_mark(shot, g, i):
    """The D mark: black in the bottom right corner of an entry."""
    x, y = grid_cell_xy(g, i)
    side = g["cell"] - 1
    return reader.pixel(shot, x + side - 2, y + side - 2) == (0, 0, 0)


def text_rows(out, header):
    """The rows of a text picture after its header line."""
    lines = out.splitlines()
    at = next(i for i, l in enumerate(lines) if l.startswith("  " + header))
    rows = []
    for l in lines[at + 1:]:
        m = re.match(r"^  0x[0-9a-f]{8} (\S+)$", l)
        if not m:
            break
        rows.append(m.group(1))
    return rows, lines[at]


def value_of(out, var):
    m = re.search(r"^  %s = \d+ \(0x([0-9a-f]+)\)$" % re.escape(var), out, re.M)
    return int(m.group(1), 16) if m else None


STYLES = {}
img = pgtest.image("pictures", CFG)
glyphs = reader.glyphs()
with tempfile.TemporaryDirectory(prefix="pictures.") as work:
    sock = os.path.join(work, "serial.sock")
    mon = os.path.join(work, "monitor.sock")
    log_path = os.path.join(WORK, "serial.log")
    cmd = pgtest.pgqemu.qemu_command(img, work, serial="unix:%s,server=on,wait=off" % sock,
                                     monitor="unix:%s,server=on,wait=off" % mon, machine="q35",
                                     memory=MEMORY)
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        sh = Shell(sock)
        first = sh.until("play> ")
        tap.ok(first is not None and "@report v=1 " in first,
               "the shell prompts; the report's header came first", first)
        run, _ = last_snapshot("".join(transcript))
        STYLES.update(run["styles"])
        zero_pfn = int(run["header"]["zero_pfn"], 16)
        max_pfn = int(run["header"]["max_pfn"])
        monitor = Monitor(mon, qemu)

        out = sh.run("watch on")
        strip = geometry(out, "watch map")
        tap.ok("watch on: the top of the screen" in out and strip is not None,
               "watch on: the strip opens, its map's geometry on serial", out)
        sh.run("task a area 0x10000000 64K rw")
        out = sh.run("touch a 0x10000000 16K write")
        tap.ok("a: faults: demand-zero x4" in out, "a touches 4 pages: 4 demand-zero faults", out)
        pa = value_of(sh.run("let $pa phys a 0x10000000"), "$pa")
        pd_a = value_of(sh.run("let $pd pd a"), "$pd")
        out = sh.run("show pd a")
        m = re.search(r"PDE\[ 64\] 0x10000000-0x103fffff -> table (0x[0-9a-f]{8})", out)
        table_a = int(m.group(1), 16) if m else None
        tap.ok(None not in (pa, pd_a, table_a), "the pages to look for: a's first page, its "
               "directory, its table", out)

        # 1. The map, before fork.
        out = sh.run("show map")
        g = geometry(out, "map")
        shot = monitor.dump("map-before")
        run, snap = last_snapshot("".join(transcript))
        tap.ok(g is not None and shot is not None and snap is not None and snap["why"] == "show map",
               "show map: geometry on serial, a screendump, a snapshot record", out)
        chars = report.runs(snap["map"]["runs"])
        check_map_cells("map before fork", shot, g, chars)
        for pfn, key, what in ((pa >> 12, "user", "a's first page"),
                               ((pa >> 12) + 3, "user", "a's fourth page"),
                               (pd_a >> 12, "page-directory", "a's page directory"),
                               (table_a >> 12, "page-table", "a's page table"),
                               (zero_pfn, "zero-page", "the zero page"),
                               (0, "reserved", "page 0")):
            use_at("map before fork", shot, g, pfn, key, what)
        lines = reader.lines(shot, glyphs)
        tap.ok(any(l.rstrip().endswith("physical memory: %d pages" % max_pfn) for l in lines) and
               any("play> show map" in l for l in lines),
               "the pane's title and the shell's text are both on the screen",
               "\n".join(lines))
        rows, head = text_rows(out, "map of physical memory")
        per = int(re.search(r"(\d+) pages? \(", head).group(1))
        tap.ok("".join(rows) == "".join(cell_uses(chars, per)),
               "the map in characters on serial: %d rows, the same uses as the record" % len(rows),
               "%s\n%s" % (head, "\n".join(rows)))

        # 2. fork: the tables are shared.
        out = sh.run("fork a b")
        out = sh.run("show pd a")
        g = geometry(out, "grid")
        shot = monitor.dump("pd-after-fork")
        run, snap = last_snapshot("".join(transcript))
        pd_rec = next(p for p in snap["pds"] if p["task"] == "a")
        check_grid("show pd a after fork", shot, g, pd_rec["grid"])
        for i, key, what in ((64, "shared-table", "0x10000000, shared by fork"),
                             (32, "shared-table", "the program's text, shared by fork"),
                             (768, "kernel", "the kernel half"), (0, "empty", "no table")):
            entry_at("show pd a after fork", shot, g, i, key, what)
        grid_rows, _ = text_rows(out, "directory grid")
        tap.ok("".join(grid_rows) == pd_rec["grid"], "the directory in characters on serial "
               "matches the record", "\n".join(grid_rows))

        # 3. b writes: its own table and page.
        out = sh.run("write b 0x10000000 7")
        tap.ok("b: faults: cow-copy" in out, "b's write: copy-on-write", out)
        pb = value_of(sh.run("let $pb phys b 0x10000000"), "$pb")
        out = sh.run("show pt b 0x10000000")
        g = geometry(out, "grid")
        shot = monitor.dump("pt-after-write")
        run, snap = last_snapshot("".join(transcript))
        tables = [t for t in snap["pts"].values() if t["va"] == "0x10000000" and
                  t["e"].get(0, [0])[0] >> 12 == pb >> 12]
        tap.ok(len(tables) == 1, "the record has b's table for 0x10000000")
        if tables:
            check_grid("show pt b after its write", shot, g, tables[0]["grid"])
        for i, key, what in ((0, "writable", "b's own copy"), (1, "cow", "a page still shared"),
                             (3, "cow", "a page still shared"), (4, "empty", "never touched")):
            entry_at("show pt b after its write", shot, g, i, key, what)
        tap.ok(dirty_mark(shot, g, 0) and not dirty_mark(shot, g, 4),
               "show pt b: the dirty mark on b's written page, none on an empty entry")
        grid_rows, _ = text_rows(out, "table grid")
        tap.ok(tables and "".join(grid_rows) == tables[0]["grid"],
               "the table in characters on serial matches the record", "\n".join(grid_rows))

        # 4. The map again: the cells that changed.
        out = sh.run("show map")
        g = geometry(out, "map")
        shot = monitor.dump("map-after")
        run, snap = last_snapshot("".join(transcript))
        chars_after = report.runs(snap["map"]["runs"])
        check_map_cells("map after fork and write", shot, g, chars_after)
        for pfn, key, what in ((pa >> 12, "user", "a's first page, its own again"),
                               ((pa >> 12) + 1, "shared", "a's second page, shared with b"),
                               ((pa >> 12) + 3, "shared", "a's fourth page, shared with b"),
                               (pb >> 12, "user", "b's copy")):
            use_at("map after fork and write", shot, g, pfn, key, what)
        changed = {i for i, (x, y) in enumerate(zip(chars, chars_after)) if x != y}
        tap.ok({(pa >> 12) + 1, (pa >> 12) + 3, pb >> 12} <= changed,
               "the cells of the shared pages and of b's copy changed (%d cells in all)"
               % len(changed))
        reader.write_png(shot, os.path.join(WORK, "screen.png"))

        # 5. The strip catches up while the shell idles.
        ok, strip_shot = False, None
        for _ in range(30):
            time.sleep(1)
            strip_shot = monitor.dump("strip")
            ok = strip is not None and strip_shot is not None and all(
                reader.pixel(strip_shot, *map_cell_xy(strip, i * strip["per"])) ==
                rgb(next(s["rgb"] for s in STYLES["use"] if s["ch"] == c))
                for i, c in enumerate(cell_uses(chars_after, strip["per"])))
            if ok:
                break
        tap.ok(ok, "the live strip's map catches up with mem_map while the shell idles")
        top = reader.lines(strip_shot, glyphs) if strip_shot else []
        tap.ok(any(re.search(r"demand-zero \d+  zero-page \d+", l) for l in top) and
               any(re.search(r"free \d+ of \d+ pages", l) for l in top),
               "the strip's counters are on the screen", "\n".join(top[:10]))

        sh.run("read a 0x10000000")
        tap.ok("true: refs a 0x10000000 == 1" in sh.run("expect refs a 0x10000000 == 1"),
               "an expect that holds")
        tap.ok("FALSE: value == 41" in sh.run("expect value == 41"), "an expect that fails")
        out = sh.run("watch off")
        sh.s.sendall(b"quit\r")
        end = sh.until("playground: done", timeout=120)
        tap.ok(end is not None and "@done " in end, "quit: the session ends, the report's last "
               "record is written", end)
        sh.until("\0", timeout=60)  # the rest, until QEMU exits and the socket closes
        try:
            status = qemu.wait(timeout=60)
        except subprocess.TimeoutExpired:
            status = None
        tap.ok(status == pgtest.pgqemu.EXIT_PASS, "QEMU exit status %s (want 33)" % status)
    finally:
        if qemu.poll() is None:
            qemu.kill()
        qemu.wait()

# The report, in a real browser, from the serial log as read on the socket.
with open(log_path, "w") as f:
    f.write("".join(transcript))
html_path = os.path.join(WORK, "report.html")
proc = subprocess.run([sys.executable, os.path.join(pgtest.ROOT, "scripts", "report", "report.py"),
                       log_path, "-o", html_path], capture_output=True, text=True)
tap.ok(proc.returncode == 0 and os.path.exists(html_path), "report.py writes the HTML",
       proc.stdout + proc.stderr)
with open(log_path, errors="replace") as f:
    run = report.parse(f.read().replace("\r", "").splitlines())
nfaults = len(run["faults"])
tap.ok(nfaults >= 6 and len(run["snapshots"]) >= 6,
       "the log has the faults and snapshots (%d, %d)" % (nfaults, len(run["snapshots"])))
with open(html_path) as f:
    page = f.read()
tap.ok(not re.search(r"(src|href)=\"(https?:)?//", page) and "<link" not in page and
       "Content-Security-Policy" in page,
       "self-contained: nothing refers outside the file, and the page forbids fetching")
try:
    with browser.Browser() as b:
        b.open(html_path)
        tap.ok(b.problems() == [], "Chromium: no exception, no console error", b.problems())
        reqs = b.requests()
        tap.ok(reqs == ["file://" + os.path.abspath(html_path)],
               "Chromium: no request but the file itself", reqs)
        tap.ok(b.eval("document.querySelectorAll('#timeline-svg rect.fault').length") == nfaults,
               "a timeline mark per fault (%d)" % nfaults)
        lanes = b.eval("[...document.querySelectorAll('#timeline-svg text.lane')]"
                       ".map(t => t.textContent)")
        tap.ok(any(l.startswith("a (pid") for l in lanes) and any(l.startswith("b (pid")
                                                                  for l in lanes),
               "the timeline has a lane for a and one for b", lanes)
        for s in run["snapshots"]:
            b.eval("document.querySelector('#snapbar button[data-snap=\"%d\"]').click()" % s["n"])
            pages = b.eval("document.querySelectorAll('#mapbox rect.page').length")
            pdes = b.eval("document.querySelectorAll('#pdbox rect.pde').length")
            tap.ok(pages == s["map"]["pages"] and pdes == 1024 * len(s["pds"]),
                   "snapshot %d (%s): a cell per page (%d), 1024 entries per directory"
                   % (s["n"], s["why"], pages))
        last = run["snapshots"][-1]
        b.eval("document.querySelector('#snapbar button[data-snap=\"%d\"]').click()"
               % [s for s in run["snapshots"] if s["why"] == "show pt b 0x10000000"][0]["n"])
        b.eval("document.querySelectorAll('#pdbox svg.grid')[1]"
               ".querySelector('rect.pde[data-i=\"64\"]')"
               ".dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        title = b.eval("document.querySelector('#ptbox h3').textContent")
        ptes = b.eval("document.querySelectorAll('#ptbox rect.pte').length")
        tap.ok(ptes == 1024 and "page table of b for 0x10000000" in title,
               "clicking b's PDE 64 opens its table: 1024 entries", title)
        marks = b.eval("[document.querySelectorAll('#transcript .expect.pass').length,"
                       " document.querySelectorAll('#transcript .expect.fail').length]")
        tap.ok(marks == [1, 1], "the transcript marks the expect that held and the one that "
               "failed", marks)
        b.eval("document.querySelector('#snapbar button[data-snap=\"%d\"]').click()"
               % [s for s in run["snapshots"] if s["why"] == "show map"][-1]["n"])
        b.screenshot(os.path.join(WORK, "report-page.png"))
        b.eval("document.getElementById('snapshots').scrollIntoView()")
        b.screenshot(os.path.join(WORK, "report.png"), full=False)
        tap.ok(b.problems() == [], "Chromium: still no error after the clicks", b.problems())
        tap.ok(os.path.getsize(os.path.join(WORK, "report.png")) > 10000,
               "a screenshot of the report, build/test/pictures/report.png")
except browser.BrowserError as e:
    tap.ok(False, "Chromium runs", str(e))
tap.done("".join(transcript))
