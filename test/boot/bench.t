#!/usr/bin/env python3
"""The benchmark as a regression guard: a short run (3 rounds) under -icount,
where every figure is an exact instruction count. Each figure must stay under
its ceiling in test/boot/bench-ceilings.txt (how they were chosen is written
there), and every fault figure must have taken exactly one fault per page.
A failure means a fault, fork or exit path got slower: docs/bench.md."""
import os
import sys

import pgtest

sys.path.insert(0, os.path.join(pgtest.ROOT, "scripts", "bench"))
import bench  # noqa: E402

tap = pgtest.Tap()
img = pgtest.image("bench", "run = bench\nlog = quiet\nbench_rounds = %d\n" % bench.GUARD_ROUNDS)
status, log = pgtest.boot(img, machine=bench.MACHINE, memory=bench.MEMORY, icount=True,
                          timeout=450)
pgtest.check_common(log, status, tap)
tap.ok("BENCH ours done status=0x0" in log, "the benchmark ran to its end")
figures = bench.parse(log)
for name, ceiling in bench.read_ceilings(os.path.join(pgtest.HERE, "bench-ceilings.txt")):
    got = figures.get(name, {}).get("median")
    tap.ok(got is not None and got <= ceiling, "%s: %s <= %d" % (name, got, ceiling),
           "over the ceiling: see test/boot/bench-ceilings.txt" if got else "figure missing")
for name, f in figures.items():
    if "faults_per_page" in f:
        want = 0.0 if name == "touch_no_fault_cycles" else 1.0
        tap.ok(f["faults_per_page"] == want, "%s: %.3f faults per page (want %.3f)"
               % (name, f["faults_per_page"], want))
tap.done(log)
