#!/usr/bin/env python3
"""Linux 0.11 mode for a whole script: playground.cfg's task_mode = linux011
makes every 'task' and 'spawn' of a script start in a 64 MiB slot of one
shared directory. The same script runs twice in one boot: as configured,
and after 'task_mode flat'. What must differ (linear addresses, the
directory, the limit) and what must not (the pages, who maps them, the
result of a user program) is checked from the transcript. The boot's probe of segment
limits must report what this CPU does: under QEMU's TCG, not checked."""
import os
import re

import pgtest

SAME = """task a area 0x00400000 8K rw
write a 0x00400000 0x1234
write a 0x00401000 0x1
fork a b
write b 0x00400000 0x5678
let $lin linear a 0x00400000
let $limit seg_limit 0x17 a
let $pda pd a
let $pdb pd b
let $maps mapcount a 0x00401000
let $rss rss b
spawn s segments
schedule 100
expect alive s == 0
expect status s == 0
exit b
wait a b
exit a
expect check == 0
"""
work = os.path.join(pgtest.BUILD, "test", "linux011")
os.makedirs(work, exist_ok=True)
paths = []
for name, text in (("as-configured.pg", SAME), ("flat.pg", "task_mode flat\n" + SAME)):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    paths.append(path)
tap = pgtest.Tap()
cfg = "task_mode = linux011\n" + "".join("script = \\EFI\\BOOT\\%s\n" % os.path.basename(p)
                                         for p in paths)
img = pgtest.image("linux011", cfg, paths)
status, log = pgtest.boot(img, machine="q35", memory="256M", timeout=300)
pgtest.check_common(log, status, tap)
pgtest.kernel_results(log, tap)
pgtest.check_lines(log, tap, [l for l in pgtest.BOOT_LINES if l[0] == "segment limits"])
tap.ok("cpu: segment limits are not checked: a read past a 1-byte segment got 0x0b5e55ed "
       "(QEMU TCG, an emulator)" in log,
       "QEMU's TCG checks no segment limit, and the boot says so")

part = log.split("play: running \\EFI\\BOOT\\flat.pg")
l011, flat = part[0], part[1] if len(part) > 1 else ""


def var(text, name):
    m = re.search(r"^  \$%s = (\d+) \(0x[0-9a-f]+\)$" % name, text, re.M)
    return int(m.group(1)) if m else None


tap.ok(re.search(r"^  a: pid \d+, task\[1\] in Linux 0.11 mode: slot 0x04000000-0x07ffffff",
                 l011, re.M) is not None, "task_mode = linux011: 'task a' starts in slot 1")
tap.ok(re.search(r"^  a: pid \d+, a new address space", flat, re.M) is not None,
       "after 'task_mode flat': 'task a' is flat")
tap.ok(var(l011, "lin") == 0x04400000 and var(flat, "lin") == 0x00400000,
       "linear address of offset 0x00400000: 0x04400000 in slot 1, 0x00400000 flat",
       (var(l011, "lin"), var(flat, "lin")))
tap.ok(var(l011, "limit") == 0x03FFFFFF and var(flat, "limit") == 0xBFFFFFFF,
       "the data segment's limit: 64 MiB in 0.11 mode, just under 3 GiB flat")
tap.ok(var(l011, "pda") == var(l011, "pdb") and var(flat, "pda") != var(flat, "pdb"),
       "one directory for a and its fork child in 0.11 mode, two flat")
for name in ("maps", "rss"):
    tap.ok(var(l011, name) is not None and var(l011, name) == var(flat, name),
           "the same %s in both modes (%s)" % (name, var(l011, name)))
tap.ok("segments: Linux 0.11 mode, the data segment ends at 0x04000000" in l011
       and "segments: flat mode, the data segment ends at 0xc0000000" in flat,
       "spawn follows the mode: the user program sees its segment's end")
tap.done(log)
