#!/usr/bin/env python3
"""Boot on q35 with the default configuration (every built-in suite), stop
in place at the end, and check the final CPU state in QEMU's own monitor:
PE=1, PG=1, PAE=0, EFER.LMA=0, a 32-bit CS, CR0.WP=1, our GDT and IDT."""
import re

import pgtest

tap = pgtest.Tap()
img = pgtest.image("q35", "finish = halt\n")
log, mon = pgtest.boot_and_inspect(img, "playground: done", ["info registers"],
                                   machine="q35", memory="256M")
pgtest.kernel_tap(log, tap, "q35: ")
tap.ok("PANIC" not in log, "q35: no kernel panic")
pgtest.check_lines(log, tap, pgtest.BOOT_LINES, "q35: ")
pgtest.check_memory_map(log, tap, "q35: ")
pgtest.check_lines(log, tap, pgtest.KILL_LINES, "q35: ")
regs = mon.get("info registers", "")
tap.ok(bool(regs), "q35: QEMU monitor answered 'info registers' after the run",
       "no monitor output: the kernel never printed 'playground: done'")


def reg(name):
    m = re.search(r"\b%s=([0-9a-fA-F]+)" % name, regs)
    return int(m.group(1), 16) if m else None


cr0, cr4, efer = reg("CR0"), reg("CR4"), reg("EFER")
tap.ok(cr0 is not None and cr0 & 1, "monitor: CR0.PE=1 (CR0=%s)" % hex(cr0 or 0))
tap.ok(cr0 is not None and cr0 & 0x80000000, "monitor: CR0.PG=1")
tap.ok(cr0 is not None and cr0 & 0x10000, "monitor: CR0.WP=1")
tap.ok(cr4 is not None and not cr4 & 0x20, "monitor: CR4.PAE=0 (CR4=%s)" % hex(cr4 or 0))
tap.ok(efer is not None and not efer & 0x400, "monitor: EFER.LMA=0 (EFER=%s)" % hex(efer or 0))
tap.ok(re.search(r"^CS =0008 00000000 ffffffff \S+ DPL=0 CS32", regs, re.M) is not None,
       "monitor: CS=0x08, flat, 32-bit (CS32)")
m = re.search(r"cpu: gdt=0x([0-9a-f]+) idt=0x([0-9a-f]+)", log)
gdt = re.search(r"^GDT=\s+([0-9a-f]+) ([0-9a-f]+)", regs, re.M)
idt = re.search(r"^IDT=\s+([0-9a-f]+) ([0-9a-f]+)", regs, re.M)
tap.ok(m and gdt and int(gdt.group(1), 16) == int(m.group(1), 16),
       "monitor: GDTR base is the kernel's GDT (%s)" % (gdt.group(1) if gdt else "?"))
tap.ok(m and idt and int(idt.group(1), 16) == int(m.group(2), 16)
       and int(idt.group(2), 16) == 0x7ff,
       "monitor: IDTR is the kernel's IDT, 256 gates (%s)" % (idt.group(0) if idt else "?"))
tap.done(log + "\n---- info registers ----\n" + regs)
