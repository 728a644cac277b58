#!/usr/bin/env python3
"""fork = copy: every suite again with fork copying page tables the way
Linux 0.11's copy_page_tables does, instead of sharing them copy-on-write.
The counts differ in shape, the results must not."""
import re

import pgtest

tap = pgtest.Tap()
img = pgtest.image("copy", "fork = copy\n")
status, log = pgtest.boot(img, machine="q35", memory="256M", timeout=300)
pgtest.kernel_tap(log, tap, "copy: ")
pgtest.check_common(log, status, tap, prefix="copy: ")
tap.ok(re.search(r"^mm: zero page at 0x[0-9a-f]+; fork copies page tables$", log, re.M) is not None,
       "copy: the kernel says fork copies page tables")
tap.done(log)
