#!/usr/bin/env python3
"""Scripts from the ESP, named in playground.cfg and read by the loader:
every ```pg example of docs/playground.md must pass; broken scripts must
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
files, names = [], []
for i, text in enumerate(examples):
    path = os.path.join(work, "doc%d.pg" % (i + 1))
    with open(path, "w") as f:
        f.write(text)
    files.append(path)
    names.append("doc%d.pg" % (i + 1))
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
for name, text in (("stop.pg", BAD_STOP), ("goon.pg", BAD_GO_ON)):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    files.append(path)
    names.append(name)
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
}
seen = set()
for line in log.splitlines():
    m = pgtest.RESULT.match(line)
    if not m:
        continue
    desc = (m.group(3) or "").replace("\\EFI\\BOOT\\", "")
    known = next((e for e in expected_failures if desc.startswith(e)), None)
    if known:
        seen.add(known)
        tap.ok(m.group(1) == "not ok", "reported as a failure: " + desc)
    else:
        tap.ok(m.group(1) == "ok", desc)
for e in sorted(expected_failures - seen):
    tap.ok(False, "missing failure report: " + e)
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
tap.ok("PANIC" not in log, "no kernel panic")
tap.ok(status == pgtest.pgqemu.EXIT_FAIL, "QEMU exit status %s: 35, the broken scripts failed"
       % status)
tap.done(log)
