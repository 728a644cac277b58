#!/usr/bin/env python3
"""log = verbose: every fault served prints one documented "fault:" line
and every TLB flush one "tlb:" line (docs/serial-log.md). A script makes
known faults happen; we check the lines and that they match the counters."""
import os
import re

import pgtest

SCRIPT = """task a area 0x10000000 16K rw
write a 0x10000000 1
read a 0x10001000
write a 0x10001000 2
fork a b
write b 0x10000000 3
show stats
exit b
wait a b
write a 0x10000000 4
exit a
"""
work = os.path.join(pgtest.BUILD, "test", "verbose")
os.makedirs(work, exist_ok=True)
path = os.path.join(work, "faults.pg")
with open(path, "w") as f:
    f.write(SCRIPT)
tap = pgtest.Tap()
img = pgtest.image("verbose", "log = verbose\nscript = \\EFI\\BOOT\\faults.pg\n", [path])
status, log = pgtest.boot(img, machine="q35", memory="256M", timeout=200)
pgtest.check_common(log, status, tap, prefix="verbose: ")
pgtest.check_memory_map(log, tap, "verbose: ", verbose=True)

FAULT = re.compile(r"^fault: (demand-zero|zero-page|zero-cow|cow-copy|cow-reuse|spurious) "
                   r"pid=(\d+) va=0x([0-9a-f]{8}) pa=0x([0-9a-f]{8}) "
                   r"err=\((read|write),(user|kernel),(not-present|protection)\) "
                   r"eip=0x[0-9a-f]{8}$", re.M)
faults = FAULT.findall(log)
odd = [l for l in log.splitlines() if l.startswith("fault:") and not FAULT.match(l)]
tap.ok(faults and not odd, "every fault: line has the documented format (%d lines)" % len(faults),
       "\n".join(odd[:5]))
pids = {}
for m in re.finditer(r"  (\w): pid (\d+)", log):
    pids.setdefault(m.group(1), m.group(2))
for m in re.finditer(r"  a: fork -> b \(pid (\d+)\)", log):
    pids["b"] = m.group(1)


def seen(kind, who, va, err):
    return any(f[0] == kind and f[1] == pids.get(who) and f[2] == va and f[4:] == err
               for f in faults)


tap.ok(seen("demand-zero", "a", "10000000", ("write", "user", "not-present")),
       "a's first write: demand-zero, write, not present")
tap.ok(seen("zero-page", "a", "10001000", ("read", "user", "not-present")),
       "a's read of an untouched page: zero-page, read, not present")
tap.ok(seen("zero-cow", "a", "10001000", ("write", "user", "protection")),
       "a's write after it: zero-cow, write, protection")
tap.ok(seen("cow-copy", "b", "10000000", ("write", "user", "protection")),
       "b's write to a shared page: cow-copy")
tap.ok(seen("cow-reuse", "a", "10000000", ("write", "user", "protection")),
       "a's write after b exited: cow-reuse")
tap.ok(re.search(r"^tlb: cr3 reload \(fork\)$", log, re.M) is not None,
       "fork reloads CR3, and says so")
tap.ok(re.search(r"^tlb: invlpg 0x10000000 \(cow-copy\)$", log, re.M) is not None,
       "a copy-on-write invalidates one page, and says so")
# The counters printed by show stats agree with the fault lines before them.
stats = re.search(r"^faults: demand-zero=(\d+) zero-page=(\d+) zero-cow=(\d+) cow-copy=(\d+) "
                  r"cow-reuse=(\d+)", log, re.M)
upto = log[:stats.start()] if stats else ""
for i, kind in enumerate(["demand-zero", "zero-page", "zero-cow", "cow-copy", "cow-reuse"]):
    lines = len(re.findall(r"^fault: %s " % kind, upto, re.M))
    tap.ok(stats is not None and int(stats.group(i + 1)) == lines,
           "%s: counter %s = %d fault: lines" % (kind, stats.group(i + 1) if stats else "?", lines))
tap.done(log)
