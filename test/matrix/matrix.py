"""matrix - one boot of the boot matrix (make test-matrix, docs/real-hardware.md).

Each test/matrix/*.t is one row: a machine, how the disk is attached, RAM,
CPUs, OVMF build and whether there is a serial port. The image carries no
playground.cfg, so the kernel runs every built-in suite and leaves QEMU
through isa-debug-exit. A row with a serial port asserts the whole TAP
stream (every result, the plan), exit status 33, and what the kernel
says about the machine: the MADT's processor count, RAM below and above
4 GiB exactly as QEMU lays it out, and that the firmware loaded the image
from the intended controller. A row without one reads the result off the
screen (as test/boot/fbcon.t does): "finish = halt" keeps the last screen
up, which must show the kernel's own plan and summary, all passed.
"""
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "boot"))
import pgtest  # noqa: E402
import screen  # noqa: E402

MIB = 1
GIB = 1024 * MIB
# Where QEMU splits RAM around the PCI hole: above this much RAM, the
# machine keeps LOWMEM below 4 GiB and maps the rest from 4 GiB up.
LOWMEM_SPLIT = {"q35": (2816 * MIB, 2 * GIB), "pc": (3584 * MIB, 3 * GIB)}
# How OVMF names the boot option it loaded the image from (BdsDxe line).
BOOT_DEVICE = {("q35", "default"): "UEFI QEMU HARDDISK", ("q35", "sata"): "UEFI QEMU HARDDISK",
               ("pc", "default"): "UEFI QEMU HARDDISK", ("pc", "sata"): "UEFI QEMU HARDDISK",
               ("q35", "virtio"): "UEFI Misc Device", ("pc", "virtio"): "UEFI Misc Device",
               ("q35", "usb"): "UEFI QEMU QEMU USB HARDDRIVE",
               ("pc", "usb"): "UEFI QEMU QEMU USB HARDDRIVE"}
BOOT_TIMEOUT = 600          # seconds; 8 GiB rows run the OOM and stress tests on 3 GiB
SCREEN_TIMEOUT = 300
MEM_LINE = re.compile(r"^mem: \d+ ranges, usable (\d+) MiB below 4 GiB, (\d+) MiB above 4 GiB"
                      r"(.*)$", re.M)
OUT_OF_REACH = " (out of reach: 32-bit paging without PAE)"
CPU_LINE = re.compile(r"^cpu: (\d+) processors? in the MADT, running on the boot CPU only$",
                      re.M)


def mib(size):
    """'512M' or '3G' in MiB."""
    return int(size[:-1]) * (GIB if size.endswith("G") else MIB)


def expected_above_4g(machine, memory):
    split, lowmem = LOWMEM_SPLIT[machine]
    ram = mib(memory)
    return ram - lowmem if ram >= split else 0


def check_machine_facts(tap, log, row):
    """What the loader and kernel say about the machine, against the row."""
    name = row["name"]
    dev = BOOT_DEVICE[(row["machine"], row["disk"])]
    tap.ok(re.search(r'BdsDxe: starting Boot\d+ "%s' % re.escape(dev), log) is not None,
           "%s: OVMF started the image from the %s (%s)" % (name, row["disk"], dev))
    m = CPU_LINE.search(log)
    tap.ok(m is not None and int(m.group(1)) == row["cpus"],
           "%s: kernel finds %d processor(s) in the MADT and stays on the boot CPU"
           % (name, row["cpus"]), m.group(0) if m else "no cpu: line")
    m = MEM_LINE.search(log)
    above = expected_above_4g(row["machine"], row["memory"])
    tap.ok(m is not None and int(m.group(2)) == above,
           "%s: %d MiB of RAM above 4 GiB reported" % (name, above),
           m.group(0) if m else "no mem: summary line")
    tap.ok(m is not None and m.group(3) == (OUT_OF_REACH if above else ""),
           "%s: RAM above 4 GiB %s" % (name, "called out of reach" if above else "not mentioned"),
           m.group(0) if m else "")
    below = mib(row["memory"]) - above
    tap.ok(m is not None and below / 2 < int(m.group(1)) <= below,
           "%s: usable RAM below 4 GiB is most of the %d MiB there" % (name, below),
           m.group(0) if m else "")


def boot_serial(tap, row, img):
    started = time.time()
    status, log = pgtest.boot(img, timeout=BOOT_TIMEOUT, **qemu_args(row))
    elapsed = time.time() - started
    pgtest.kernel_tap(log, tap, row["name"] + ": ")
    pgtest.check_common(log, status, tap, prefix=row["name"] + ": ")
    check_machine_facts(tap, log, row)
    return log, elapsed


def boot_screen(tap, row, img):
    """No serial port: watch the screen until the kernel's last line."""
    name, font = row["name"], screen.glyphs()
    lines = []

    def finished(shot):
        lines[:] = screen.lines(shot, font)
        text = [x for x in lines if x]
        return bool(text) and text[-1].startswith(screen.DONE)

    started = time.time()
    shot, done = pgtest.boot_and_watch_screen(img, finished, timeout=SCREEN_TIMEOUT, interval=2.0,
                                              serial=None, **qemu_args(row))
    elapsed = time.time() - started
    text = "\n".join(lines)
    diag = "\n".join("|" + x for x in lines) if shot else "no screendump was taken"
    tap.ok(done, "%s: the screen ends with '%s'" % (name, screen.DONE), diag)
    tap.ok(screen.DONE + ", all good" in text, "%s: ... all good" % name, diag)
    summary = re.search(r"^# summary: (\d+) tests, \1 passed, 0 failed$", text, re.M)
    plan = re.search(r"^1\.\.(\d+)$", text, re.M)
    tap.ok(summary is not None and plan is not None and plan.group(1) == summary.group(1)
           and int(plan.group(1)) > 0,
           "%s: the kernel's plan and summary on screen agree, every test passed" % name, diag)
    tap.ok("not ok" not in text and "PANIC" not in text, "%s: no failure or panic on screen"
           % name, diag)
    tap.ok(lines and not any(screen.UNKNOWN in x for x in lines),
           "%s: every cell of the screen is a glyph or blank" % name, diag)
    return diag, elapsed


def qemu_args(row):
    return {k: row[k] for k in ("machine", "memory", "cpus", "firmware", "disk")}


def run(machine, disk, memory, cpus, firmware, serial):
    """The row named after the calling .t file."""
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    row = dict(name=name, machine=machine, disk=disk, memory=memory, cpus=cpus,
               firmware=firmware, serial=serial)
    tap = pgtest.Tap()
    tap.diag("%s: machine %s, disk %s, RAM %s, %d CPU(s), OVMF %s, %s" % (
        name, machine, disk, memory, cpus, firmware, "serial" if serial else "no serial port"))
    if serial:
        img = pgtest.image("matrix-" + name, None)      # no playground.cfg: every suite
        log, elapsed = boot_serial(tap, row, img)
    else:
        img = pgtest.image("matrix-" + name, "finish = halt\n")
        log, elapsed = boot_screen(tap, row, img)
    tap.diag("%s: boot took %.0f s" % (name, elapsed))
    tap.done(log)
