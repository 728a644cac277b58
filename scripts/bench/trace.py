#!/usr/bin/env python3
"""trace.py - where the instructions of one page fault go (docs/bench.md).

    python3 scripts/bench/trace.py --build BUILD [demand_zero|zero_read|
            zero_write|cow|cow_reuse|bare_fault|null_syscall]

Boots the benchmark (two rounds) with "gdb = kernel", attaches gdb, stops at
the fault the benchmark takes on one page (or at its null system call), and
single-steps from the benchmark's return to ring 3 after the previous page
until its return after this one: the user loop, the trap entry, the handler
and the exit, instruction by instruction. Prints instructions per function
in order of execution. A `rep` instruction counts once per iteration, as
under -icount. Needs gdb; standard library only.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import pgqemu  # noqa: E402

KERNEL_BASE = 0xC0000000
A = 0x40000000 + 100 * 4096  # a page well inside the benchmark's first mmap
PREV = A - 4096
# What to trace: where to stop before it (a kernel function, a condition on
# its arguments, which hit), so that the next kernel entry after the return
# to ring 3 is the one traced. Page-fault error codes: 6 = user write to a
# missing page, 4 = user read, 7 = user write to a read-only page. With two
# rounds the benchmark takes, at one address: demand-zero (6) and zero-page
# reads (4) in both rounds, then zero-page writes (7, hits 1-2), the COW
# copies of the first round's child (7, hit 3) and its parent's reuse (hit 4).
# Each round of the floors runs: rdtsc, stosl, movsl, getpid, bare fault.
# The conditions read the arguments at the function's first instruction
# (cdecl: the return address at the stack pointer, then the arguments);
# struct trapframe has eax at 0x1c and the error code at 0x2c.
ARG1, ARG2 = "*(unsigned int *)($rsp + 4)", "*(unsigned int *)($rsp + 8)"
ERR, EAX = "*(unsigned int *)(%s + 0x2c)" % ARG1, "*(unsigned int *)(%s + 0x1c)" % ARG1
KINDS = {
    "demand_zero": ("page_fault", "%s == %d && %s == 6" % (ARG2, PREV, ERR), 1),
    "zero_read": ("page_fault", "%s == %d && %s == 4" % (ARG2, PREV, ERR), 1),
    "zero_write": ("page_fault", "%s == %d && %s == 7" % (ARG2, PREV, ERR), 1),
    "cow": ("page_fault", "%s == %d && %s == 7" % (ARG2, PREV, ERR), 3),
    "cow_reuse": ("page_fault", "%s == %d && %s == 7" % (ARG2, PREV, ERR), 4),
    "bare_fault": ("syscall_dispatch", "%s == 20" % EAX, 2),
    "null_syscall": ("page_fault", "%s == 4096" % ARG2, 1),
}
# Fork and exit, second round: the parent's fetch (422) of the first round's
# result comes right before its next fork; the child's stash (421) right
# before its exit, which the trace follows into the parent's return from
# waitpid. Fetches and stashes: two per round in the COW figure, then two
# per fork size (0, 1024, 4096 pages).
for i, pages in enumerate((0, 1024, 4096)):
    KINDS["fork_%d" % pages] = ("syscall_dispatch", "%s == 422" % EAX, 3 + 2 * i)
    KINDS["exit_%d" % pages] = ("syscall_dispatch", "%s == 421" % EAX, 4 + 2 * i)
    # From fork to the child's first instruction: the parent returns from
    # fork, takes its stack's copy-on-write fault, waits; the child runs.
    KINDS["child_run_%d" % pages] = ("syscall_dispatch", "%s == 422" % EAX, 3 + 2 * i, 3)

GDB_SCRIPT = r'''
import gdb, json
gdb.execute("set pagination off")
gdb.execute("target remote :%(port)d")
gdb.execute("add-symbol-file %(elf)s -o 0x%(slide)x")
gdb.execute("set var gdb_go = 1")
def pc():
    return int(gdb.parse_and_eval("$pc")) & 0xffffffff
def user():
    return pc() < 0x%(kbase)x
bp = gdb.Breakpoint("*0x%(stop)x", type=gdb.BP_HARDWARE_BREAKPOINT)
bp.condition = "%(cond)s"
bp.ignore_count = %(hit)d - 1
gdb.execute("continue")
bp.delete()
while not user():
    gdb.execute("stepi", to_string=True)
pcs = []
returns = %(returns)d
while True:  # the user code up to the trap, then the kernel until iret
    pcs.append([pc(), gdb.execute("x/i $pc", to_string=True).strip() if %(insns)d else ""])
    gdb.execute("stepi", to_string=True)
    if user() and pcs[-1][0] >= 0x%(kbase)x:
        returns -= 1
        if not returns:
            break
open("%(out)s", "w").write(json.dumps(pcs))
gdb.execute("kill")
'''


def symbols(elf, slide):
    """Sorted [(address, name)] of the kernel's functions and labels."""
    out = subprocess.run(["nm", "-n", elf], stdout=subprocess.PIPE, check=True).stdout.decode()
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16) + slide, parts[2]))
    return syms


