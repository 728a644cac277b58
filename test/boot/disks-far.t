#!/usr/bin/env python3
"""Disks the kernel cannot or may not use, on the older pc machine with
OVMF's usual placement (QEMU's default CPU, 40 physical address bits):
the NVMe controller's 64-bit BAR0 lands far above 4 GiB, out of reach of
32-bit paging, and is reported and skipped; a modern-only virtio-blk (no
legacy I/O BAR) is reported and skipped; the boot disk hangs off the IDE
controller, which this kernel has no driver for, so the boot partition
is "not on any disk we drive" (as on a PC booted from a USB stick) and
swap goes to our partition on the transitional virtio-blk disk, where the
disk suite's round trips run. The pc machine has no MCFG: no ECAM.
"""
import os

import gptimg
import pgtest

SIZE = 32 * gptimg.MIB
work = os.path.join(pgtest.BUILD, "test", "disks-far")
os.makedirs(work, exist_ok=True)
paths = {}
for name in ("virtio", "nvme", "modern"):
    paths[name] = os.path.join(work, name + ".img")
    gptimg.write(paths[name], SIZE, [(gptimg.OURS, gptimg.OUR_NAME, 2048, 2048 + 16 * 2048 - 1,
                                      "00000001-0000-4000-8000-0000000000%02X" % len(name))])
extra = []
for n, (name, dev) in enumerate((("virtio", "virtio-blk-pci,addr=0x4"),
                                 ("nvme", "nvme,serial=far,addr=0x5"),
                                 ("modern", "virtio-blk-pci,disable-legacy=on,addr=0x6"))):
    extra += ["-blockdev", "driver=raw,node-name=d%d,file.driver=file,file.filename=%s"
              % (n, paths[name]), "-device", "%s,drive=d%d" % (dev, n)]

tap = pgtest.Tap()
img = pgtest.image("disks-far", "suite = disk\n")
status, log = pgtest.boot(img, machine="pc", memory="256M", timeout=300, extra=extra)
pgtest.kernel_tap(log, tap, "disks-far: ")
pgtest.check_common(log, status, tap, prefix="disks-far: ")
pgtest.check_lines(log, tap, pgtest.BOOT_LINES, "disks-far: ")
pgtest.check_lines(log, tap, (
    ("no MCFG on pc", r"^pci: no ACPI MCFG: registers above 0xff out of reach \(no ECAM\)$"),
    ("the NVMe BAR above 4 GiB", r"^nvme0: BAR0 at 0x[0-9a-f]{9,} \(16 KiB\) is above 4 GiB, "
                                 r"out of reach of 32-bit paging$"),
    ("the NVMe controller skipped", r"^nvme0: NVMe 00:05\.0: its registers are out of reach: "
                                    r"skipped$"),
    ("the modern-only virtio skipped", r"^virtio-blk 00:06\.0: modern-only device \(no legacy "
                                       r"I/O BAR\): not supported, skipped$"),
    ("the transitional virtio works", r"^vblk0: virtio-blk 00:04\.0 \(legacy, I/O 0x[0-9a-f]{4}\)"
                                      r": 65536 sectors"),
    ("the boot disk out of reach", r"^blk: the boot partition \(GPT GUID [0-9A-F-]{36}, LBA "
                                   r"2048\) is not on any disk we drive \(1 disk\): a USB "
                                   r"stick\? This kernel has no USB storage driver$"),
    ("swap elsewhere", r"^blk: swap partition: vblk0p1, 16 MiB$"),
    ("round trips there", r"^ok \d+ - disk: vblk0p1: 16 pages from mid-page \(LBA 16\): "
                          r"the original is back \(0\)$"),
), "disks-far: ")
tap.done(log)
