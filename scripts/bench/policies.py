#!/usr/bin/env python3
"""policies.py - replacement policies against OPT on the playground's
workloads: make bench-policies (docs/bench.md, Policy quality).

    python3 scripts/bench/policies.py --build BUILD [--markdown]

Writes each workload as a playground script that turns the page-reference
trace on (`trace on <name>`, docs/playground.md) and makes task `a` (and
`b`) touch its pages in the workload's order, boots them all in one QEMU
run (plain TCG: the trace does not depend on time), reads the trace lines
back from the serial log and replays each trace with scripts/pgtrace.py
under FIFO, clock, aging, active/inactive and OPT at the workload's frame
counts. The swap scenarios' scripts (test/scenarios/23-29) run too, with
a trace on from their first line, where they exist. Prints the table of
faults; --markdown prints it as docs/bench.md holds it. Standard library
only; the workloads are seeded, so the table repeats exactly.
"""
import argparse
import glob
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import pgqemu  # noqa: E402
import pgtrace  # noqa: E402

BASE = 0x10000000
MAX_SCRIPTS = 8  # the loader's CONFIG_MAX_SCRIPTS


def page_addr(p):
    return BASE + p * 4096


def belady():
    return [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]


def hot_and_cold():
    """A hot set of 4 pages read between each of 24 cold pages read once:
    what clock's second chance is for."""
    refs = []
    for cold in range(24):
        refs += [0, 1, 2, 3, 10 + cold]
    return refs


def loop(pages, times):
    """A working set read in order, again and again: bigger than memory,
    LRU-like policies fault on every access (thrashing); OPT does not."""
    return list(range(pages)) * times


def shuffle(pages, refs, seed=11):
    """Random pages, uniformly: no policy can do much better than chance."""
    rng = random.Random(seed)
    return [rng.randrange(pages) for _ in range(refs)]


def merge_sort(pages, per_page=8, seed=5):
    """A bottom-up merge sort of `pages` pages of numbers (per_page a page,
    scaled down) between two buffers: the page of each element read and
    written, in the order the merges touch them."""
    rng = random.Random(seed)
    n = pages * per_page
    src = [rng.random() for _ in range(n)]
    dst = [0.0] * n
    bufs = (0, pages)  # src at pages [0, pages), dst at [pages, 2 pages)
    refs, which, width = [], 0, 1

    def touch(buf, i):
        p = bufs[buf] + i // per_page
        if not refs or refs[-1] != p:
            refs.append(p)

    while width < n:
        for lo in range(0, n, 2 * width):
            mid, hi = min(lo + width, n), min(lo + 2 * width, n)
            i, j = lo, mid
            for k in range(lo, hi):
                if i < mid and (j >= hi or src[i] <= src[j]):
                    touch(which, i)
                    dst[k] = src[i]
                    i += 1
                else:
                    touch(which, j)
                    dst[k] = src[j]
                    j += 1
                touch(1 - which, k)
        src, dst, which, width = dst, src, 1 - which, width * 2
    return refs


# name: (references of task a, of task b or None, frame counts to show)
WORKLOADS = [
    ("belady", belady(), None, [3, 4]),
    ("hot-cold", hot_and_cold(), None, [5, 6, 8]),
    ("loop-12", loop(12, 6), None, [8, 11, 12]),
    ("linear-2x", loop(64, 2), None, [32, 48]),
    ("shuffle", shuffle(64, 600), None, [16, 32, 48]),
    ("merge-sort", merge_sort(16, 4), None, [8, 16, 24]),
    ("two-tasks", loop(24, 3), loop(24, 3), [16, 32, 40]),
]


def script(name, a, b):
    """The playground script of one workload: references in order; with b,
    the two tasks take turns, one reference each."""
    top = max(a + (b or [])) + 1
    lines = ["# %s: a page-reference workload of scripts/bench/policies.py" % name,
             "task a area 0x%x %dK rw" % (BASE, top * 4)]
    if b:
        lines.append("task b area 0x%x %dK rw" % (BASE, top * 4))
    lines.append("trace on %s" % name)
    order = [("a", p) for p in a] if not b else \
        [x for pair in zip([("a", p) for p in a], [("b", p) for p in b]) for x in pair]
    lines += ["read %s 0x%x" % (t, page_addr(p)) for t, p in order]
    lines.append("trace off")
    lines += ["exit a"] + (["exit b"] if b else [])
    return "\n".join(lines) + "\n"


def scenario_scripts():
    """The swap scenarios, a trace on from their first line; the frame
    counts from their memlimit lines (and the sweep pgtrace chooses)."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "test", "scenarios", "2[3-9]-*.pg"))):
        name = os.path.basename(path)[:-3]
        text = open(path).read()
        limits = sorted({int(x, 0) for x in re.findall(r"^\s*memlimit\s+(\w+)", text, re.M)
                         if x.isdigit() or x.startswith("0x")})
        out.append((name, "trace on %s\n" % name[:23] + text, limits or None))
    return out


def run(build):
    scripts = [(n, script(n, a, b), frames) for n, a, b, frames in WORKLOADS]
    scripts += scenario_scripts()
    workdir = os.path.join(build, "bench", "policies")
    os.makedirs(workdir, exist_ok=True)
    traces, frames_of = {}, {}
    for at in range(0, len(scripts), MAX_SCRIPTS):
        batch = scripts[at:at + MAX_SCRIPTS]
        files, cfg = [], "run = scripts\nlog = quiet\n"
        for name, text, frames in batch:
            path = os.path.join(workdir, name + ".pg")
            with open(path, "w") as f:
                f.write(text)
            files.append(path)
            cfg += "script = \\EFI\\BOOT\\%s.pg\n" % name
            frames_of[name[:23]] = frames
        image = pgqemu.make_image(build, "policies%d" % at, cfg, files)
        log_path = os.path.join(workdir, "boot%d.log" % at)
        status, text = pgqemu.boot(image, timeout=600, log_path=log_path)
        with open(log_path, "w") as f:
            f.write(text)
        if status != pgqemu.EXIT_PASS:
            raise SystemExit("policies: the boot failed (QEMU status %s); see %s"
                             % (status, log_path))
        for t in pgtrace.parse_log(text):
            traces[t.label] = t
    missing = [n[:23] for n, _, _ in scripts if n[:23] not in traces]
    if missing:
        raise SystemExit("policies: no trace from %s" % ", ".join(missing))
    return [(traces[n[:23]], frames_of[n[:23]] or pgtrace.default_frames(traces[n[:23]]))
            for n, _, _ in scripts]


def markdown(results):
    rows = ["| workload | refs | pages | frames | " + " | ".join(pgtrace.POLICIES) + " |",
            "|---|---:|---:|---:|" + "---:|" * len(pgtrace.POLICIES)]
    for t, frames in results:
        for f in frames:
            faults = [pgtrace.replay(t, f, p) for p in pgtrace.POLICIES]
            rows.append("| %s | %d | %d | %d | " % (t.label, t.refs, t.pages(), f)
                        + " | ".join(str(x) for x in faults) + " |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    results = run(a.build)
    if a.markdown:
        print(markdown(results))
    else:
        print("\n\n".join(pgtrace.table(t, f) for t, f in results))


if __name__ == "__main__":
    main()
