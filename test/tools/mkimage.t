#!/usr/bin/env python3
"""disk/mkimage.sh: the image real firmware accepts, and no other.

A good image is checked here independently of the script (GPT read from
the disk, FAT32 boot sector decoded by hand). Then mformat and sgdisk are
replaced by shims on PATH that damage what they make in one way each
(FAT mirroring off, a FAT version edk2 refuses, a file system smaller
than its partition, a partition that is no ESP; minfo reports too few
clusters, since such a volume cannot even be filled): each must be refused with a clear message, leaving neither the image nor its .tmp.
Our swap partition follows the ESP: SWAP MiB (64 by default) with our type
GUID and name, none with SWAP=0; a bad SWAP, or a partition 2 that is not
ours, is refused likewise.
"""
import os
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MKIMAGE = os.path.join(ROOT, "disk", "mkimage.sh")
SECTOR = 512
ESP_OFFSET = 1 << 20
GPT_HEADER_LBA = 1
ESP_TYPE = bytes.fromhex("28732AC11FF8D211BA4B00A0C93EC93B")   # C12A7328-F81F-11D2-..., on disk
FAT32_MIN_CLUSTERS = 65525
BPB_EXT_FLAGS, BPB_FS_VERSION = 40, 42    # byte offsets in the boot sector

n = 0


def ok(cond, desc, diag=""):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond and diag:
        print("\n".join("# " + x for x in str(diag).splitlines()))


def mkimage(out, *extra, env_extra=None, path_first=None):
    env = dict(os.environ)
    env.pop("SWAP", None)   # the script's default, whatever make exported
    env.update(env_extra or {})
    if path_first:
        env["PATH"] = path_first + os.pathsep + env["PATH"]
    p = subprocess.run([MKIMAGE, out, EFI] + list(extra), capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=120)
    return p.returncode, p.stdout + p.stderr


SWAP_TYPE = bytes.fromhex("B8102E5F6F69474BBF6CFE8AF08F452A")  # 5F2E10B8-696F-4B47-..., on disk
SWAP_NAME = "playground-swap"


def gpt_entry(data, number):
    """(type GUID bytes, first LBA, last LBA, name) of GPT entry number."""
    hdr = data[GPT_HEADER_LBA * SECTOR:(GPT_HEADER_LBA + 1) * SECTOR]
    entries_lba, = struct.unpack_from("<Q", hdr, 72)
    at = entries_lba * SECTOR + (number - 1) * 128
    entry = data[at:at + 128]
    first, last = struct.unpack_from("<QQ", entry, 32)
    name = entry[56:128].decode("utf-16-le").rstrip("\0")
    return entry[:16], first, last, name


def gpt_first_partition(data):
    """(type GUID bytes, first LBA, last LBA) of GPT entry 1."""
    hdr = data[GPT_HEADER_LBA * SECTOR:(GPT_HEADER_LBA + 1) * SECTOR]
    assert hdr[:8] == b"EFI PART", "no GPT header"
    entries_lba, = struct.unpack_from("<Q", hdr, 72)
    entry = data[entries_lba * SECTOR:entries_lba * SECTOR + 128]
    first, last = struct.unpack_from("<QQ", entry, 32)
    return entry[:16], first, last


def fat32_facts(boot):
    """Decode the FAT32 boot sector: (type label, clusters, sectors, ext flags, version)."""
    bytes_per_sector, per_cluster, reserved, fats = struct.unpack_from("<HBHB", boot, 11)
    total, = struct.unpack_from("<I", boot, 32)
    fatlen, ext_flags, version = struct.unpack_from("<IHH", boot, 36)
    clusters = (total - reserved - fats * fatlen) // per_cluster
    return boot[82:90].decode(), clusters, total, ext_flags, version, bytes_per_sector


def check_good_image():
    img = os.path.join(WORK, "good.img")
    cfg = os.path.join(WORK, "playground.cfg")
    with open(cfg, "w") as f:
        f.write("suite = boot\n")
    rc, out = mkimage(img, cfg)
    ok(rc == 0 and os.path.exists(img), "a default image is built", out)
    with open(img, "rb") as f:
        data = f.read()
    guid, first, last = gpt_first_partition(data)
    ok(guid == ESP_TYPE, "partition 1 has the EFI System Partition type (EF00)")
    ok(first * SECTOR == ESP_OFFSET, "... and starts at 1 MiB")
    label, clusters, total, ext_flags, version, bps = fat32_facts(data[ESP_OFFSET:ESP_OFFSET +
                                                                       SECTOR])
    ok(label == "FAT32   " and bps == SECTOR, "the ESP holds FAT32 with 512-byte sectors")
    ok(clusters >= FAT32_MIN_CLUSTERS, "... with %d clusters (edk2 needs %d)"
       % (clusters, FAT32_MIN_CLUSTERS))
    ok(total == last - first + 1, "... exactly as big as the partition (%d sectors)" % total)
    ok(ext_flags & 0x80 == 0 and version == 0, "... FATs mirrored, version 0")
    listing = subprocess.run(["mdir", "-b", "-i", img + "@@1M", "::/EFI/BOOT"],
                             capture_output=True, text=True).stdout.split()
    ok(sorted(os.path.basename(x).upper() for x in listing) == ["BOOTX64.EFI", "PLAYGROUND.CFG"],
       "\\EFI\\BOOT holds BOOTX64.EFI and playground.cfg", listing)
    ok(not os.path.exists(img + ".tmp"), "no .tmp is left behind")


