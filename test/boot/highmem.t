#!/usr/bin/env python3
"""1500 MiB of RAM: more than the 896 MiB direct map. User pages come from
highmem, page tables can live there, the kernel reaches both through kmap
slots; the memory and task suites pass as they do below 896 MiB."""
import re

import pgtest

tap = pgtest.Tap()
img = pgtest.image("highmem", "suite = boot, mm, task\n")
status, log = pgtest.boot(img, machine="q35", memory="1500M", timeout=400)
pgtest.kernel_tap(log, tap, "highmem: ")
pgtest.check_common(log, status, tap, prefix="highmem: ")
m = re.search(r"mm: mem_map at .* managed \d+ pages \(low (\d+), high (\d+)\)", log)
tap.ok(m is not None and int(m.group(2)) > 100000,
       "highmem: more than 100000 pages managed in the high zone (%s)"
       % (m.group(2) if m else "?"))
tap.ok(re.search(r"^ok \d+ - mm: user pages come from highmem \(0x", log, re.M) is not None,
       "highmem: the kernel's highmem tests ran, not skipped")
tap.done(log)
