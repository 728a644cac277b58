#!/usr/bin/env python3
"""Boot on the older pc (i440fx) machine with the default configuration and
leave QEMU through isa-debug-exit: status 33 means every kernel test passed."""
import pgtest

tap = pgtest.Tap()
img = pgtest.image("pc", None)
status, log = pgtest.boot(img, machine="pc", memory="256M", timeout=300)
pgtest.kernel_tap(log, tap, "pc: ")
pgtest.check_common(log, status, tap, prefix="pc: ")
pgtest.check_lines(log, tap, pgtest.BOOT_LINES, "pc: ")
pgtest.check_lines(log, tap, pgtest.KILL_LINES, "pc: ")
tap.done(log)
