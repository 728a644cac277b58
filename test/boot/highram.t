#!/usr/bin/env python3
"""Which swap backend the boot takes (swap = auto | disk | highram | off in
playground.cfg, core/swap_choose.c), in four boots:

1. q35 with 6 GiB (4 GiB of it above 4 GiB), no swap partition, and a bad
   swap value: the loader names the four good ones, auto stays, the disk
   is not taken (no partition), high RAM is, through PSE-36 windows; the
   disk suite's round trips through it pass and give every page back.
2. The same RAM with PSE-36 hidden from CPUID (-cpu qemu64,-pse36) and
   swap = highram: refused, with the reason, and swap is off. (QEMU would
   map the windows anyway: only the CPUID check stops it.)
3. swap = off with our partition there: off, nothing probed.
4. 256 MiB with our partition, swap = auto: no RAM above 4 GiB, so high RAM
   says why it was not taken whatever the disk did."""
import re

import pgtest

tap = pgtest.Tap()
SWAPLINE = re.compile(r"^swap: .*$", re.M)


def boot(name, cfg, swap, memory, extra=()):
    img = pgtest.pgqemu.make_image(pgtest.BUILD, "highram-" + name, cfg, swap=swap)
    status, log = pgtest.boot(img, machine="q35", memory=memory, timeout=300,
                              extra=list(extra))
    pgtest.kernel_tap(log, tap, name + ": ")
    pgtest.check_common(log, status, tap, prefix=name + ": ")
    return log


def has(log, regex, desc):
    tap.ok(re.search(regex, log, re.M) is not None, desc,
           "no line matches /%s/; swap lines:\n%s" % (regex, "\n".join(SWAPLINE.findall(log))))


# 1: high RAM taken, after a bad value
log = boot("auto-6g", "swap = tape\nsuite = boot, disk\n", 0, "6G")
has(log, r"^loader: playground\.cfg line 1: bad value 'tape' for key 'swap' \(ignored\): "
         r"one of auto, disk, highram, off$", "auto-6g: the bad value is reported with the choices")
has(log, r"^swap: disk not taken: no swap partition of ours on any disk we drive$",
    "auto-6g: the disk is not taken, and the log says why")
m = re.search(r"^swap: using highram, (\d+) MiB \((\d+) slots\) above 4 GiB through 2 PSE-36 "
              r"windows of 4 MiB \(MAXPHYADDR (\d+)\); (\d+) MiB more there not used "
              r"\(1024 MiB at most, whole 4 MiB chunks\)$", log, re.M)
tap.ok(m is not None and m.group(1) == "1024" and m.group(2) == "262144"
       and m.group(3) == "40" and m.group(4) == "3072",
       "auto-6g: high RAM in use: 1024 MiB, 262144 slots, MAXPHYADDR 40, 3072 MiB left (%s)"
       % (str(m.groups()) if m else "no line"))
has(log, r"^ok \d+ - swap backend highram: each slot read back holds its own pattern "
         r"\(slots 1\.\.262144 of 262145\)$", "auto-6g: the round trips ran through high RAM")
tap.ok(not re.search(r"^swap: highram not taken", log, re.M),
       "auto-6g: no 'highram not taken' line when it was taken")

# 2: PSE-36 hidden
log = boot("nopse36", "swap = highram\nsuite = boot, disk\n", 0, "6G",
           ("-cpu", "qemu64,-pse36"))
has(log, r"^swap: disk not taken: not tried \(swap = highram\)$",
    "nopse36: swap = highram does not try the disk")
has(log, r"^swap: highram not taken: the CPU has no PSE-36 \(CPUID\.01H:EDX\.PSE-36\[bit 17\] "
         r"= 0\): no page of 32-bit paging reaches above 4 GiB$",
    "nopse36: high RAM refused because CPUID says no PSE-36")
has(log, r"^swap: off: no backend \(swap = highram\)$", "nopse36: swap is off")
has(log, r"^ok \d+ - swap backend: round trips # SKIP swap is off",
    "nopse36: no round trip through a backend")
tap.ok(not re.search(r"^swap: using", log, re.M), "nopse36: no backend in use")

# 3: swap = off
log = boot("off", "swap = off\nsuite = boot\n", 8, "256M")
has(log, r"^blk: swap partition: \S+, 8 MiB", "off: our partition is there")
has(log, r"^swap: off \(swap = off in playground\.cfg\)$", "off: swap = off says so")
tap.ok(len(SWAPLINE.findall(log)) == 1, "off: the one swap line, nothing probed",
       "\n".join(SWAPLINE.findall(log)))

# 4: no RAM above 4 GiB
log = boot("auto-256m", "suite = boot\n", 8, "256M")
has(log, r"^swap: highram not taken: (not needed: the disk comes first|no usable 4 MiB of RAM "
         r"above 4 GiB)$", "auto-256m: high RAM not taken, with the reason")
has(log, r"^swap: (using disk, 8 MiB|disk not taken: .+)", "auto-256m: the disk's line")
tap.done()
