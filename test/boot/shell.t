#!/usr/bin/env python3
"""The interactive shell over serial: QEMU's serial port on a socket; we
type commands the way a person would (including backspace, Ctrl-U, the
up arrow and mistakes) and check the answers. Bad input must give an
error and leave the shell working."""
import os
import re
import socket
import subprocess
import tempfile
import time

import pgtest

tap = pgtest.Tap()
img = pgtest.image("shell", "run = shell\n")
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

    def type(self, keys):
        for k in keys:  # one at a time, as a person types
            self.s.sendall(k.encode("latin-1"))
            time.sleep(0.002)
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
        ok = re.search(pattern, out) is not None
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
    check("write b 0x10000000 7\r", r"b: faults: .*cow-copy", "the child's write copies the page")
    check("read a 0x10000000\r", r"= 0x0000002a", "the parent keeps its value")
    check("show walk b 0x10000000\r", r"PTE at 0x[0-9a-f]+ = 0x[0-9a-f]+ \[P W U A D\]",
          "show walk decodes the entries")
    check("fault b write 0\r", r"b: killed: segv", "a real segfault kills b")
    check("show tasks\r", r"pid +\d+ blocked +agent +a ", "a is still there")
    check("help\r", r"expect +<quantity> <op> <quantity>", "help lists the commands")
    check("x" * 300 + "\r", r"error: unknown command 'x{32}\.\.\.' \(try 'help'\)", "an overlong line is cut, not fatal")
    # The PS/2 keyboard: keys typed through QEMU's monitor, answer on serial.
    keys = ["e", "c", "h", "o", "spc", "k", "e", "y", "shift-b", "o", "a", "r", "d", "ret"]
    pgtest.monitor(mon, ["sendkey %s" % k for k in keys])
    out = con.until("play> ", timeout=30) or ""
    tap.ok("  keyBoard" in out, "the PS/2 keyboard types into the shell", out)
    con.s.sendall(b"quit\r")
    end = con.until("playground: done", timeout=60)
    tap.ok(end is not None and "play: shell closed" in end, "quit closes the shell")
    try:
        status = qemu.wait(timeout=60)
    except subprocess.TimeoutExpired:
        qemu.kill()
        status = None
    tap.ok(status == pgtest.pgqemu.EXIT_PASS, "QEMU exit status %s (want 33)" % status)
tap.done("".join(transcript))
