#!/usr/bin/env python3
"""fork = copy: every suite again with fork copying page tables the way
Linux 0.11's copy_page_tables does, instead of sharing them copy-on-write.
The counts differ in shape, the results must not. The same boot has
map_slack = 0, so the loader's first memory-map buffers are too small and
it takes the path that grows them, as on firmware with a big map."""
import re

import pgtest

tap = pgtest.Tap()
img = pgtest.image("copy", "fork = copy\nmap_slack = 0\n")
status, log = pgtest.boot(img, machine="q35", memory="256M", timeout=300)
pgtest.kernel_tap(log, tap, "copy: ")
pgtest.check_common(log, status, tap, prefix="copy: ")
tap.ok(re.search(r"^mm: zero page at 0x[0-9a-f]+; fork copies page tables$", log, re.M) is not None,
       "copy: the kernel says fork copies page tables")
m = re.search(r"^loader: memory map has (\d+) entries, room for (\d+): buffers enlarged to "
              r"(\d+)$", log, re.M)
tap.ok(m is not None and int(m.group(3)) == int(m.group(1)) + 64 and int(m.group(2)) < int(m.group(1)) + 8,
       "copy: map_slack = 0: the loader grew its memory-map buffers (%s)"
       % (m.group(0) if m else "no line"))
tap.done(log)
