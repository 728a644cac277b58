#!/usr/bin/env python3
"""scripts/pgtrace.py, the offline replay of page-reference traces.

- Belady's string 1,2,3,4,1,2,5,1,2,3,4,5: FIFO takes 9 faults with 3
  frames and 10 with 4 (Belady's anomaly); OPT takes 7 and 6.
- A short string worked by hand for every policy (1 2 3 4 2 5 2, 3
  frames): FIFO 6, clock, aging, active/inactive and OPT 5 each.
- On random traces (seeded), OPT never takes more faults than any other
  policy, and with as many frames as pages every policy takes exactly the
  compulsory faults, one per page.
- The kernel's trace lines: ranges, a task gone (its next pages are new),
  several traces and --label; lines out of place, or an end whose count
  differs from the references read, are errors (exit 2), no
  trace at all is exit 1, bad frame counts exit 2.
"""
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import pgtrace  # noqa: E402

TOOL = os.path.join(ROOT, "scripts", "pgtrace.py")
n = 0
failed = 0


def ok(cond, desc):
    global n, failed
    n += 1
    failed += not cond
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))


def run(*args):
    p = subprocess.run([sys.executable, TOOL] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


print("TAP version 13")
belady = pgtrace.from_refs("1 2 3 4 1 2 5 1 2 3 4 5")
ok(pgtrace.replay(belady, 3, "fifo") == 9, "Belady: FIFO, 3 frames: 9 faults")
ok(pgtrace.replay(belady, 4, "fifo") == 10, "Belady: FIFO, 4 frames: 10 faults (the anomaly)")
ok(pgtrace.replay(belady, 3, "opt") == 7, "Belady: OPT, 3 frames: 7 faults")
ok(pgtrace.replay(belady, 4, "opt") == 6, "Belady: OPT, 4 frames: 6 faults")

hand = pgtrace.from_refs("1 2 3 4 2 5 2")
got = {p: pgtrace.replay(hand, 3, p) for p in pgtrace.POLICIES}
ok(got == {"fifo": 6, "clock": 5, "aging": 5, "active": 5, "opt": 5},
   "1 2 3 4 2 5 2, 3 frames: as worked by hand (%s)" % got)

rng = random.Random(11)
worse, compulsory = [], []
for k in range(40):
    pages = rng.randint(2, 12)
    hot = rng.randint(1, pages)
    refs = " ".join(str(rng.randint(1, hot) if rng.random() < 0.7 else rng.randint(1, pages))
                    for _ in range(rng.randint(5, 80)))
    t = pgtrace.from_refs(refs)
    for f in range(1, t.pages() + 1):
        faults = {p: pgtrace.replay(t, f, p) for p in pgtrace.POLICIES}
        if any(faults["opt"] > v for v in faults.values()):
            worse.append((refs, f, faults))
    full = {p: pgtrace.replay(t, t.pages(), p) for p in pgtrace.POLICIES}
    if set(full.values()) != {t.pages()}:
        compulsory.append((refs, full))
ok(not worse, "random traces: OPT is never beaten %s" % (worse[:1] or ""))
ok(not compulsory, "random traces: frames = pages gives one fault a page %s"
   % (compulsory[:1] or ""))

LOG = """\
playground: kernel 0.1
trace: on first
  a: faults: demand-zero
trace: a r 10000
trace: a w 10001+3
trace: b r 10000
trace: a gone
trace: a r 10000
trace: off first, 6 references
play> echo between
trace: on second
trace: c r 5
trace: off second, 1 references
"""
traces = pgtrace.parse_log(LOG)
ok([t.label for t in traces] == ["first", "second"], "two traces, in order, by label")
t = traces[0]
ok(t.refs == 6 and t.pages() == 6 and t.tasks() == ["a", "b"],
   "ranges expand, a task's pages after 'gone' are new ones (%d refs, %d pages)"
   % (t.refs, t.pages()))
ok(pgtrace.replay(t, 2, "fifo") == 6, "each of the 6 references faults with 2 frames")
with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
    f.write(LOG)
try:
    rc, out, err = run(f.name, "--label", "second", "--frames", "1")
    ok(rc == 0 and "trace second: 1 references to 1 pages (tasks: c)" in out
       and "trace first" not in out, "--label picks one trace")
    rc, out, err = run(f.name, "--label", "third")
    ok(rc == 1 and "no trace labelled 'third'" in err, "no such trace: exit 1, said")
    rc, out, err = run(f.name, "--frames", "0")
    ok(rc == 2 and "frames must be at least 1" in err, "0 frames: exit 2, said")
finally:
    os.unlink(f.name)
for bad, why in (("trace: a r 10000\n", "a reference with no trace on"),
                 ("trace: on x\ntrace: on y\n", "starts inside"),
                 ("trace: on x\ntrace: a q 1\n", "not a trace line"),
                 ("trace: on x\ntrace: a r 1+2\ntrace: off x, 3 references\n",
                  "says 3 references, 2 were read")):
    try:
        pgtrace.parse_log(bad)
        ok(False, "refused: %s" % why)
    except ValueError as e:
        ok(why in str(e), "refused: %s (%s)" % (why, e))
rc, out, err = run("--refs", "1 2 3 4 1 2 5 1 2 3 4 5", "--frames", "3,4")
rows = [line.split() for line in out.splitlines()[2:]]
ok(rc == 0 and rows == [["3", "9", "9", "10", "9", "7"], ["4", "10", "10", "10", "10", "6"]],
   "the table for Belady's string, 3 and 4 frames: %s" % rows)
print("1..%d" % n)
sys.exit(0)
