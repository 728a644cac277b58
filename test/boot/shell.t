#!/usr/bin/env python3
"""The interactive shell over serial: QEMU's serial port on a socket; we
type commands the way a person would (including backspace, Ctrl-U, the
up arrow, Ctrl-C and mistakes) and check the answers. Bad input must give
an error and leave the shell working. After 'quit' a script runs: the
settings the shell changed must be back."""
import os
import re
import socket
import subprocess
import tempfile
import time

import pgtest

AFTER = """task a area 0x10000000 4K rw
write a 0x10000000 1
fork a b
expect table_refs a 0x10000000 == 2
exit b
wait a b
exit a
"""
tap = pgtest.Tap()
work_dir = os.path.join(pgtest.BUILD, "test", "shell-files")
os.makedirs(work_dir, exist_ok=True)
after_pg = os.path.join(work_dir, "after.pg")
with open(after_pg, "w") as f:
    f.write(AFTER)
img = pgtest.image("shell", "run = shell, scripts\nscript = \\EFI\\BOOT\\after.pg\n", [after_pg])
transcript = []


class Console:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        for _ in range(100):
            try:
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.s.settimeout(1)
        self.buf = b""

    def until(self, marker, timeout=120):
        end = time.time() + timeout
        while marker.encode() not in self.buf and time.time() < end:
            try:
                chunk = self.s.recv(4096)
            except socket.timeout:
                continue
            if not chunk:
                break
            self.buf += chunk
        text, sep, rest = self.buf.partition(marker.encode())
        self.buf = rest
        out = (text + sep).decode(errors="replace").replace("\r", "")
        transcript.append(out)
        return out if sep else None

    def drain(self):
        """Take what the kernel has sent so far. Read while typing: QEMU
        writes the socket a byte at a time, so a reader that pauses lets
        it fill after a few hundred bytes, and the guest's UART stalls."""
        self.s.setblocking(False)
        try:
            while True:
                chunk = self.s.recv(4096)
                if not chunk:
                    break
                self.buf += chunk
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            self.s.settimeout(1)

    def type(self, keys):
        for k in keys:  # one at a time, as a person types
            self.s.sendall(k.encode("latin-1"))
            time.sleep(0.002)
            self.drain()
        return self.until("play> ", timeout=60)


