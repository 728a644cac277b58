"""screen - the text on a QEMU screendump of the kernel's framebuffer console.

No OCR: core/fbcon.c draws core/font8x16.c's glyphs on a fixed grid from
the top-left pixel (8x16 cells, doubled at 1600 pixels wide and more), so
each cell is cut out and looked up pixel for pixel. test/boot/fbcon.t
does the same to test fbcon itself; this is the reader alone, for boots
without a serial port.
"""
import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FONT_SOURCE = os.path.join(ROOT, "core", "font8x16.c")
FONT_W, FONT_H = 8, 16
SCALE_2X_MIN_WIDTH = 1600       # as in core/fbcon.c
MAX_COLS, MAX_ROWS = 480, 135   # ditto
INK_THRESHOLD = 0x40            # fbcon draws 0xAA on 0x00: anything brighter is ink
UNKNOWN = "\ufffd"              # a cell that is no glyph of the font
DONE = "playground: done"


def glyphs():
    """{pixel key: character} from the GLYPH() art in font8x16.c."""
    with open(FONT_SOURCE) as f:
        src = f.read()
    font = {}
    for m in re.finditer(r"GLYPH\(\s*('(?:\\.|[^'\\])')\s*,((?:\s*\"[^\"]*\"\s*,?)*)\)", src):
        rows = re.findall(r'"([^"]*)"', m.group(2))
        key = b"".join(bytes(c == "#" for c in row) for row in rows)
        font[key] = ast.literal_eval(m.group(1))
    return font


def lines(shot, font):
    """The text on a screendump (width, height, rgb), one string per row."""
    width, height, rgb = shot
    scale = 2 if width >= SCALE_2X_MIN_WIDTH else 1
    cw, ch = FONT_W * scale, FONT_H * scale
    cols, rows = min(width // cw, MAX_COLS), min(height // ch, MAX_ROWS)
    ink = rgb[1::3].translate(bytes(int(v >= INK_THRESHOLD) for v in range(256)))  # green
    out = []
    for r in range(rows):
        line = []
        for c in range(cols):
            cell = b"".join(ink[(r * ch + y * scale) * width + c * cw:
                                (r * ch + y * scale) * width + (c + 1) * cw:scale]
                            for y in range(FONT_H))
            line.append(font.get(cell, UNKNOWN))
        out.append("".join(line).rstrip())
    return out
