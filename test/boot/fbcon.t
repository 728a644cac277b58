#!/usr/bin/env python3
"""The screen console (core/fbcon.c), checked on QEMU's screen, not on serial.

The text on a screendump is read back without OCR: fbcon draws on a fixed
grid from the top-left pixel (8x16 cells, 16x32 at 1600 pixels wide and
more), so every cell of the dump is cut out and looked up, pixel for
pixel, among the glyphs of core/font8x16.c, parsed from its ASCII art.
A console that draws nothing, draws garbage or misplaces a glyph by one
pixel cannot produce the expected lines.

  font     95 glyphs for 0x20..0x7E, 16 rows of 8, all different
  noserial q35 with -serial none: the log reaches the screen alone, up
           to "playground: done"; only black and light grey on it
  report   disk/report.cfg without serial: the lines logged before the
           screen console started are replayed onto it
  2x       1920x1080: glyphs doubled, and the screen is exactly the tail
           of the kernel's serial log from its first line (scrolling
           redraws correctly)
  off      console = off leaves the screen alone
"""
import os
import re

import pgtest
import screen as reader

CFG = "finish = halt\nsuite = boot\n"
FG, BG = (0xAA, 0xAA, 0xAA), (0, 0, 0)   # as in core/fbcon.c
UNKNOWN = reader.UNKNOWN
DONE = reader.DONE
BANNER = "playground: kernel "
FBCON_LINE = re.compile(r"^fbcon: (\d+)x(\d+) framebuffer at 0x[0-9a-f]+, (\d+)x(\d+) text$")
load_font = reader.font_art
glyph_key = reader.glyph_key
last_text = reader.last_text


def check_font(tap, font):
    want = [chr(c) for c in range(0x20, 0x7F)]
    tap.ok(sorted(font) == want, "font: a glyph for each of 0x20..0x7E (%d found)" % len(font),
           "missing: %r" % sorted(set(want) - set(font)))
    shaped = all(len(r) == 16 and all(len(x) == 8 and set(x) <= set(".#") for x in r)
                 for r in font.values())
    tap.ok(shaped, "font: 16 rows of 8 '.'/'#' per glyph")
    tap.ok(all(x[7] == "." for r in font.values() for x in r),
           "font: column 7 stays empty (a gap between characters)")
    keys = [glyph_key(r) for r in font.values()]
    tap.ok(len(set(keys)) == len(keys), "font: every glyph differs from every other")
    tap.ok([c for c, r in font.items() if "#" not in "".join(r)] == [" "],
           "font: only the space is blank")


def screen_lines(screen, glyphs):
    return reader.lines(screen, glyphs)


def grey_on_black(screen):
    """Every pixel is FG or BG (done on whole byte strings: a loop is slow)."""
    rgb = screen[2]
    levels = bytes((FG[0], BG[0]))
    return not rgb.translate(None, levels) and rgb[0::3] == rgb[1::3] == rgb[2::3]


def show(lines):
    return "\n".join("|" + x for x in lines)


def grid_of(screen):
    return reader.grid(screen[0], screen[1])[:2]


def check_fbcon_line(tap, name, line, screen):
    """The 'fbcon: WxH framebuffer at 0x..., CxR text' line against the dump."""
    m = FBCON_LINE.match(line or "")
    cols, rows = grid_of(screen)
    want = (screen[0], screen[1], cols, rows)
    tap.ok(m and tuple(int(g) for g in m.groups()) == want,
           "%s: fbcon line gives the screen's size and grid %dx%d, %dx%d" % ((name,) + want),
           "line: %r" % line)


def boot_noserial(tap, glyphs):
    """No COM1 at all: the screen is the only console."""
    img = pgtest.image("fbcon-noserial", CFG)
    lines = []

    def finished(screen):
        lines[:] = screen_lines(screen, glyphs)
        return last_text(lines).startswith(DONE)

    screen, done = pgtest.boot_and_watch_screen(img, finished, timeout=60, serial=None,
                                                machine="q35", memory="256M")
    diag = show(lines) if screen else "no screendump was taken"
    tap.ok(done, "noserial: the screen ends with '%s'" % DONE, diag)
    tap.ok(last_text(lines) == DONE + ", all good", "noserial: the boot suite passed on screen",
           diag)
    tap.ok(any(re.match(r"^# summary: (\d+) tests, \1 passed, 0 failed$", x) for x in lines),
           "noserial: the TAP summary is on screen", diag)
    tap.ok(lines and not any(UNKNOWN in x for x in lines),
           "noserial: every cell is a glyph or blank (no stray pixels, no firmware text)", diag)
    if screen:
        tap.ok(grey_on_black(screen), "noserial: light grey (#aaaaaa) on black, nothing else")
    fb = [x for x in lines if x.startswith("fbcon:")]
    if fb:
        check_fbcon_line(tap, "noserial", fb[0], screen)
    if lines and lines[0].startswith(BANNER):
        tap.ok(True, "noserial: the log from its first line is on screen")
    else:   # the first line can only have gone if the log filled the screen
        tap.ok(screen and len(lines) == grid_of(screen)[1] and all(lines[:-1]),
               "noserial: kernel banner first on screen, or scrolled away by a full screen",
               diag)


