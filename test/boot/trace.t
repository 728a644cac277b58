#!/usr/bin/env python3
"""The page-reference trace (`trace on|off`, core/play/trace.c) and its
offline replay (scripts/pgtrace.py), end to end: one boot runs a script
that traces Belady's string in task a, then a second trace with a touch
over a range, a fork's child and a task killed; the log's trace lines are
read back by pgtrace and replayed. FIFO takes 9 faults with 3 frames and
10 with 4, OPT 7 with 3. Misuse is an error, with its reason."""
import os
import re
import sys

import pgtest

sys.path.insert(0, os.path.join(pgtest.ROOT, "scripts"))
import pgtrace  # noqa: E402

REFS = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]
SCRIPT = ("task a area 0x10000000 24K rw\n"
          "try trace off\nexpect error == 1\n"
          "try trace sideways\nexpect error == 1\n"
          "try trace on this-label-is-far-too-long-to-keep\nexpect error == 1\n"
          "trace on belady\n"
          + "".join("read a 0x1000%d000\n" % r for r in REFS) +
          "try trace on again\nexpect error == 1\n"
          "trace off\n"
          "trace on mixed\n"
          "touch a 0x10000000 24K write\n"
          "fork a b\n"
          "write b 0x10001000 7\n"
          "kill b\n"
          "sum a 0x10000ffe 4\n"
          "exit a\n")

tap = pgtest.Tap()
path = os.path.join(pgtest.BUILD, "test", "trace.pg")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    f.write(SCRIPT)
img = pgtest.image("trace", "script = \\EFI\\BOOT\\trace.pg\n", [path])
status, log = pgtest.boot(img, timeout=200)
pgtest.kernel_tap(log, tap)
pgtest.check_common(log, status, tap)
lines = [line for line in log.splitlines() if line.startswith("trace: ")]
tap.ok(lines[:2] == ["trace: on belady", "trace: a r 10001"], "the trace starts as documented",
       "\n".join(lines))
tap.ok("trace: off belady, 12 references" in lines, "trace off counts 12 references")
tap.ok(lines[-7:] == ["trace: on mixed", "trace: a w 10000+6", "trace: b w 10001",
                      "trace: b gone", "trace: a r 10000+2", "trace: a gone",
                      "trace: off mixed, 9 references"],
       "a range, a child, a kill, a read across a page boundary, an exit; the script's "
       "end ends the trace", "\n".join(lines[-7:]))
tap.ok(re.search(r"^  error: .*no trace is on", log, re.M) is not None
       or "no trace is on" in log, "trace off with none on: an error saying so")
tap.ok("usage: trace on [label] | trace off" in log, "a bad word: the usage")
tap.ok("trace label longer than 23 characters" in log, "a long label: refused, said")
tap.ok("a trace is on already ('belady'): trace off first" in log,
       "a second trace on: refused, said")
traces = pgtrace.parse_log(log)
tap.ok([t.label for t in traces] == ["belady", "mixed"], "pgtrace reads both traces")
b = traces[0]
got = (pgtrace.replay(b, 3, "fifo"), pgtrace.replay(b, 4, "fifo"), pgtrace.replay(b, 3, "opt"))
tap.ok(got == (9, 10, 7), "Belady's string from the kernel's trace: FIFO 9 and 10 faults "
       "with 3 and 4 frames, OPT 7 with 3 (%s)" % (got,))
m = traces[1]
tap.ok(m.refs == 9 and m.pages() == 7, "the mixed trace: 9 references, 7 pages (%d, %d)"
       % (m.refs, m.pages()))
tap.done(log)