with tempfile.TemporaryDirectory(prefix="shell.") as work:
    sock = os.path.join(work, "serial.sock")
    mon = os.path.join(work, "monitor.sock")
    cmd = pgtest.pgqemu.qemu_command(img, work, serial="unix:%s,server=on,wait=off" % sock,
                                     monitor="unix:%s,server=on,wait=off" % mon,
                                     machine="q35", memory="256M")
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    con = Console(sock)
    first = con.until("play> ")
    tap.ok(first is not None and "interactive shell" in first, "the shell prompts on serial")

    def check(keys, pattern, desc):
        out = con.type(keys) or ""
        ok = re.search(pattern, out, re.M) is not None
        tap.ok(ok, desc, "typed %r, got:\n%s" % (keys, out))
        return out

    check("task a area 0x10000000 16K rw\r", r"a: pid \d+, a new address space", "task a starts")
    check("write a 0x10000000 42\r", r"a: faults: demand-zero\n.*wrote 0x10000000 = 0x0000002a",
          "write: a demand-zero fault, then the write")
    check("read a 0x10000000\r", r"read 0x10000000 = 0x0000002a \(42\)", "read it back")
    check("expect value == 42\r", r"true: value == 42", "expect answers true")
    check("expect value == 41\r", r"FALSE: value == 41", "expect answers FALSE")
    check("reax\x7fd a 0x10000000\r", r"read 0x10000000 = 0x0000002a", "backspace edits the line")
    check("garbage\x15read a 0x10000000\r", r"read 0x10000000 = 0x0000002a",
          "Ctrl-U erases the line")
    check("\x1b[A\r", r"read 0x10000000 = 0x0000002a", "up arrow recalls the last command")
    check("wirte a 1\r", r"error: unknown command 'wirte'", "unknown command: an error")
    check("read a zzz\r", r"error: bad number 'zzz'", "bad number: an error")
    check("read nobody 0x1000\r", r"error: unknown task 'nobody'", "unknown task: an error")
    check("read a 0x20000000\r", r"error: 0x20000000 is outside a's areas",
          "address outside the areas: an error, the task lives")
    check("fork a b\r", r"a: fork -> b \(pid \d+\)", "fork")
    check("wait a b\r", r"error: task 'b' is still running: exit or kill it first\n",
          "wait for a child still running: refused, no hang")
    check("write b 0x10000000 7\r", r"b: faults: .*cow-copy", "the child's write copies the page")
    check("read a 0x10000000\r", r"= 0x0000002a", "the parent keeps its value")
    check("show walk b 0x10000000\r", r"PTE at 0x[0-9a-f]+ = 0x[0-9a-f]+ \[P W U A D\]",
          "show walk decodes the entries")
    check("fault b write 0\r", r"b: killed: segv", "a real segfault kills b")
    check("show tasks\r", r"pid +\d+ blocked +agent +a ", "a is still there")
    check("help\r", r"expect +<quantity> <op> <quantity>", "help lists the commands")
    out = check("echo " + "x" * 300 + "\r", r"^error: line too long \(max 255 characters\)\n",
                "an overlong line is refused on Enter")
    tap.ok("  xxx" not in out, "... and nothing of it runs", out)
    check("echo one\r\n", r"  one\n", "CR LF ends a line")
    out = con.type("echo two\r") or ""
    tap.ok(out.startswith("echo two\n  two\n"), "... once: no empty line after it", out)
    for i in range(1, 19):
        check("echo h%d\r" % i, r"  h%d\n" % i, "history entry %d" % i)
    out = check("\x1b[A" * 20 + "\r", r"\n  h3\nplay> $",
                "up past the oldest of the 16 kept stops at it (h3)")
    tap.ok("  h18" not in out, "... it does not wrap round to the newest", out)
    check("show boot\r", r"  loader: paging playground \S+ \(BOOTX64\.EFI\)\n(.*\n)*"
          r"  mem: \d+ ranges, usable \d+ MiB below 4 GiB", "show boot: the loader's lines, "
          "the memory totals")
    # Ctrl-C interrupts a command that would run until the agent timeout.
    check("task s area 0x20000000 4K rw\r", r"s: pid \d+", "task s starts")
    check("write s 0x20000000 0xFEEB half\r", r"wrote 0x20000000 = 0xfeeb", "jmp $ written")
    con.s.sendall(b"fault s exec 0x20000000\r")
    time.sleep(1.5)
    con.drain()
    con.s.sendall(b"\x03")
    out = con.until("play> ", timeout=60) or ""
    tap.ok("error: s: interrupted (Ctrl-C): killed\n" in out, "Ctrl-C interrupts the command",
           out)
    check("expect alive s == 0\r", r"true: alive s == 0", "... and s is gone")
    check("fork_mode copy\r", r"fork now copies", "fork_mode copy in the shell")
    check("verbose on\r", r"verbose on: one line per fault", "verbose on in the shell")
    # The PS/2 keyboard: keys typed through QEMU's monitor, answer on serial.
    keys = ["e", "c", "h", "o", "spc", "k", "e", "y", "shift-b", "o", "a", "r", "d", "ret"]
    pgtest.monitor(mon, ["sendkey %s" % k for k in keys])
    out = con.until("play> ", timeout=30) or ""
    tap.ok("  keyBoard" in out, "the PS/2 keyboard types into the shell", out)
    con.s.sendall(b"quit\r")
    end = con.until("playground: done", timeout=120)
    tap.ok(end is not None and "play: shell closed" in end, "quit closes the shell")
    after = (end or "").partition("play: shell closed")[2]
    tap.ok(re.search(r"^ok \d+ - \\EFI\\BOOT\\after\.pg:4: expect table_refs a 0x10000000 == 2$",
                     after, re.M) is not None,
           "after the shell, fork shares tables again (the shell's fork_mode copy ended)", after)
    tap.ok("play> write a 0x10000000 1" in after and "fault:" not in after,
           "after the shell, no fault lines (the shell's verbose on ended)", after)
    try:
        status = qemu.wait(timeout=60)
    except subprocess.TimeoutExpired:
        qemu.kill()
        status = None
    tap.ok(status == pgtest.pgqemu.EXIT_PASS, "QEMU exit status %s (want 33)" % status)
tap.done("".join(transcript))