def boot_report(tap, glyphs):
    """disk/report.cfg on a PC without COM1: what the kernel logged before
    the screen console started (the memory map, the CPU state) is replayed
    onto the screen, and stays above the shell's prompt for a photo."""
    with open(os.path.join(pgtest.ROOT, "disk", "report.cfg")) as f:
        img = pgtest.image("fbcon-report", f.read())
    lines = []

    def at_prompt(screen):
        lines[:] = screen_lines(screen, glyphs)
        return last_text(lines).startswith("play>")

    screen, done = pgtest.boot_and_watch_screen(img, at_prompt, timeout=60, serial=None,
                                                machine="q35", memory="256M")
    diag = show(lines) if screen else "no screendump was taken"
    tap.ok(done, "report: the screen ends at the shell's prompt", diag)
    for what, regex in (("memory-map totals", r"^mem: \d+ ranges, usable \d+ MiB below 4 GiB"),
                        ("control registers", r"^cpu: \S+, cr0=0x"),
                        ("where the kernel runs", r"^kernel: virt 0x"),
                        ("ExitBootServices to kmain", r"^boot: ExitBootServices to kmain: ")):
        tap.ok(any(re.match(regex, x) for x in lines),
               "report: logged before the screen started, on it all the same: %s" % what, diag)


def wrapped(lines, cols):
    """Log lines as fbcon lays them out: a line longer than the grid wraps."""
    rows = []
    for line in lines:
        rows += [line[i:i + cols] for i in range(0, len(line), cols)] or [""]
    return rows


def boot_2x(tap, glyphs, work):
    """1920x1080: doubled glyphs, and the screen must be the tail of serial."""
    img = pgtest.image("fbcon-2x", CFG)
    dump = os.path.join(work, "fbcon-2x.ppm")
    if os.path.exists(dump):
        os.unlink(dump)
    log, _ = pgtest.boot_and_inspect(img, DONE, ["screendump " + dump], timeout=60,
                                     machine="q35", memory="256M",
                                     extra=("-vga", "none", "-device",
                                            "VGA,xres=1920,yres=1080"))
    screen = pgtest.read_ppm(dump) if os.path.exists(dump) else None
    tap.ok(screen and screen[:2] == (1920, 1080), "2x: screendump is 1920x1080",
           "no screendump: the kernel never printed '%s'" % DONE if not screen else
           "got %dx%d" % screen[:2])
    if not screen:
        return log
    lines = screen_lines(screen, glyphs)
    cols, rows = grid_of(screen)
    serial = log.split("\n")
    fbl = next((x for x in serial if x.startswith("fbcon:")), None)
    first = next((i for i, x in enumerate(serial) if x.startswith(BANNER)), None)
    tap.ok(fbl is not None and first is not None, "2x: serial has the kernel banner and fbcon line")
    if fbl is None or first is None:
        return log
    check_fbcon_line(tap, "2x", fbl, screen)
    end = next(i for i, x in enumerate(serial) if x.startswith(DONE))
    want = wrapped(serial[first:end + 1], cols) + [""]      # the cursor's empty row
    want = (want[-rows:] + [""] * rows)[:rows]
    tap.ok(lines == want, "2x: the screen shows the last %d rows of the log, at 16x32" % rows,
           "screen:\n%s\nwanted:\n%s" % (show(lines), show(want)))
    return log


def boot_off(tap, glyphs, work):
    """console = off: no fbcon line, and the kernel never draws."""
    img = pgtest.image("fbcon-off", CFG + "console = off\n")
    dump = os.path.join(work, "fbcon-off.ppm")
    if os.path.exists(dump):
        os.unlink(dump)
    log, _ = pgtest.boot_and_inspect(img, DONE, ["screendump " + dump], timeout=60,
                                     machine="q35", memory="256M")
    tap.ok(DONE in log and "fbcon:" not in log, "off: boot finishes without an fbcon line")
    screen = pgtest.read_ppm(dump) if os.path.exists(dump) else None
    lines = screen_lines(screen, glyphs) if screen else []
    tap.ok(screen and not any(DONE in x for x in lines), "off: the kernel log is not on screen",
           show(lines))
    return log


def main():
    tap = pgtest.Tap()
    font = load_font()
    check_font(tap, font)
    glyphs = {glyph_key(rows): c for c, rows in font.items()}
    work = os.path.join(pgtest.BUILD, "test", "fbcon")
    os.makedirs(work, exist_ok=True)
    boot_noserial(tap, glyphs)
    boot_report(tap, glyphs)
    log = boot_2x(tap, glyphs, work)
    log += "\n---- console = off ----\n" + boot_off(tap, glyphs, work)
    tap.done(log)


main()