def name_of(pc, syms):
    if pc < KERNEL_BASE:
        return "user"
    lo, hi = 0, len(syms)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if syms[mid][0] <= pc:
            lo = mid
        else:
            hi = mid
    return re.sub(r"\.(isra|constprop|part)\.\d+", "", syms[lo][1])


def trace(build, kind, port, insns=False):
    cfg = "gdb = kernel\nrun = bench\nlog = quiet\nbench_rounds = 2\n"
    image = pgqemu.make_image(build, "bench-trace", cfg)
    elf = os.path.join(build, "kernel", "kernel.elf")
    stop, cond, hit = KINDS[kind][:3]
    returns = KINDS[kind][3] if len(KINDS[kind]) > 3 else 1
    with tempfile.TemporaryDirectory(prefix="pgtrace.") as work:
        serial = os.path.join(work, "serial.log")
        out = os.path.join(work, "pcs.json")
        cmd = pgqemu.qemu_command(image, work, serial="file:" + serial,
                                  extra=["-gdb", "tcp::%d" % port])
        qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            slide = wait_slide(serial, qemu)
            syms = symbols(elf, slide)
            stop = [a for a, n in syms if n == stop][0]
            script = os.path.join(work, "trace.py")
            with open(script, "w") as f:
                f.write(GDB_SCRIPT % {"port": port, "elf": elf, "slide": slide, "out": out,
                                      "kbase": KERNEL_BASE, "stop": stop, "cond": cond,
                                      "hit": hit, "insns": int(insns), "returns": returns})
            subprocess.run(["gdb", "-q", "-batch", "-x", script], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=900)
            with open(out) as f:
                pcs = json.load(f)
        finally:
            qemu.kill()
            qemu.wait()
    return [(name_of(pc, syms), text) for pc, text in pcs]


def wait_slide(serial, qemu, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline and qemu.poll() is None:
        if os.path.exists(serial):
            m = re.search(r"waiting for gdb, kernel slid by 0x([0-9a-f]+)",
                          open(serial, errors="replace").read())
            if m:
                return int(m.group(1), 16)
        time.sleep(0.5)
    raise SystemExit("trace: the kernel never waited for gdb")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.environ.get("BUILD", "build"))
    p.add_argument("--port", type=int, default=1234 + os.getpid() % 1000)
    p.add_argument("--insns", action="store_true", help="also list every instruction")
    p.add_argument("kind", nargs="?", default="demand_zero", choices=sorted(KINDS))
    args = p.parse_args()
    steps = trace(args.build, args.kind, args.port, args.insns)
    if args.insns:
        for n, text in steps:
            print("%-20s %s" % (n, re.sub(r"^=> ", "", text)))
    names = [n for n, _ in steps]
    runs = []  # consecutive runs of one function, merged by name in order
    for n in names:
        if runs and runs[-1][0] == n:
            runs[-1][1] += 1
        else:
            runs.append([n, 1])
    total = {}
    order = []
    for n, c in runs:
        if n not in total:
            order.append(n)
        total[n] = total.get(n, 0) + c
    print("%s: %d instructions, from ring 3 to ring 3 (%d kernel entries)"
          % (args.kind, len(names), KINDS[args.kind][3] if len(KINDS[args.kind]) > 3 else 1))
    for n in order:
        print("  %6d  %s" % (total[n], n))
    print("in order: " + " > ".join("%s %d" % (n, c) for n, c in runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
