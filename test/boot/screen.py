"""screen - the text on a QEMU screendump of the kernel's framebuffer console.

No OCR: core/fbcon.c draws core/font8x16.c's glyphs on a fixed grid from
the top-left pixel (8x16 cells, doubled at 1600 pixels wide and more), so
each cell is cut out and looked up pixel for pixel. Used by test/boot/fbcon.t
(which tests fbcon itself) and by the matrix's boots without a serial port.
"""
import ast
import os
import re
import struct
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FONT_SOURCE = os.path.join(ROOT, "core", "font8x16.c")
FONT_W, FONT_H = 8, 16
SCALE_2X_MIN_WIDTH = 1600       # as in core/fbcon.c
MAX_COLS, MAX_ROWS = 480, 135   # ditto
INK_THRESHOLD = 0x40            # fbcon draws 0xAA on 0x00: anything brighter is ink
UNKNOWN = "\ufffd"              # a cell that is no glyph of the font
DONE = "playground: done"


def font_art():
    """{character: 16 rows of '.'/'#'} from the GLYPH() entries of font8x16.c."""
    with open(FONT_SOURCE) as f:
        src = f.read()
    font = {}
    for m in re.finditer(r"GLYPH\(\s*('(?:\\.|[^'\\])')\s*,((?:\s*\"[^\"]*\"\s*,?)*)\)", src):
        font[ast.literal_eval(m.group(1))] = re.findall(r'"([^"]*)"', m.group(2))
    return font


def glyph_key(rows):
    """A glyph as the reader sees it: one byte 0/1 per pixel."""
    return b"".join(bytes(c == "#" for c in row) for row in rows)


def glyphs():
    """{pixel key: character}, for lines()."""
    return {glyph_key(rows): c for c, rows in font_art().items()}


def grid(width, height):
    """(columns, rows, scale) of fbcon's text grid on a screen this size."""
    scale = 2 if width >= SCALE_2X_MIN_WIDTH else 1
    return (min(width // (FONT_W * scale), MAX_COLS), min(height // (FONT_H * scale), MAX_ROWS),
            scale)


def lines(shot, font):
    """The text on a screendump (width, height, rgb), one string per grid row,
    trailing blanks cut. At 2x every font pixel must be a full 2x2 square."""
    width, height, rgb = shot
    cols, rows, scale = grid(width, height)
    cw, ch = FONT_W * scale, FONT_H * scale
    ink = rgb[1::3].translate(bytes(int(v >= INK_THRESHOLD) for v in range(256)))  # green
    out = []
    for r in range(rows):
        line = []
        for c in range(cols):
            cell, square = [], True
            for y in range(FONT_H):
                off = (r * ch + y * scale) * width + c * cw
                bits = ink[off:off + cw:scale]
                if scale > 1:
                    square &= ink[off + 1:off + cw:scale] == bits
                    square &= ink[off + width:off + width + cw:scale] == bits
                cell.append(bits)
            line.append(font.get(b"".join(cell), UNKNOWN) if square else UNKNOWN)
        out.append("".join(line).rstrip())
    return out


def last_text(text_lines):
    """The last non-blank line."""
    text = [x for x in text_lines if x]
    return text[-1] if text else ""


def pixel(shot, x, y):
    """The (r, g, b) of one pixel of a screendump."""
    width, _, rgb = shot
    at = (y * width + x) * 3
    return tuple(rgb[at:at + 3])


def write_png(shot, path, crop=None):
    """A screendump (or the crop (x, y, w, h) of it) as a PNG: indexed
    colour when it has at most 256 (the kernel's screen always has), so
    the file stays small; standard library only."""
    width, height, rgb = shot
    x0, y0, w, h = crop or (0, 0, width, height)
    rows = [rgb[((y0 + y) * width + x0) * 3:((y0 + y) * width + x0 + w) * 3] for y in range(h)]
    colours = {}
    for row in rows:
        for i in range(0, len(row), 3):
            colours.setdefault(row[i:i + 3], len(colours))
            if len(colours) > 256:
                break
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    if len(colours) <= 256:
        raw = b"".join(b"\0" + bytes(colours[row[i:i + 3]] for i in range(0, len(row), 3))
                       for row in rows)
        head = struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0)
        extra = chunk(b"PLTE", b"".join(sorted(colours, key=colours.get)))
    else:
        raw = b"".join(b"\0" + row for row in rows)
        head = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
        extra = b""
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + extra +
                chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
