"""gptimg - disk images with a GPT written by hand, for the disk boot tests.

sgdisk refuses to write most of the tables these tests need (a partition
past the usable range, a header with a bad CRC), so this writes GPTs
itself: the protective MBR, both headers and both entry arrays (UEFI
2.10, 5.3), with CRC-32 from zlib. Partitions are (type, name, first LBA,
last LBA inclusive, unique GUID). Then damage() spoils what a test asks
for, and fill()/read() put and check known bytes in a partition.
"""
import os
import struct
import uuid
import zlib

SECTOR = 512
ENTRIES = 128
ENTRY_SIZE = 128
ARRAY_SECTORS = ENTRIES * ENTRY_SIZE // SECTOR  # 32
OURS = "5F2E10B8-696F-4B47-BF6C-FE8AF08F452A"   # core/blk/gpt.h, docs/storage.md
OUR_NAME = "playground-swap"
LINUX_FS = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
LINUX_SWAP = "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F"
MIB = 1024 * 1024


def guid_bytes(text):
    """A GUID as GPT stores it: the first three fields little-endian."""
    return uuid.UUID(text).bytes_le


def first_usable():
    return 2 + ARRAY_SECTORS


def last_usable(sectors):
    return sectors - 1 - ARRAY_SECTORS - 1


def entry(type_guid, name, first, last, unique):
    name16 = name.encode("utf-16-le")[:72].ljust(72, b"\0")
    return guid_bytes(type_guid) + guid_bytes(unique) + struct.pack("<QQQ", first, last, 0) + name16


def header(sectors, my_lba, alt_lba, entries_lba, array_crc, disk_guid):
    h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, 0, 0, my_lba, alt_lba,
                    first_usable(), last_usable(sectors), guid_bytes(disk_guid), entries_lba,
                    ENTRIES, ENTRY_SIZE, array_crc)
    crc = zlib.crc32(h) & 0xFFFFFFFF
    return h[:16] + struct.pack("<I", crc) + h[20:]


def write(path, size, parts, disk_guid=None):
    """A sparse image of size bytes with a GPT of parts."""
    sectors = size // SECTOR
    disk_guid = disk_guid or str(uuid.uuid4())
    array = b"".join(entry(*p) for p in parts).ljust(ENTRIES * ENTRY_SIZE, b"\0")
    acrc = zlib.crc32(array) & 0xFFFFFFFF
    last = sectors - 1
    mbr = bytearray(SECTOR)
    mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1,
                               min(last, 0xFFFFFFFF))
    mbr[510:512] = b"\x55\xaa"
    with open(path, "wb") as f:
        f.truncate(size)
        f.write(bytes(mbr))
        f.seek(SECTOR)
        f.write(header(sectors, 1, last, 2, acrc, disk_guid))
        f.seek(2 * SECTOR)
        f.write(array)
        f.seek((last - ARRAY_SECTORS) * SECTOR)
        f.write(array)
        f.seek(last * SECTOR)
        f.write(header(sectors, last, 1, last - ARRAY_SECTORS, acrc, disk_guid))


def damage(path, which):
    """Spoil the 'primary' header, the 'backup' one, or 'both': one byte
    of the disk GUID flipped, the CRC left as it was."""
    sectors = os.path.getsize(path) // SECTOR
    lbas = {"primary": [1], "backup": [sectors - 1], "both": [1, sectors - 1]}[which]
    with open(path, "r+b") as f:
        for lba in lbas:
            f.seek(lba * SECTOR + 56)
            b = f.read(1)
            f.seek(lba * SECTOR + 56)
            f.write(bytes([b[0] ^ 0xFF]))


def pattern(seed, n):
    """n bytes that depend on seed, the same each time."""
    out = bytearray()
    block = seed.encode()
    while len(out) < n:
        block = zlib.crc32(block).to_bytes(4, "little") + block[:60]
        out += block
    return bytes(out[:n])


def fill(path, first, last, seed):
    """Put pattern(seed) in LBAs first..last (inclusive); return it."""
    data = pattern(seed, (last - first + 1) * SECTOR)
    with open(path, "r+b") as f:
        f.seek(first * SECTOR)
        f.write(data)
    return data


def read(path, first, last):
    with open(path, "rb") as f:
        f.seek(first * SECTOR)
        return f.read((last - first + 1) * SECTOR)
