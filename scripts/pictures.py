#!/usr/bin/env python3
"""pictures.py BUILD DOCS: copy the pictures test/boot/pictures.t made into
the docs, small (make pictures).

The test keeps what it saw under BUILD/test/pictures/: screen.png (a QEMU
screendump, already indexed colour) and report.png (Chromium's screenshot
of the HTML report, full colour). They are copied to DOCS/ as indexed
PNGs of at most 256 colours, a few tens of KiB each: the report's flat
colours are kept exactly, the shades of its anti-aliased text go to the
nearest colour of a 6x6x6 cube. Nothing here draws a picture: every
image in docs/pictures/ is one a test took. Standard library only.
"""
import os
import struct
import sys
import zlib

KEEP_EXACT = 40          # the most frequent colours kept as they are


def chunks(data):
    pos = 8
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        yield data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n


def read_png(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG" % path)
    idat = b""
    for kind, body in chunks(data):
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError("%s: not an 8-bit RGB(A) PNG" % path)
        elif kind == b"IDAT":
            idat += body
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, rows = bytearray(stride), []
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        unfilter(kind, line, prev, bpp)
        rows.append(bytes(line) if bpp == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
        prev = line
    return width, height, rows


def unfilter(kind, line, prev, bpp):
    """PNG's five row filters (the spec, section 9), undone in place."""
    n = len(line)
    if kind == 1:
        for i in range(bpp, n):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif kind == 2:
        for i in range(n):
            line[i] = (line[i] + prev[i]) & 255
    elif kind == 3:
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (left + prev[i]) // 2) & 255
    elif kind == 4:
        for i in range(n):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255


def palette_of(rows):
    """At most 256 colours: the most frequent exactly, then a colour cube."""
    count = {}
    for row in rows:
        for i in range(0, len(row), 3):
            c = row[i:i + 3]
            count[c] = count.get(c, 0) + 1
    if len(count) <= 256:
        return sorted(count, key=count.get, reverse=True)
    exact = sorted(count, key=count.get, reverse=True)[:KEEP_EXACT]
    cube = [bytes((r, g, b)) for r in range(0, 256, 51) for g in range(0, 256, 51)
            for b in range(0, 256, 51)]
    return exact + cube


def write_indexed(path, width, rows):
    palette = palette_of(rows)
    index = {c: i for i, c in enumerate(palette)}

    def nearest(c):
        return min(range(len(palette)), key=lambda i: sum((palette[i][k] - c[k]) ** 2
                                                          for k in range(3)))
    out = []
    for row in rows:
        line = bytearray(b"\0")
        for i in range(0, len(row), 3):
            c = row[i:i + 3]
            k = index.get(c)
            if k is None:
                k = index[c] = nearest(c)
            line.append(k)
        out.append(bytes(line))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", width, len(rows), 8, 3, 0, 0, 0)) +
                chunk(b"PLTE", b"".join(palette)) + chunk(b"IDAT", zlib.compress(b"".join(out), 9))
                + chunk(b"IEND", b""))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pictures.py BUILD DOCS")
    src, dst = os.path.join(sys.argv[1], "test", "pictures"), sys.argv[2]
    os.makedirs(dst, exist_ok=True)
    for name in ("screen.png", "report.png"):
        path = os.path.join(src, name)
        if not os.path.exists(path):
            sys.exit("pictures: no %s: run the test first (BUILD=%s prove test/boot/pictures.t, "
                     "or make test)" % (path, sys.argv[1]))
        with open(path, "rb") as f:
            indexed = f.read()[25] == 3     # IHDR's colour type
        if indexed:
            with open(path, "rb") as f, open(os.path.join(dst, name), "wb") as g:
                g.write(f.read())
        else:
            width, _, rows = read_png(path)
            write_indexed(os.path.join(dst, name), width, rows)
        print("pictures: %s -> %s (%d KiB)" % (path, os.path.join(dst, name),
                                               os.path.getsize(os.path.join(dst, name)) // 1024))


if __name__ == "__main__":
    main()
