#!/usr/bin/env python3
"""The disk drivers on one q35 machine with eleven disks: AHCI (the boot
disk, a second and a third port), virtio-blk and NVMe, the NVMe BAR kept
below 4 GiB (-cpu qemu64,phys-bits=36 and OVMF's X-PciMmio64Mb=0).

Each driver finds its disks, reads their GPT and runs the kernel's disk
suite: round trips on our partitions (a pattern written, read back, the
original put back), writes refused everywhere else. One disk of each kind
sits under QEMU's blkdebug with EIO (errno 5, never 28 on writes) on a
read and on a write: the suite reports those two steps as failures, the
driver and the block layer log them, nothing panics. A disk without a
GPT, one whose two headers are both bad, one whose swap partition is too
small and one whose partition runs past the usable range are logged and
not used; one with a bad primary header is read through its backup (in
a read-only disk, which the firmware cannot repair first).
After QEMU exits, every partition of every test disk is byte for byte as
it was before the boot: foreign partitions were never written, ours were
put back. A script shows what `show pci`, `show blk` and `show gpt` say.
"""
import os
import re

import gptimg
import pgtest

MIB = gptimg.MIB
SIZE = 32 * MIB
OURS = (gptimg.OURS, gptimg.OUR_NAME, 2048, 2048 + 16 * 2048 - 1, None)      # 16 MiB
FOREIGN = (gptimg.LINUX_FS, "data", 34816, 34816 + 8 * 2048 - 1, None)       # 8 MiB
LINUX_SWAP = (gptimg.LINUX_SWAP, gptimg.OUR_NAME, 51200, 51200 + 4 * 2048 - 1, None)
READ_ERROR_LBA = 2048 + 8                    # our partition's second page
WRITE_ERROR_LBA = 2048 + 16 * 2048 // 2      # its middle page
GOOD = [OURS, FOREIGN, LINUX_SWAP]
work = os.path.join(pgtest.BUILD, "test", "disks")
os.makedirs(work, exist_ok=True)


def parts(layout):
    return [(t, n, f, l, "%08X-0000-4000-8000-%012X" % (i + 1, f))
            for i, (t, n, f, l, _) in enumerate(layout)]


def disk(name, layout=GOOD, damage=None):
    """A 32 MiB test disk with this GPT; each partition filled with bytes
    of its own. Returns (path, {partition number: bytes})."""
    path = os.path.join(work, name + ".img")
    if os.path.exists(path):
        os.remove(path)
    if layout is None:
        with open(path, "wb") as f:
            f.truncate(SIZE)
        return path, {}
    gptimg.write(path, SIZE, parts(layout))
    if damage:
        gptimg.damage(path, damage)
    return path, {i + 1: gptimg.fill(path, p[2], p[3], "%s-%d" % (name, i + 1))
                  for i, p in enumerate(layout)}


def blockdev(n, path, errors, readonly):
    """-blockdev arguments for a raw disk at path, with blkdebug under it
    when errors: EIO on a read of READ_ERROR_LBA, on a write of
    WRITE_ERROR_LBA, every time. Returns (args, node name)."""
    if not errors:
        return ["-blockdev", "driver=raw,node-name=d%d,file.driver=file,file.filename=%s%s"
                % (n, path, ",read-only=on" if readonly else "")], "d%d" % n
    bd = ('{"driver":"blkdebug","node-name":"bd%d","image":{"driver":"file","filename":"%s"},'
          '"inject-error":[{"event":"read_aio","errno":5,"sector":%d},'
          '{"event":"write_aio","errno":5,"sector":%d}]}'
          % (n, path, READ_ERROR_LBA, WRITE_ERROR_LBA))
    return ["-blockdev", bd, "-blockdev", "driver=raw,file=bd%d,node-name=d%d" % (n, n)], "d%d" % n


# (name, how attached, where, layout, damage, errors, the unit the kernel
# names it). A disk whose GPT the firmware would repair (OVMF rewrites a
# bad primary header from a good backup) is read-only in QEMU.
READONLY = ("vd-past", "vd-backup")
DISKS = [
    ("sata-good", "sata", "ide.1", GOOD, None, False, "ahci1"),
    ("sata-err", "sata", "ide.3", GOOD, None, True, "ahci2"),
    ("vd-good", "virtio", "0x4", GOOD, None, False, "vblk0"),
    ("nv-good", "nvme", "0x5", GOOD, None, False, "nvme0n1"),
    ("vd-err", "virtio", "0x6", GOOD, None, True, "vblk1"),
    ("nv-err", "nvme", "0x7", GOOD, None, True, "nvme1n1"),
    ("vd-nogpt", "virtio", "0x8", None, None, False, "vblk2"),
    ("vd-corrupt", "virtio", "0x9", GOOD, "both", False, "vblk3"),
    ("vd-small", "virtio", "0xa",
     [(gptimg.OURS, gptimg.OUR_NAME, 2048, 2048 + 1023, None)], None, False, "vblk4"),
    ("vd-past", "virtio", "0xb",
     [(gptimg.OURS, gptimg.OUR_NAME, 2048, 65535, None)], None, False, "vblk5"),
    ("vd-backup", "virtio", "0xc", GOOD, "primary", False, "vblk6"),
]

