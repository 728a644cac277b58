#!/usr/bin/env python3
"""Scripts from the ESP, named in playground.cfg and read by the loader:
every ```pg example of docs/playground.md must pass (those that do not fit
beside the broken scripts in one boot, in another); broken scripts must
fail the documented way (file:line, stop or continue); a missing script
and an unknown config key are reported, and the boot goes on."""
import os
import re

import pgtest

ROOT = pgtest.ROOT
doc = open(os.path.join(ROOT, "docs", "playground.md")).read()
examples = re.findall(r"```pg\n(.*?)```", doc, re.S)
work = os.path.join(pgtest.BUILD, "test", "scripts")
os.makedirs(work, exist_ok=True)


def write_scripts(scripts):
    """Each (name, text or bytes) as a file of the work directory, text as
    UTF-8; returns the paths, in order."""
    paths = []
    for name, data in scripts:
        path = os.path.join(work, name)
        with open(path, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        paths.append(path)
    return paths


BAD_STOP = ("task a area 0x10000000 4K rw\n"
            "wirte a 0x10000000 1\n"
            "echo never reached\n")
BAD_GO_ON = ("onerror continue\n"
             "task a area 0x10000000 4K rw\n"
             "read a 0x1000zz\n"
             "read nobody 0x10000000\n"
             "read a 0x20000000\n"
             "write a\n"
             "task a\n"
             "expect 1 == 1 + \n"
             "read a 0x10000000\n"
             "expect value == 0\n")
TOO_BIG = "# " + "x" * (1024 * 1024 - 2) + "\n"  # one byte over the loader's 1 MiB
MAX_SCRIPTS = 8  # the loader's CONFIG_MAX_SCRIPTS
fixed = [("stop.pg", BAD_STOP), ("goon.pg", BAD_GO_ON), ("big.pg", TOO_BIG)]
docs = [("doc%d.pg" % (i + 1), text) for i, text in enumerate(examples)]
room = MAX_SCRIPTS - len(fixed) - 1  # and missing.pg
# The doc examples that do not fit beside the broken scripts boot after.
scripts, more_docs = docs[:room] + fixed, docs[room:]
files, names = write_scripts(scripts), [name for name, _ in scripts]
cfg = "".join("script = \\EFI\\BOOT\\%s\n" % n for n in names)
cfg += "script = \\EFI\\BOOT\\missing.pg\nfrobnicate = 1\nlog = loud\n"

tap = pgtest.Tap()
img = pgtest.image("scripts", cfg, files)
status, log = pgtest.boot(img, machine="q35", memory="256M", timeout=300)
tap.ok(len(examples) >= 3, "docs/playground.md has %d runnable examples" % len(examples))

expected_failures = {
    "stop.pg:2: error: unknown command 'wirte' (try 'help')",
    "stop.pg: no failed expect, no error",
    "goon.pg:3: error: bad number '0x1000zz'",
    "goon.pg:4: error: unknown task 'nobody'",
    "goon.pg:5: error: 0x20000000 is outside a's areas",
    "goon.pg:6: error: usage: write <task> <addr> <value> [byte|half|word]",
    "goon.pg:7: error: task 'a' already exists",
    "goon.pg:8: error: a quantity is missing",
    "goon.pg: no failed expect, no error",
    "missing.pg: the loader could not read it",
    "big.pg: the loader could not read it",
}
pgtest.kernel_results(log, tap, expected_failures, prefix=True)
tap.ok("stop.pg: 0 expects, 0 failed, 1 errors (stopped at the first error)" in log
       and "never reached" not in log, "a script stops at its first error")
tap.ok(re.search(r"goon\.pg:10: expect value == 0", log) is not None,
       "with 'onerror continue' the script runs to its end")
key_line = len(names) + 2  # after the script lines and missing.pg
tap.ok("playground.cfg line %d: unknown key 'frobnicate' (ignored)" % key_line in log,
       "the loader reports an unknown config key with its line")
tap.ok("playground.cfg line %d: bad value 'loud' for key 'log' (ignored)" % (key_line + 1) in log,
       "the loader reports a bad value with its line")
tap.ok(re.search(r"loader: warning: script \\EFI\\BOOT\\missing.pg: cannot read", log) is not None,
       "the loader reports a missing script")
tap.ok("loader: warning: script \\EFI\\BOOT\\big.pg: too big (1048577 bytes, at most 1048576)"
       in log, "the loader says a script over 1 MiB is too big, and how big")
pgtest.check_common(log, status, tap, expect_status=pgtest.pgqemu.EXIT_FAIL)  # broken scripts
log_first = log

# ---- The doc examples that did not fit: MAX_SCRIPTS at a time, all passing.
for at in range(0, len(more_docs), MAX_SCRIPTS):
    batch = more_docs[at:at + MAX_SCRIPTS]
    img = pgtest.image("scripts-doc%d" % at, "".join("script = \\EFI\\BOOT\\%s\n" % n
                                                     for n, _ in batch), write_scripts(batch))
    status, log = pgtest.boot(img, machine="q35", memory="256M", timeout=300)
    pgtest.kernel_results(log, tap)
    tap.ok(all("%s: no failed expect, no error" % n in log for n, _ in batch),
           "doc examples %s ran" % ", ".join(n for n, _ in batch))
    pgtest.check_common(log, status, tap)

# ---- A second image: hostile input and the playground's limits. Each
# script is a list of (line, error): error is the exact message that line
# must give ("play: <file>:<line>: error: <message>" and a not ok line),
# None for a line that must not fail. Every other TAP line must be ok.
BOM, NUL = "\ufeff", "\0"
HOSTILE = [
    (BOM + "onerror continue", None),
    ("echo bom-skipped", None),
    ("echo a\x1bb", "control character 0x1b at column 7 (is this a text file?)"),
    ("echo " + "y" * 300, "line too long (max 255 characters)"),
    ("echo " + "z" * 250, None),                       # 255 characters: fits
    ("task a area 0x10000000 3M rw", None),
    ("echo a#b c # a comment", None),                  # '#' in a word is a character
    ("read a 0x10000000#x", "bad number '0x10000000#x'"),
    ("write a 0x10000000 0x1FF byte", "value 0x1ff does not fit in a byte (8 bits)"),
    ("write a 0x10000000 0x10000 half", "value 0x10000 does not fit in a half (16 bits)"),
    ("write a 0x10000000 -129 byte", "value 0xffffff7f does not fit in a byte (8 bits)"),
    ("fill a 0x10000000 16 0x100", "value 0x100 does not fit in a byte (8 bits)"),
    ("touch a 0x10000000 4K write 256", "value 0x100 does not fit in a byte (8 bits)"),
    ("write a 0x10000000 -1 byte", None),              # -1 is 0xff
    ("read a 0x10000000 byte", None),
    ("expect value == 0xFF", None),
    ("write a 0x10001000 0xFFFF half", None),
    ("read a 0x10001000", None),
    ("expect value == 0xFFFF", None),
    ("try", "usage: try <command ...>"),
    ("try try echo x", "try cannot be nested (usage: try <command ...>)"),
    ("expect 1 + 1 == 3", None),                       # a failed expect, checked below
    # Names that are also fault kinds: the word after 'faults' decides.
    ("task segv area 0x10000000 4K rw", None),
    ("let $dz faults segv demand-zero", None),
    ("write segv 0x10000000 1", None),
    ("expect faults segv demand-zero == $dz + 1", None),
    ("let $segv faults segv", None),
    ("fault segv read 0", None),
    ("expect faults segv == $segv + 1", None),
    ("task oom", None),
    ("task spurious", None),
    ("expect faults oom oom + faults spurious spurious == 0", None),
    ("expect faults oom + faults spurious >= 0", None),
    # verbose on|off from a script: a fault line, then none.
    ("verbose on", None),
    ("write a 0x10002000 5", None),
    ("verbose off", None),
    ("write a 0x10003000 6", None),
    # Range commands go to the agent in 1 MiB pieces: values across them.
    ("let $dz faults a demand-zero", None),
    ("fill a 0x100FF000 0x102000 1", None),            # 258 pages over two piece boundaries
    ("expect faults a demand-zero == $dz + 258", None),
    ("sum a 0x100FF000 0x102000", None),
    ("expect value == 0x102000", None),
    ("touch a 0x100FF800 0x1000 write 7", None),       # pages 0x100FF000 and 0x10100000
    ("sum a 0x10000000 3M", None),
    ("expect value == 0x102000 + 6 + 6 + 0x2FD + 5 + 6", None),   # 0x2FD: three 0xff
    # A failed mmap names its cause, from the error code.
    ("map a 0x10100000 4K", "mmap 0x10100000+0x1000 failed: error 17: it overlaps an area "
                            "(see 'show areas')"),
    ("map a 0xC0000000 4K", "mmap 0xc0000000+0x1000 failed: error 14: outside user space"),
    ("map a 0x10400800 4K", "area 0x10400800+0x1000 is not page aligned"),
    ("map a any 0xB0000000", "mmap of 0xb0000000 bytes failed: error 28: no gap that big below "
                             "the stack"),
    ("unmap a 0x10000800 4K", "munmap 0x10000800+0x1000 failed: error 22: not page aligned, or "
                              "outside user space"),
    ("task m", None),
    ("expect areas m == 2", None),                     # the agent's text and stack
] + [("map m 0x%08x 4K" % (0x20000000 + 0x2000 * i), None) for i in range(62)] + [
    ("map m 0x20100000 4K", "mmap 0x20100000+0x1000 failed: error 12: too many areas "
                            "(64 per task)"),
    ("expect areas m == 64", None),
    ("exit m", None),
    ("echo before-nul", None),
    (NUL + "echo after-nul", "NUL byte at column 1: not a text file; the rest is not read"),
    ("echo never", None),
]
TASKS = [
    ("onerror continue", None),
    ("task a area 0x10000000 4K rw", None),
    ("fork a b", None),
    ("wait a b", "task 'b' is still running: exit or kill it first"),
    ("exit b", None),
    ("task b", "task 'b' has exited but is a zombie until 'wait a b'"),
    ("fork a b", "task 'b' has exited but is a zombie until 'wait a b'"),
    ("wait a b", None),
    ("expect status b == 0", None),
    ("fork a b", None),                                # the name is free again
    ("kill b", None),
    ("wait a b", None),
    ("expect status b == 9", None),
    ("task s", None),
    ("wait a s", "a cannot wait for s: error 10 (not its child?)"),
    ("write a 0x10000000 0xFEEB half", None),          # jmp $
    ("fault a exec 0x10000000", "a: no reply in 5 s: killed"),
    ("expect alive a == 0", None),
    ("expect status a == 9", None),
    ("exit s", None),
    ("echo tasks-end", None),
]
TABLE = [("onerror continue", None)] + [("task t%d" % i, None) for i in range(1, 33)]
TABLE += [("task x%d" % i, "task 'x%d' cannot start: 32 named tasks are alive or zombies "
           "(exit, kill or wait for some)" % i) for i in range(1, 19)]
TABLE += [("exit t1", None), ("task x1", None),     # x1 takes the entry of t1, gone
          ("expect alive x1 == 1", None), ("expect status t1 == 0", "unknown task 't1'")]
TABLE += [("exit t%d" % i, None) for i in range(2, 33)]
for i in range(1, 61):                              # more names than entries, more than
    TABLE += [("task y%d" % i, None), ("exit y%d" % i, None)]   # 48 agent slots
TABLE += [("expect status y60 == 0", None), ("echo table-end", None)]
SHOW = [
    ("task a area 0x0804C000 16K rw", None),
    ("write a 0x0804C123 0xAB byte", None),
    ("show pd a", None),
    ("show pt a 0x0804C000", None),
    ("show walk a 0x0804C123", None),
    ("show gdt", None),
    ("show mmap", None),
    ("show page 0x1000", None),
    ("show linux011 a 0x0804C123", None),
    ("task b linux011 area 0x00400000 4K rw", None),
    ("write b 0x00400123 0xCD byte", None),
    ("show linux011 b 0x00400123", None),
    ("show linux011 b 0x04400000", None),
    ("show ldt b", None),
    ("show pd b", None),
    ("show walk b 0x00400123", None),
    ("show boot", None),
    ("exit a", None),
    ("exit b", None),
]
hostile = {"hostile.pg": HOSTILE, "tasks.pg": TASKS, "table.pg": TABLE, "show.pg": SHOW}
scripts = [(name, "".join(text + "\n" for text, _ in lines)) for name, lines in hostile.items()]
scripts.append(("utf16.pg", "# saved as UTF-16\nexpect 1 == 1\n".encode("utf-16")))
files = write_scripts(scripts)
want = {"%s:%d: error: %s" % (name, n, err)
        for name, lines in hostile.items() for n, (_, err) in enumerate(lines, 1) if err}
want.add("utf16.pg:1: error: the file is UTF-16 text (it starts with 0xff 0xfe): "
         "save it as UTF-8 or ASCII")
failing = {"hostile.pg:%d: expect 1 + 1 == 3" % (HOSTILE.index(("expect 1 + 1 == 3", None)) + 1)}
failing |= {"%s: no failed expect, no error" % n for n in ("hostile.pg", "tasks.pg", "table.pg",
                                                             "utf16.pg")}
cfg = "".join("script = \\EFI\\BOOT\\%s\n" % os.path.basename(f) for f in files)
img = pgtest.image("scripts-hostile", cfg, files)
status, log = pgtest.boot(img, machine="q35", memory="256M", timeout=300)
pgtest.kernel_results(log, tap, want | failing)
for e in sorted(want):
    name, n, msg = e.split(":", 2)
    tap.ok("play: \\EFI\\BOOT\\%s:%s:%s" % (name, n, msg) in log,
           "the error line names its file and line: %s" % e)
lines = log.splitlines()


def after(cmd, count=8):
    """The lines a command printed: from its echo to the next command."""
    at = lines.index("play> " + cmd)
    out = []
    for l in lines[at + 1:at + 1 + count]:
        if l.startswith("play> ") or l.startswith("play: "):
            break
        out.append(l)
    return out


n = HOSTILE.index(("expect 1 + 1 == 3", None)) + 1
m = re.search(r"^not ok \d+ - \\EFI\\BOOT\\hostile\.pg:%d: expect 1 \+ 1 == 3\n"
              r"#   left side is 2 \(0x2\), right side 3 \(0x3\)$" % n, log, re.M)
tap.ok(m is not None, "a failed expect prints its not ok line, then both sides")
tap.ok("bom-skipped" in log and "\ufeff" not in log and "\xef\xbb\xbf" not in log,
       "a UTF-8 byte-order mark is skipped")
tap.ok("play> echo " + "z" * 250 in lines and "  " + "z" * 250 in lines,
       "a line of exactly 255 characters runs, echoed whole")
tap.ok(after("echo a#b c") == ["  a#b c"], "'#' inside a word: echoed and run as written",
       after("echo a#b c"))
tap.ok("play> read a 0x10000000#x" in lines, "the echo shows the word with its '#'")
for cmd in ("write a 0x10000000 0x1FF byte", "write a 0x10000000 0x10000 half",
            "fill a 0x10000000 16 0x100", "touch a 0x10000000 4K write 256"):
    tap.ok(not any("wrote" in l or "filled" in l or "touched" in l for l in after(cmd)),
           "refused, nothing done: " + cmd, after(cmd))
tap.ok("  a: wrote 0x10000000 = 0xff" in after("write a 0x10000000 -1 byte"),
       "-1 as a byte is 0xff")
FAULT = r"^fault: demand-zero pid=\d+ va=0x%s pa=0x[0-9a-f]{8} err=\(write,user,not-present\) " \
        r"eip=0x[0-9a-f]{8}$"
tap.ok(any(re.match(FAULT % "10002000", l) for l in after("write a 0x10002000 5")),
       "verbose on: the write prints its fault line", after("write a 0x10002000 5"))
tap.ok(not any(l.startswith("fault:") for l in after("write a 0x10003000 6")),
       "verbose off: no fault line", after("write a 0x10003000 6"))
tap.ok("  a: touched 2 pages (write)" in after("touch a 0x100FF800 0x1000 write 7"),
       "an unaligned touch across a piece boundary touches each page once")
tap.ok("after-nul" not in log and "  never" not in lines, "nothing runs after a NUL byte")
tap.ok(re.search(r"^play: \\EFI\\BOOT\\hostile\.pg: \d+ expects, 1 failed, %d errors "
                 r"\(stopped: not a text file\)$" % sum(1 for _, e in HOSTILE if e), log, re.M)
       is not None,
       "hostile.pg's summary: every error counted, stopped at the NUL byte")
tap.ok("  tasks-end" in lines and "  table-end" in lines,
       "no hang: wait, a zombie's name, an agent that never replies, a full table")
tap.ok(re.search(r"^play: \\EFI\\BOOT\\utf16\.pg: 0 expects, 0 failed, 1 errors "
                 r"\(stopped: not a text file\)$", log, re.M) is not None,
       "a UTF-16 file is refused whole")

# show: the key fields of each view, and that the views agree.
H8 = r"0x[0-9a-f]{8}"


def shown(cmd):
    return after(cmd, 200)


pd = shown("show pd a")
tap.ok(bool(pd) and re.match(r"^  page directory of a at %s \(CR3 while a runs\)$" % H8, pd[0])
       and any(re.match(r"^  PDE\[ 32\] 0x08000000-0x083fffff -> table %s \[P W U A -\] "
                        r"3 pages$" % H8, l) for l in pd)
       and "  PDE[768..1023] the kernel half: the same in every directory, supervisor only" in pd,
       "show pd: the directory, the entry of the text/area table, the kernel half", pd)
pt = shown("show pt a 0x0804C000")
area = [re.match(r"^  PTE\[  76\] 0x0804c000 -> (%s) \[P W U A D\] count 1 anon$" % H8, l)
        for l in pt]
area = [m.group(1) for m in area if m]
tap.ok(bool(pt) and re.match(r"^  page table of a for 0x08000000-0x083fffff at %s "
                             r"\(PDE\[32\] \[P W U A -\]\), count 1$" % H8, pt[0])
       and any(re.match(r"^  PTE\[  72\] 0x08048000 -> %s \[P - U A -\] count \d+ text$" % H8, l)
               for l in pt) and len(area) == 1,
       "show pt: the table, the text page read-only, the written page dirty", pt)
walk = "\n".join(shown("show walk a 0x0804C123"))
m = re.search(r"offset = bits 11\.\.0 = 0x123: physical (%s) \+ 0x123 = (%s)" % (H8, H8), walk)
tap.ok(bool(area) and m is not None and m.group(1) == area[0]
       and int(m.group(2), 16) == int(area[0], 16) + 0x123
       and "  selector 0x0017: index 2, TI 1 (the LDT), RPL 3" in walk
       and re.search(r"^  LDTR = (0x[0-9a-f]{4}) while a runs: GDT\[\d+\] dh=%s dl=%s, an LDT at "
                     r"linear %s, limit 0x17 \(3 entries\)$" % (H8, H8, H8), walk, re.M)
       and re.search(r"^  LDT\[2\] at linear %s: dh=0x00cbf300 dl=0x0000ffff: data, base "
                     r"0x00000000 limit 0xbfffffff DPL 3$" % H8, walk, re.M)
       and "  linear = base + offset = 0x00000000 + 0x0804c123 = 0x0804c123 (base 0: the same "
           "number)" in walk,
       "show walk: selector, LDTR, the LDT's descriptor, the page show pt printed, the offset",
       walk)
walk = "\n".join(shown("show walk b 0x00400123"))
tap.ok(re.search(r"^  LDT\[2\] at linear %s: dh=0x(?P<b>[0-9a-f]{2})c0f300 dl=0x00003fff: data, "
                 r"base 0x(?P=b)000000 limit 0x03ffffff DPL 3$" % H8, walk, re.M)
       and re.search(r"^  linear = base \+ offset = 0x(?P<b>0[48c])000000 \+ 0x00400123 = "
                     r"0x(?P=b)400123$", walk, re.M)
       and re.search(r"^  CR3 = %s: the shared 0.11 directory \(b's slot \d+: linear" % H8, walk, re.M),
       "show walk in 0.11 mode: a 64 MiB segment at the slot's base, the shared directory", walk)
gdt = shown("show gdt")
for i, sel, what, access in ((1, "0x08", "kernel code", "0x9b"), (2, "0x10", "kernel data", "0x93")):
    line = "  GDT[%d] selector %s %-16s base 0x00000000 limit 0xffffffff DPL 0 access %s" % (
        i, sel, what, access)
    tap.ok(line in gdt, "show gdt: " + line.strip(), gdt)
show_log = log[log.index("play: running \\EFI\\BOOT\\show.pg"):]
pid_a = re.search(r"^  a: pid (\d+), a new address space", show_log, re.M)
tap.ok(pid_a and any(re.match(r"^  GDT\[\d+\] selector 0x[0-9a-f]{2} LDT of pid %s a +base %s "
                              r"limit 0x00000017 DPL 0 access 0x82$" % (pid_a.group(1), H8), l)
                     for l in gdt)
       and any(re.match(r"^  \d+ LDT descriptors? in use, \d+ free \(not present\)$", l)
               for l in gdt),
       "show gdt: a's LDT descriptor, with its pid and name", gdt)
ldt = shown("show ldt b")
tap.ok(any(re.match(r"^  LDT\[1\] selector 0x000f code +code, base 0x0[48c]000000 limit "
                    r"0x03ffffff DPL 3, 32-bit, access 0xfb$", l) for l in ldt)
       and "  b's selectors (its saved registers): CS 0x000f DS 0x0017 ES 0x0017 SS 0x0017" in ldt,
       "show ldt: b's code segment in its slot, and the selectors it runs with", ldt)
pd = shown("show pd b")
tap.ok(bool(pd) and re.match(r"^  the shared Linux 0.11 directory at %s" % H8, pd[0])
       and any(re.match(r"^  PDE\[ *\d+\] 0x[0-9a-f]{8}-0x[0-9a-f]{8} slot +\d+ b +-> table %s"
                        % H8, l) for l in pd),
       "show pd of a 0.11-mode task: the shared directory, PDEs named by slot and task", pd)
mm = shown("show mmap")
ranges = [l for l in mm if re.match(r"^  0x[0-9a-f]{9}-0x[0-9a-f]{9} +\d+ KiB [a-z-]+$", l)]
boot_ranges = re.search(r"^mem: (\d+) ranges, ", log, re.M)
boot_mm = re.search(r"^mm: mem_map at %s, \d+ KiB for (\d+) pages; managed (\d+) pages" % H8,
                    log, re.M)
tot = re.match(r"^  mem_map covers (\d+) pages; (\d+) managed, \d+ free$", mm[-1] if mm else "")
tap.ok(boot_ranges and len(ranges) == int(boot_ranges.group(1)) and tot and boot_mm
       and tot.group(1) == boot_mm.group(1) and tot.group(2) == boot_mm.group(2),
       "show mmap: every range of the boot's map, and mem_map's size as at boot", mm[-3:])
zero = re.search(r"^mm: zero page at (%s);" % H8, log, re.M)
page = shown("show page 0x1000")
tap.ok(page and re.match(r"^  page 0x00001000: mem_map\[1\] count \d+, [a-z-]+, "
                         r"low \(direct map\) zone%s$"
                         % (", the shared zero page" if zero and zero.group(1) == "0x00001000"
                            else ""), page[0]) is not None,
       "show page: the mem_map entry, its zone, the zero page named", page)
l011 = shown("show linux011 a 0x0804C123")
tap.ok(any(l.startswith("  a runs flat: LDT segments at base 0x00000000, limit 0xbfffffff, and a "
                        "page directory of its own at ") for l in l011)
       and any(l.startswith("    count of its page: 1 here (32 bits)") for l in l011),
       "show linux011 of a flat task: its flat segments, its own directory, the count", l011)
l011 = shown("show linux011 b 0x00400123")
m = re.match(r"^  b is task\[(\d+)\] in Linux 0.11 mode: pid \d+, slot \1 = linear "
             r"(0x[0-9a-f]{8})-0x[0-9a-f]{8}$", l011[0] if l011 else "")
base = int(m.group(2), 16) if m else 0
tap.ok(m and base == int(m.group(1)) * 0x4000000
       and "    offset 0x00400123 -> linear 0x%08x + 0x00400123 = 0x%08x: PDE[%d] of the shared "
           "directory" % (base, base + 0x400123, (base + 0x400123) >> 22) in l011,
       "show linux011 of a 0.11-mode task: its slot, the linear address and PDE", l011)
tap.ok(any(l.startswith("    0x04400000 is past the limit 0x03ffffff: a #GP where the CPU checks "
                        "limits") for l in shown("show linux011 b 0x04400000")),
       "show linux011: past 64 MiB, a #GP where limits are checked",
       shown("show linux011 b 0x04400000"))
said = [l for l in lines[lines.index("playground: loader said:") + 1:] if l.startswith("loader: ")]
said = said[:said.index(next(l for l in said if l.startswith("loader: exiting boot services")))
            + 1] if said else []
totals = next((l for l in lines if l.startswith("mem: ") and " ranges, usable " in l), None)
sb = shown("show boot")
tap.ok(bool(said) and totals and sb == ["  playground: loader said:"] + ["  " + l for l in said]
       + ["  " + totals], "show boot: the loader's lines and the memory totals, as at boot",
       "\n".join(sb))
pgtest.check_common(log, status, tap, expect_status=pgtest.pgqemu.EXIT_FAIL,
                    prefix="hostile input (its scripts fail): ")
tap.done(log_first + "\n---- hostile input ----\n" + log)
