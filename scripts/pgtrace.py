#!/usr/bin/env python3
"""pgtrace.py - replay a page-reference trace under the replacement policies.

    python3 scripts/pgtrace.py LOG [--label L] [--frames 3,4]
    python3 scripts/pgtrace.py --refs "1 2 3 4 1 2 5 1 2 3 4 5" --frames 3,4

LOG is a serial log with the kernel's trace lines (the playground's
`trace on [label]` ... `trace off`, docs/playground.md):

    trace: on <label>
    trace: <task> r|w <page hex>[+<pages>]
    trace: <task> gone
    trace: off <label>, <n> references

Each trace is replayed with a given number of frames under the kernel's
policies, as core/mm/reclaim.c runs them, and under OPT, Belady's optimal
(evict the page whose next use lies furthest ahead: it needs the future,
so only a tool that has the whole trace can compute it). Prints the page
faults of each, one row per frame count. With --refs, a reference string
of page numbers is replayed instead (one task).

The policies, as the kernel's (reclaim.c):
  fifo    the oldest page goes
  clock   the oldest page, if referenced since it was last looked at, has
          its bit cleared and goes to the back (a second chance)
  aging   at each eviction every page's age is shifted right with its
          referenced bit as the new top bit (8 bits), the bit cleared; the
          lowest age goes, the oldest among equals
  active  inactive and active lists: the active list is trimmed to the
          inactive one's length (a referenced head goes round again, the
          others go down), then inactive pages found referenced are
          promoted and the first one not referenced goes
  opt     the page used furthest ahead, or never again (the oldest of
          those)
A page that faults in joins the back of the (inactive) list, referenced,
age 0; memory is full at `frames` pages, and one goes before the next
comes in. A task gone takes its pages out of memory. Standard library only.
"""
import argparse
import re
import sys

POLICIES = ("fifo", "clock", "aging", "active", "opt")
LINE = re.compile(r"^trace: (?:(on) (\S+)|(off) (\S+), (\d+) references|(\S+) (?:([rw]) ([0-9a-f]+)(?:\+(\d+))?|(gone)))")


class Trace:
    """One trace: its label and its events, ("ref", page key) or
    ("gone", task). A page key is (task, generation, page number): a task
    name used again after it was gone names new pages."""

    def __init__(self, label):
        self.label = label
        self.events = []
        self.gen = {}
        self.refs = 0

    def ref(self, task, page, count=1):
        g = self.gen.get(task, 0)
        for p in range(page, page + count):
            self.events.append(("ref", (task, g, p)))
        self.refs += count

    def gone(self, task):
        self.events.append(("gone", task))
        self.gen[task] = self.gen.get(task, 0) + 1

    def pages(self):
        return len({k for e, k in self.events if e == "ref"})

    def tasks(self):
        return sorted({k[0] for e, k in self.events if e == "ref"})


def parse_log(text):
    """Every trace of a serial log, in order. A line out of place (a
    reference with no trace on) is an error: the log is not what it says."""
    traces, cur = [], None
    for n, line in enumerate(text.splitlines(), 1):
        line = line.rstrip("\r")
        if not line.startswith("trace: "):
            continue
        m = LINE.match(line)
        if not m:
            raise ValueError("line %d: not a trace line: %r" % (n, line))
        on, label, off, off_label, nrefs, task, rw, page, count, gone = m.groups()
        if on:
            if cur:
                raise ValueError("line %d: trace %r starts inside %r" % (n, label, cur.label))
            cur = Trace(label)
        elif off:
            if not cur or cur.label != off_label:
                raise ValueError("line %d: trace %r ends, but it is not on" % (n, off_label))
            if int(nrefs) != cur.refs:
                raise ValueError("line %d: trace %r says %s references, %d were read"
                                 % (n, off_label, nrefs, cur.refs))
            traces.append(cur)
            cur = None
        elif not cur:
            raise ValueError("line %d: a reference with no trace on" % n)
        elif gone:
            cur.gone(task)
        else:
            cur.ref(task, int(page, 16), int(count) if count else 1)
    if cur:
        traces.append(cur)  # a log cut short: what was traced still counts
    return traces


def from_refs(refs):
    t = Trace("refs")
    for r in refs.replace(",", " ").split():
        t.ref("t", int(r, 0))
    return t