SCRIPT = "show pci\nshow pci caps\nshow blk\nshow gpt\nshow gpt vblk6\nshow gpt nosuch\n"
script = os.path.join(work, "disks.pg")
with open(script, "w") as f:
    f.write(SCRIPT)
cfg = "suite = boot, disk\nrun = suite, scripts\nscript = \\EFI\\BOOT\\disks.pg\n"

extra = ["-cpu", "qemu64,phys-bits=36", "-fw_cfg", "name=opt/ovmf/X-PciMmio64Mb,string=0",
         "-device", "ide-cd,bus=ide.2"]
before = {}
for n, (name, kind, where, layout, damage, errors, unit) in enumerate(DISKS):
    path, data = disk(name, layout, damage)
    before[name] = (path, data, layout)
    args, node = blockdev(n, path, errors, name in READONLY)
    extra += args
    if kind == "sata":
        extra += ["-device", "ide-hd,drive=%s,bus=%s" % (node, where)]
    elif kind == "virtio":
        extra += ["-device", "virtio-blk-pci,drive=%s,addr=%s" % (node, where)]
    else:
        extra += ["-device", "nvme,serial=pg%d,drive=%s,addr=%s" % (n, node, where)]

tap = pgtest.Tap()
img = pgtest.image("disks", cfg, [script])
status, log = pgtest.boot(img, machine="q35", memory="256M", timeout=400, extra=extra)

failures = []
for name, kind, where, layout, damage, errors, unit in DISKS:
    if errors:
        failures += ["disk: %sp1: second page (LBA 8, 8 sectors): read the original" % unit,
                     "disk: %sp1: middle page (LBA 16384): write a pattern" % unit]
pgtest.kernel_results(log, tap, failures)
pgtest.check_common(log, status, tap, expect_status=pgtest.pgqemu.EXIT_FAIL)
pgtest.check_lines(log, tap, pgtest.BOOT_LINES)

