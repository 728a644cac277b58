#!/usr/bin/env python3
"""The debug kernel (make MM_DEBUG=1): the stress test with the invariant
checker after every single operation, on a small machine so that each
check is quick."""
import os

import pgtest

tap = pgtest.Tap()
efi = os.path.join(pgtest.BUILD, "debug", "BOOTX64.EFI")
img = pgtest.pgqemu.make_image(pgtest.BUILD, "stress-debug", "suite = stress\n", efi=efi)
status, log = pgtest.boot(img, machine="q35", memory="64M", timeout=500)
pgtest.kernel_tap(log, tap, "debug: ")
pgtest.check_common(log, status, tap, prefix="debug: ")
tap.ok(log.count("(checker after every step): no wrong value") == 2,
       "debug: both stress runs checked the invariants after every step")
tap.done(log)
