#!/usr/bin/env python3
"""5 GiB of RAM on q35: 2 GiB below 4 GiB, more than the 896 MiB direct
map, and 3 GiB above, out of reach of 32-bit paging. User pages come from
highmem, page tables can live there, the kernel reaches both through kmap
slots; the memory and task suites pass as they do below 896 MiB; the RAM
above 4 GiB is reported, not used and not a crash."""
import re

import pgtest

tap = pgtest.Tap()
img = pgtest.image("highmem", "suite = boot, mm, task\n")
status, log = pgtest.boot(img, machine="q35", memory="5G", timeout=400)
pgtest.kernel_tap(log, tap, "highmem: ")
pgtest.check_common(log, status, tap, prefix="highmem: ")
m = re.search(r"mm: mem_map at .* managed \d+ pages \(low (\d+), high (\d+)\)", log)
tap.ok(m is not None and int(m.group(2)) > 100000,
       "highmem: more than 100000 pages managed in the high zone (%s)"
       % (m.group(2) if m else "?"))
m = re.search(r"^mem: \d+ ranges, usable (\d+) MiB below 4 GiB, (\d+) MiB above 4 GiB "
              r"\(out of reach: 32-bit paging without PAE\)$", log, re.M)
tap.ok(m is not None and int(m.group(2)) >= 3000 and int(m.group(1)) > 1500,
       "highmem: RAM above 4 GiB reported as out of reach (%s MiB below, %s MiB above)"
       % (m.groups() if m else ("?", "?")))
tap.ok(re.search(r"^ok \d+ - mm: user pages come from highmem \(0x", log, re.M) is not None,
       "highmem: the kernel's highmem tests ran, not skipped")
tap.done(log)