H = r"0x[0-9a-f]+"
LINES = [
    ("the AHCI controller", r"^ahci 00:1f\.2: AHCI 1\.0, 6 ports \(implemented 0x0000003f\), "
                            r"32 command slots, 64-bit DMA$"),
    ("the CD-ROM port skipped", r"^ahci 00:1f\.2: port 2: an ATAPI device \(CD/DVD\): skipped$"),
    ("a SATA disk", r"^ahci1: port 1 of ahci 00:1f\.2: 'QEMU HARDDISK', 65536 sectors of 512 "
                    r"bytes \(32 MiB\), MSI vector %s$" % H),
    ("a virtio-blk disk", r"^vblk0: virtio-blk 00:04\.0 \(legacy, I/O 0x[0-9a-f]{4}\): 65536 "
                          r"sectors \(32 MiB\), queue of 256, 8 slots, MSI-X vector %s; "
                          r"features 0x[0-9a-f]{8}, taken 0x00000000$" % H),
    ("an NVMe controller", r"^nvme0: NVMe 1\.4 00:05\.0: 'QEMU NVMe Ctrl'$"),
    ("an NVMe namespace", r"^nvme0n1: namespace 1: 65536 blocks of 512 bytes \(32 MiB\), "
                          r"MSI-X vector %s$" % H),
    ("a GPT read", r"^gpt: vblk0: GPT from the primary header, disk [0-9A-F-]{36}, 128 entries, "
                   r"3 in use$"),
    ("our partition", r"^gpt: vblk0p1: LBA 2048-34815 \(16 MiB\), playground swap, "
                      r"'playground-swap': swap may use it$"),
    ("a foreign partition", r"^gpt: vblk0p2: LBA 34816-51199 \(8 MiB\), Linux filesystem, "
                            r"'data'$"),
    ("Linux swap with our name", r"^gpt: vblk0p3: LBA 51200-59391 \(4 MiB\), Linux swap, "
                                 r"'playground-swap'$"),
    ("no GPT", r"^gpt: vblk2: no GPT \(no 'EFI PART' at LBA 1 or at the last LBA\): "
               r"disk not used$"),
    ("both headers bad", r"^gpt: vblk3: GPT corrupt \(primary: header CRC %s, computed %s; "
                         r"backup: header CRC %s, computed %s\): disk not used$" % (H, H, H, H)),
    ("too small", r"^gpt: vblk4p1: LBA 2048-3071 \(0 MiB\), playground swap, "
                  r"'playground-swap': not used: too small for swap: 512 KiB, at least "
                  r"1024 KiB$"),
    ("past the usable range", r"^gpt: vblk5p1: LBA 2048-65535 \(31 MiB\), playground swap, "
                              r"'playground-swap': not used: outside the table's usable "
                              r"range$"),
    ("the backup header", r"^gpt: vblk6: primary header bad \(header CRC %s, computed %s\): "
                          r"using the backup at LBA 65535$" % (H, H)),
    ("a read-only disk", r"^vblk6: virtio-blk 00:0c\.0 .*, read-only; features 0x[0-9a-f]{8}, "
                         r"taken 0x00000020$"),
    ("ours on a read-only disk", r"^gpt: vblk6p1: LBA 2048-34815 \(16 MiB\), playground swap, "
                                 r"'playground-swap': not used: the disk is read-only$"),
    ("the boot partition", r"^blk: boot partition: ahci0p1 \(GPT GUID [0-9A-F-]{36}\)$"),
    ("swap on the boot disk", r"^blk: swap partition: ahci0p2, 64 MiB, on the boot disk$"),
    ("others ours not used", r"^blk: vblk0p1 is ours too: not used \(one swap partition\)$"),
]
for unit, read_line, write_line in (
        ("vblk1", r"device status 1 \(IOERR\)", r"device status 1 \(IOERR\)"),
        ("nvme1n1", r"status 2/0x81 \(unrecovered read error\)", r"status 2/0x80 \(write fault\)"),
        ("ahci2", r"task file error \(status 0x41, error 0x04, PxIS 0x40000001\)",
         r"task file error \(status 0x41, error 0x04, PxIS 0x40000001\)")):
    LINES += [
        ("%s: the read error" % unit, r"^%s: read of 8 sectors at %d: %s$"
         % (unit, READ_ERROR_LBA, read_line)),
        ("%s: the write error" % unit, r"^%s: write of 8 sectors at %d: %s$"
         % (unit, WRITE_ERROR_LBA, write_line)),
        ("%s: the read fails as -EIO" % unit, r"^blk: %sp1: read of 8 sectors at 8 failed: "
         r"I/O error \(-5\), after retries$" % unit),
        ("%s: the write fails as -EIO" % unit, r"^blk: %sp1: write of 8 sectors at 16384 "
         r"failed: I/O error \(-5\), after retries$" % unit),
    ]
# What the script showed.
LINES += [
    ("show pci: the NVMe BAR", r"^    BAR0 mem64 0x[0-9a-f]{8} +16 KiB$"),
    ("show pci: a driver's note", r"^    vblk0, 32 MiB$"),
    ("show pci: MSI-X with its count", r"^    MSI-X vector %s, [1-9]\d* interrupts$" % H),
    ("show pci caps: ECAM's extended capabilities", r"^    extended \(ECAM\):( [0-9a-f]{4}@[0-9a-f]{3})+$"),
    ("show blk: a disk", r"^  nvme0n1 +disk +65536 sectors of 512 \(32 MiB\), read-only$"),
    ("show blk: our partition, counted", r"^            reads [1-9]\d* \(\d+ sectors\), writes "
                                         r"[1-9]\d* \(\d+ sectors\), errors 0, timeouts 0$"),
    ("show blk: the error counts", r"^            reads \d+ \(\d+ sectors\), writes \d+ \(\d+ "
                                   r"sectors\), errors 2, timeouts 0$"),
    ("show blk: boot and swap", r"^  boot partition: ahci0p1; swap partition: ahci0p2$"),
    ("show gpt: a table", r"^  vblk6: GPT from the backup header at LBA 65535; disk GUID "
                          r"[0-9A-F-]{36}$"),
    ("show gpt: a partition", r"^     1       2048      34815  playground swap      "
                              r"'playground-swap' $"),
    ("show gpt: a foreign one", r"^     2      34816      51199  Linux filesystem     'data' "
                                r"read-only$"),
    ("show gpt: a disk not used", r"^  vblk3: primary: header CRC"),
    ("show gpt: no such disk", r"^  no such disk \(show blk lists them\)$"),
]
pgtest.check_lines(log, tap, LINES)

# Every partition of every test disk as it was before the boot.
for name, (path, data, layout) in before.items():
    for number, want in data.items():
        p = layout[number - 1]
        got = gptimg.read(path, p[2], p[3])
        tap.ok(got == want, "%s: partition %d (LBA %d-%d) byte for byte as before the boot"
               % (name, number, p[2], p[3]),
               "differs first at byte %d" % next((i for i in range(len(want))
                                                  if got[i] != want[i]), -1))
tap.done(log)
