#!/usr/bin/env python3
"""A kernel bug must stop everything loudly: run = panic (a kernel write
to address 0) and run = double-fault (an exception on an unmapped kernel
stack) print the dumps docs/serial-log.md shows, and QEMU exits with 37."""
import pgtest

H8 = r"0x[0-9a-f]{8}"
PANIC_LINES = (
    ("the panic line", r"^PANIC: #PF page fault in kernel mode at eip=%s$" % H8),
    ("vector, decoded error and CR2", r"^ vector=14 \(#PF page fault\) error=0x00000002 "
                                      r"\(write,kernel,not-present\) cr2=0x00000000$"),
    ("general registers", r"^ eax=%s ebx=%s ecx=%s edx=%s$" % (H8, H8, H8, H8)),
    ("index and stack registers", r"^ esi=%s edi=%s ebp=%s esp=%s$" % (H8, H8, H8, H8)),
    ("eip and segments", r"^ eip=%s cs=0x0008 eflags=%s ds=0x0010 es=0x0010$" % (H8, H8)),
    ("control registers", r"^ cr0=%s cr3=%s cr4=%s$" % (H8, H8, H8)),
    ("a backtrace into the kernel", r"^ backtrace:( 0xc[0-9a-f]{7})+$"),
    ("the last line", r"^PANIC: system halted$"),
)
DOUBLE_FAULT_LINES = (
    ("the double-fault line", r"^PANIC: #DF double fault \(a fault while raising a fault: "
                              r"a bad kernel stack\?\)$"),
    ("general registers", r"^ eax=%s ebx=%s ecx=%s edx=%s$" % (H8, H8, H8, H8)),
    ("the bad stack pointer", r"^ esi=%s edi=%s ebp=%s esp=0xfffff100$" % (H8, H8, H8)),
    ("eip and segments", r"^ eip=%s cs=0x0008 eflags=%s ds=0x0010 es=0x0010 ss=0x0010$"
                         % (H8, H8)),
    ("CR2: the first push below it", r"^ cr0=%s cr2=0xfffff0fc cr4=%s$" % (H8, H8)),
    ("the last line", r"^PANIC: system halted$"),
)

tap = pgtest.Tap()
logs = ""
for name, lines in (("panic", PANIC_LINES), ("double-fault", DOUBLE_FAULT_LINES)):
    img = pgtest.image("panic-" + name, "run = %s\nlog = quiet\n" % name)
    status, log = pgtest.boot(img, machine="q35", memory="128M", timeout=120)
    logs += "---- run = %s ----\n%s\n" % (name, log)
    tap.ok(status == pgtest.pgqemu.EXIT_PANIC, "%s: QEMU exit status %s (want %d: panic)"
           % (name, status, pgtest.pgqemu.EXIT_PANIC))
    pgtest.check_lines(log, tap, lines, name + ": ")
    tap.ok("playground: done" not in log, "%s: the session did not go on" % name)
tap.done(logs)
