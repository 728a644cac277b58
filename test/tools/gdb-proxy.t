#!/usr/bin/env python3
"""scripts/gdb-i386-proxy against a made-up QEMU gdb stub, without QEMU.

The fake stub below answers as qemu-system-x86_64's does: a description
split over an include (with a commented-out register, as QEMU's has),
64-bit general registers in QEMU's order, 'p' and 'P' in its numbering,
a T02 stop reply sent unasked when the debugger connects. Each register
holds a value whose two halves differ, so a wrong cut or a wrong number
shows. The test speaks to the proxy as gdb does, on its stdin and stdout.
(test/boot/gdb.t runs real gdb on real QEMU through it.)
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROXY = os.path.join(ROOT, "scripts", "gdb-i386-proxy")
sys.path.insert(0, os.path.join(ROOT, "test", "boot"))
from pgtest import Tap  # noqa: E402

# QEMU's x86-64 layout: (name, bits), numbered from 0 in this order.
QEMU_REGS = ([(r, 64) for r in ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp")]
             + [("r%d" % i, 64) for i in range(8, 16)]
             + [("rip", 64), ("eflags", 32)]
             + [(s, 32) for s in ("cs", "ss", "ds", "es", "fs", "gs")]
             + [(r, 64) for r in ("fs_base", "gs_base", "k_gs_base",
                                  "cr0", "cr2", "cr3", "cr4", "cr8", "efer")]
             + [("st%d" % i, 80) for i in range(8)]
             + [(r, 32) for r in ("fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg",
                                  "fooff", "fop")]
             + [("xmm%d" % i, 128) for i in range(16)] + [("mxcsr", 32)])
I386 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
        "cs", "ss", "ds", "es", "fs", "gs"] + ["st%d" % i for i in range(8)] + \
       ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop",
        "cr0", "cr2", "cr3", "cr4"]
FROM = {"eax": "rax", "ecx": "rcx", "edx": "rdx", "ebx": "rbx", "esp": "rsp", "ebp": "rbp",
        "esi": "rsi", "edi": "rdi", "eip": "rip"}
TARGET_XML = ('<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target>'
              '<architecture>i386:x86-64</architecture><xi:include href="core.xml"/></target>')
CORE_XML = ('<feature name="org.gnu.gdb.i386.core">'
            + "".join('<reg name="%s" bitsize="%d"%s/>' % (n, b, ' regnum="0"' if i == 0 else "")
                      for i, (n, b) in enumerate(QEMU_REGS[:24]))
            + '<!--reg name="ss_base" bitsize="64"/-->'
            + "".join('<reg name="%s" bitsize="%d"/>' % (n, b) for n, b in QEMU_REGS[24:])
            + "</feature>")

def frame(payload):
    return b"$%s#%02x" % (payload, sum(payload) & 0xFF)


def value(i, bits):
    """Register i's made-up value: low half 0x1000+i (0x100+i for 32-bit
    registers), all higher bytes 0xa0+i, little-endian."""
    low = (0x1000 + i).to_bytes(4, "little") if bits > 32 else (0x100 + i).to_bytes(4, "little")
    return low + bytes([0xA0 + i]) * (bits // 8 - 4)


class FakeQemu(threading.Thread):
    def __init__(self, path):
        super().__init__(daemon=True)
        self.srv = socket.socket(socket.AF_UNIX)
        self.srv.bind(path)
        self.srv.listen(1)
        self.received = []           # every packet the proxy sent, in order

    def send(self, payload):
        self.conn.sendall(frame(payload))

    def run(self):
        self.conn, _ = self.srv.accept()
        self.send(b"T02thread:01;")  # QEMU's stop on connection, unasked
        buf = b""
        while True:
            data = self.conn.recv(65536)
            if not data:
                return
            buf += data
            while True:
                m = re.search(rb"\$([^#]*)#..", buf)
                if not m:
                    break
                buf = buf[m.end():]
                self.conn.sendall(b"+")
                self.answer(m.group(1))

    def answer(self, p):
        self.received.append(p)
        xfer = re.match(rb"qXfer:features:read:([^:]+):([0-9a-f]+),([0-9a-f]+)$", p)
        if xfer:
            doc = {b"target.xml": TARGET_XML, b"core.xml": CORE_XML}[xfer.group(1)].encode()
            off, length = int(xfer.group(2), 16), int(xfer.group(3), 16)
            more = off + length < len(doc)
            self.send((b"m" if more else b"l") + doc[off:off + length])
        elif p == b"g":
            self.send(b"".join(value(i, b).hex().encode() for i, (_, b) in enumerate(QEMU_REGS)))
        elif p[:1] == b"p":
            i = int(p[1:], 16)
            self.send(value(i, QEMU_REGS[i][1]).hex().encode() if i < len(QEMU_REGS) else b"E14")
        elif p[:1] in (b"P", b"M"):
            self.send(b"OK")
        elif p[:1] == b"m":
            self.send(b"00" * int(p.split(b",")[1], 16))
            self.send(b"T02thread:01;")          # unasked again: never for gdb
        elif p in (b"?", b"c"):
            self.send(b"T05thread:01;")
        else:
            self.send(b"")


class Gdb:
    """The proxy's other side, speaking as gdb does (acknowledged packets)."""

    def __init__(self, stub):
        self.proc = subprocess.Popen(["python3", PROXY, stub], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buf = b""

    def ask(self, payload, timeout=20):
        self.proc.stdin.write(frame(payload))
        self.proc.stdin.flush()
        end = time.time() + timeout
        while time.time() < end:
            m = re.match(rb"\+*\$([^#]*)#..", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                self.proc.stdin.write(b"+")
                self.proc.stdin.flush()
                return m.group(1)
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                break
            self.buf += chunk
        return None


def main():
    tap = Tap()
    ok = tap.ok
    with tempfile.TemporaryDirectory(prefix="pgproxy.") as work:
        stub = os.path.join(work, "gdb.sock")
        qemu = FakeQemu(stub)
        qemu.start()
        gdb = Gdb(stub)
        ok(gdb.ask(b"qSupported:xmlRegisters=i386") == b"",
           "the first answer gdb gets is to its first question, not QEMU's T02")
        xml, off = b"", 0
        while True:
            part = gdb.ask(b"qXfer:features:read:target.xml:%x,80" % off)
            xml += part[1:]
            off += len(part) - 1
            if part[:1] != b"m":
                break
        regs = re.findall(rb'<reg name="(\w+)" bitsize="(\d+)" type="[\w]+" regnum="(\d+)"/>', xml)
        ok(b"<architecture>i386</architecture>" in xml and b"xi:include" not in xml,
           "the description gdb reads is i386, in one piece (read 0x80 bytes at a time)")
        ok([r[0].decode() for r in regs] == I386,
           "its registers: gdb's i386 core, then cr0, cr2, cr3, cr4", xml.decode())
        ok(all(int(b) == (80 if name.startswith(b"st") else 32) and int(num) == i
               for i, (name, b, num) in enumerate(regs)),
           "32 bits each (x87 registers 80), numbered from 0")

        qnum = {name: i for i, (name, _) in enumerate(QEMU_REGS)}
        g = bytes.fromhex(gdb.ask(b"g").decode())
        want = b"".join(value(qnum[FROM.get(r, r)], QEMU_REGS[qnum[FROM.get(r, r)]][1])
                        [:10 if r.startswith("st") else 4] for r in I386)
        ok(g == want, "g: the low 4 bytes of rax, rcx, ..., rip, cr0..cr4, in i386 order",
           "got  %s\nwant %s" % (g.hex(), want.hex()))
        ok(gdb.ask(b"p3") == value(qnum["rbx"], 64)[:4].hex().encode()
           and qemu.received[-1] == b"p1", "p 3 (ebx) asks QEMU for its register 1 (rbx)")
        ok(gdb.ask(b"P1=78563412") == b"OK" and qemu.received[-1] == b"P2=7856341200000000",
           "P 1 (ecx) writes QEMU's register 2 (rcx), zero-extended to 8 bytes")
        ok(gdb.ask(b"P21=00100000") == b"OK" and qemu.received[-1] == b"P%x=0010000000000000" % qnum["cr2"],
           "P 0x21 (cr2) writes QEMU's cr2")
        ok(gdb.ask(b"G" + b"00" * 200)[:1] == b"E" and not qemu.received[-1].startswith(b"G"),
           "G gets an error; QEMU never sees it (it would misread a 32-bit-mode G)")
        ok(gdb.ask(b"m1000,4") == b"00000000", "memory reads pass unchanged")
        ok(gdb.ask(b"qC") == b"", "an unasked T02 after them never reaches gdb")
        ok(gdb.ask(b"?") == b"T05thread:01;" and gdb.ask(b"c") == b"T05thread:01;",
           "stop replies gdb asked for ('?', continue) pass")
        gdb.proc.stdin.close()
        ok(gdb.proc.wait(timeout=10) == 0, "the proxy ends when gdb goes")

        bad = subprocess.run(["python3", PROXY, os.path.join(work, "none.sock")],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
        ok(bad.returncode == 1 and b"cannot reach QEMU's gdb stub" in bad.stderr,
           "no stub: a one-line error, status 1", bad.stderr.decode())
    tap.done()


main()