def shim(name, body):
    """A directory whose `name` runs body (sh) before or instead of the real one."""
    d = tempfile.mkdtemp(dir=WORK)
    real = subprocess.run(["sh", "-c", "command -v " + name], capture_output=True,
                          text=True).stdout.strip()
    with open(os.path.join(d, name), "w") as f:
        f.write("#!/bin/sh\nREAL=%s\n%s\n" % (real, body))
    os.chmod(os.path.join(d, name), 0o755)
    return d


# After formatting, overwrite one byte of the new boot sector (image@@1M).
PATCH_BYTE = """"$REAL" "$@" || exit
for a in "$@"; do case $a in *@@1M) img=${a%%@@1M} ;; esac; done
printf "\\\\$(printf %%o %d)" | dd of="$img" bs=1 seek=$((1048576 + %d)) conv=notrunc status=none
"""


def refused(name, want, desc, **kw):
    img = os.path.join(WORK, name + ".img")
    rc, out = mkimage(img, **kw)
    ok(rc != 0 and want in out and not os.path.exists(img) and not os.path.exists(img + ".tmp"),
       desc, "status %d\n%s" % (rc, out))


def check_refusals():
    # Such a file system cannot be written to (mmd fails), so minfo lies instead.
    refused("few-clusters", "edk2 needs 65525 or more",
            "FAT32 with too few clusters is refused",
            path_first=shim("minfo", '"$REAL" "$@" | sed "s/^cluster size: .*/cluster size: '
                            '8 sectors/"'))
    refused("no-mirror", "FAT mirroring is off", "FAT32 with mirroring off is refused",
            path_first=shim("mformat", PATCH_BYTE % (0x80, BPB_EXT_FLAGS)))
    refused("version", "edk2 accepts 0 only", "a FAT32 version other than 0 is refused",
            path_first=shim("mformat", PATCH_BYTE % (1, BPB_FS_VERSION + 1)))
    refused("short-fs", "!= partition", "a file system smaller than its partition is refused",
            path_first=shim("mformat", 'for a; do shift; case $a in -T) T=1; set -- "$@" "$a" ;; *) '
                            '[ -n "$T" ] && { a=$((a - 2048)); T=; }; set -- "$@" "$a" ;; '
                            'esac; done\nexec "$REAL" "$@"'))
    refused("not-esp", "not an EFI System Partition", "a partition that is no ESP is refused",
            path_first=shim("sgdisk", 'for a; do shift; [ "$a" = 1:ef00 ] && a=1:0700; '
                            'set -- "$@" "$a"; done\nexec "$REAL" "$@"'))
    refused("small", "at least 64 MiB", "IMAGE_MIB below 64 is refused",
            env_extra={"IMAGE_MIB": "63"})
    refused("nan", "not a number", "a non-numeric IMAGE_MIB is refused",
            env_extra={"IMAGE_MIB": "64M"})
    rc, out = mkimage(os.path.join(WORK, "x.img"), env_extra={"IMAGE_MIB": "64"})
    ok(rc == 0, "64 MiB is still accepted (the smallest size)", out)


def check_swap():
    img = os.path.join(WORK, "swap.img")
    rc, out = mkimage(img)
    ok(rc == 0, "an image with the default swap partition is built", out)
    with open(img, "rb") as f:
        data = f.read()
    guid, first, last, name = gpt_entry(data, 2)
    ok(guid == SWAP_TYPE and name == SWAP_NAME,
       "partition 2 has our swap type and name ('%s')" % name)
    _, _, esp_last, _ = gpt_entry(data, 1)
    ok(first == esp_last + 1 == 72 * 2048, "... right after the ESP, at 72 MiB")
    ok((last - first + 1) * SECTOR == 64 << 20, "... 64 MiB by default")
    ok(len(data) == (72 + 64 + 1) << 20, "the image is the ESP, swap and 1 MiB for the backup GPT")
    rc, out = mkimage(img, env_extra={"SWAP": "16"})
    with open(img, "rb") as f:
        data = f.read()
    guid, first, last, _ = gpt_entry(data, 2)
    ok(rc == 0 and guid == SWAP_TYPE and (last - first + 1) * SECTOR == 16 << 20,
       "SWAP=16 gives a 16 MiB swap partition", out)
    rc, out = mkimage(img, env_extra={"SWAP": "0"})
    with open(img, "rb") as f:
        data = f.read()
    guid, _, _, _ = gpt_entry(data, 2)
    ok(rc == 0 and guid == bytes(16) and len(data) == 72 << 20,
       "SWAP=0 gives no swap partition, the ESP filling the image", out)
    refused("swap-nan", "is not a number of MiB", "a non-numeric SWAP is refused",
            env_extra={"SWAP": "64M"})
    refused("swap-huge", "at most 65536 MiB", "a SWAP beyond 64 GiB is refused",
            env_extra={"SWAP": "70000"})
    refused("swap-type", "does not have our swap type", "a partition 2 not of our type is refused",
            path_first=shim("sgdisk", 'for a; do shift; case $a in 2:5F2E*) a=2:8200 ;; esac; '
                            'set -- "$@" "$a"; done\nexec "$REAL" "$@"'))


with tempfile.TemporaryDirectory(prefix="mkimage-t.") as WORK:
    EFI = os.path.join(WORK, "BOOTX64.EFI")     # any file: only its copy is checked
    with open(EFI, "wb") as f:
        f.write(b"MZ" + os.urandom(4096))
    print("TAP version 13")
    check_good_image()
    check_refusals()
    check_swap()
    print("1..%d" % n)