class Memory:
    """Resident pages on the kernel's lists: list 0 (the one list, or the
    inactive one) and list 1 (active), oldest first; a referenced bit and
    an age each."""

    def __init__(self, frames, policy, future=None):
        self.frames, self.policy, self.future = frames, policy, future
        self.lists = ([], [])
        self.bit, self.age = {}, {}
        self.faults = 0

    def resident(self):
        return len(self.lists[0]) + len(self.lists[1])

    def where(self, page):
        return 0 if page in self.bit and page in self.lists[0] else 1

    def access(self, page, i):
        if page in self.bit:
            self.bit[page] = 1
            return
        self.faults += 1
        while self.resident() >= self.frames:
            self.evict_one(i)
        self.lists[0].append(page)
        self.bit[page], self.age[page] = 1, 0

    def drop(self, page):
        self.lists[self.where(page)].remove(page)
        del self.bit[page], self.age[page]

    def gone(self, task):
        for page in [p for p in self.bit if p[0] == task]:
            self.drop(page)

    def young(self, page):
        was = self.bit[page]
        self.bit[page] = 0
        return was

    def evict_one(self, i):
        getattr(self, "evict_" + self.policy)(i)

    def evict_fifo(self, i):
        self.drop(self.lists[0][0] if self.lists[0] else self.lists[1][0])

    def evict_clock(self, i):
        l0 = self.lists[0]
        for _ in range(2 * len(l0) + 1):
            page = l0[0]
            if self.young(page):
                l0.append(l0.pop(0))
            else:
                self.drop(page)
                return
        self.evict_fifo(i)

    def evict_aging(self, i):
        l0 = self.lists[0]
        for page in l0:
            self.age[page] = self.age[page] >> 1 | (0x80 if self.young(page) else 0)
        self.drop(min(l0, key=lambda p: self.age[p]))  # min: the first of equals

    def evict_active(self, i):
        inactive, active = self.lists
        for _ in range(len(active)):
            if len(active) <= len(inactive):
                break
            page = active.pop(0)
            (active if self.young(page) else inactive).append(page)
        for _ in range(len(inactive)):
            page = inactive[0]
            if self.young(page):
                active.append(inactive.pop(0))
            else:
                self.drop(page)
                return
        self.evict_fifo(i)

    def evict_opt(self, i):
        far, victim = -1, None
        for page in self.lists[0]:  # oldest first: the first of equals wins
            nxt = self.future(page, i)
            if nxt > far:
                far, victim = nxt, page
        self.drop(victim)


def next_uses(trace):
    """For reference i, where its page is used next (or infinity)."""
    inf = float("inf")
    nxt, last = [inf] * len(trace.events), {}
    for i in range(len(trace.events) - 1, -1, -1):
        e, key = trace.events[i]
        if e == "ref":
            nxt[i] = last.get(key, inf)
            last[key] = i
    return nxt


def replay(trace, frames, policy):
    """Page faults of trace with frames frames under policy."""
    if frames < 1:
        raise ValueError("frames must be at least 1")
    nxt = next_uses(trace)
    upcoming = {}  # page -> index of its next use, kept as the replay goes
    mem = Memory(frames, policy, lambda page, i: upcoming.get(page, float("inf")))
    for i, (e, key) in enumerate(trace.events):
        if e == "gone":
            mem.gone(key)
            continue
        upcoming.pop(key, None)
        mem.access(key, i)
        upcoming[key] = nxt[i]
    return mem.faults


def default_frames(trace):
    pages = trace.pages()
    if pages <= 8:
        return list(range(1, pages + 1))
    return sorted({max(1, pages * k // 8) for k in (1, 2, 3, 4, 6, 7)})


def table(trace, frames):
    rows = ["trace %s: %d references to %d pages (tasks: %s)"
            % (trace.label, trace.refs, trace.pages(), ", ".join(trace.tasks()) or "none"),
            "%7s" % "frames" + "".join("%8s" % p for p in POLICIES)]
    for f in frames:
        rows.append("%7d" % f + "".join("%8d" % replay(trace, f, p) for p in POLICIES))
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log", nargs="?", help="a serial log with trace lines")
    ap.add_argument("--refs", help="a reference string instead: page numbers")
    ap.add_argument("--label", help="only the traces with this label")
    ap.add_argument("--frames", help="frame counts, e.g. 3,4 (default: a sweep)")
    a = ap.parse_args(argv)
    if bool(a.log) == bool(a.refs):
        ap.error("give a log or --refs, one of them")
    try:
        if a.refs:
            traces = [from_refs(a.refs)]
        else:
            with open(a.log, errors="replace") as f:
                traces = parse_log(f.read())
        frames = [int(x) for x in a.frames.split(",")] if a.frames else None
        if frames and min(frames) < 1:
            raise ValueError("frames must be at least 1")
    except (OSError, ValueError) as e:
        print("pgtrace: %s" % e, file=sys.stderr)
        return 2
    traces = [t for t in traces if not a.label or t.label == a.label]
    if not traces:
        print("pgtrace: no trace%s in %s" % (" labelled %r" % a.label if a.label else "",
                                           a.log or "--refs"), file=sys.stderr)
        return 1
    print("\n\n".join(table(t, frames or default_frames(t)) for t in traces))
    return 0


if __name__ == "__main__":
    sys.exit(main())
