#!/usr/bin/env python3
"""gdb on a debug boot, as a student uses it (README, Debugging): one QEMU
boot, scripts/gdbinit, gdb in batch mode.

First the loader ("gdb = loader"): a breakpoint in load_kernel, a
backtrace, finish; then, in the loader's own config, gdb = kernel, so
that the kernel waits too. Then the kernel, through scripts/gdbinit's
i386 view of QEMU's stub: a breakpoint at page_fault for the fault
test/boot/gdb.pg makes at 0x12345678. cr2 (the argument and the CPU's
register) must print that address, tf->eip the faulting instruction (the
kernel's own "fault:" line says which), and bt must go page_fault <-
trap_dispatch <- trap_common <- the faulting instruction, whose frame has
the user's registers from the trap frame; then a step in C, the locals,
finish. A gdb that reads the frame with x86-64 register numbers fails.
It boots the build make debug boots: $GDB_BUILD (default $BUILD/gdb-Og,
made by make gdb-build), whose kernel is built with -Og. The kernel
session's transcript goes to $GDB_BUILD/test/gdb/session.txt (the
README's Debugging section shows it).
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pgtest

ADDR = 0x12345678   # test/boot/gdb.pg's write
BUILD = os.path.abspath(os.environ.get("GDB_BUILD") or os.path.join(pgtest.BUILD, "gdb-Og"))
AGENT = os.path.join(BUILD, "user", "debug", "agent.elf")
LOADER_GDB = """set trace-commands on
hbreak load_kernel
continue
bt
finish
set var cfg.gdb = GDB_KERNEL
detach
"""
KERNEL_GDB = """set trace-commands on
break page_fault if cr2 == 0x%(addr)x
continue
print/x cr2
print/x $cr2
print/x tf->eip
print/x *tf
bt
up
print tf->vector
add-symbol-file %(agent)s
frame 3
info registers eip esp cs
frame 0
next
next
frame
info locals
finish
set $saved = $edi
set var $edi = 0x5a5a5a5a
monitor info registers
set var $edi = $saved
print $edi == $saved
detach
""" % {"addr": ADDR, "agent": AGENT}
# What no gdb that reads the frames right prints here.
BROKEN = ("Cannot access memory", "error reading variable", "Backtrace stopped",
          "corrupt stack", "Error in sourced command file", "Python Exception")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(path, text, proc, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                if text in f.read():
                    return True
        time.sleep(0.5)
    return False


def run_gdb(commands, work, name, env):
    """gdb -batch with scripts/gdbinit, then the commands: its output."""
    script = os.path.join(work, name + ".gdb")
    with open(script, "w") as f:
        f.write(commands)
    proc = subprocess.run(["gdb", "-q", "-batch", "-nx", "-x", "scripts/gdbinit", "-x", script],
                          cwd=pgtest.ROOT, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    return proc.stdout.decode(errors="replace")


def replies(out):
    """{command: what it printed} for a run with trace-commands on."""
    result, command = {}, None
    for line in out.splitlines():
        if line.startswith("+"):
            command = line[1:]
            result[command] = ""
        elif command is not None:
            result[command] += line + "\n"
    return result


def check_loader(tap, out):
    r = replies(out)
    tap.ok("gdbinit: loader symbols loaded" in out, "loader: gdbinit loads loader.so")
    tap.ok(re.search(r"^Breakpoint 1, load_kernel \(", r.get("continue", ""), re.M),
           "loader: hbreak load_kernel is hit")
    tap.ok(re.search(r"^#1 .* in efi_main \(.*\) at efi/main\.c:\d+$", r.get("bt", ""), re.M),
           "loader: bt names efi_main, with its source line")
    tap.ok(re.search(r"^Value returned is \$\d+ = 0$", r.get("finish", ""), re.M),
           "loader: finish returns EFI_SUCCESS")


def value(reply):
    """What `print` printed: "$3 = 0x804809a" gives "0x804809a"."""
    m = re.match(r"\$\d+ = (.*)$", reply.strip())
    return m.group(1) if m else None


def check_kernel(tap, out, log):
    r = replies(out)
    hit = re.search(r"^Breakpoint 1, page_fault \(tf=(0x[0-9a-f]+), cr2=%d\) at \S+:\d+$"
                    % ADDR, r.get("continue", ""), re.M)
    tap.ok(hit, "kernel: the breakpoint at page_fault stops for cr2 == 0x%x" % ADDR)
    tf = hit.group(1) if hit else "?"
    tap.ok(value(r.get("print/x cr2", "")) == hex(ADDR), "kernel: print/x cr2 (the argument)")
    tap.ok(value(r.get("print/x $cr2", "")) == hex(ADDR), "kernel: print/x $cr2 (the register)")
    eip = value(r.get("print/x tf->eip", ""))
    logged = re.search(r"^fault: demand-zero pid=\d+ va=0x%08x .* eip=0x([0-9a-f]{8})$" % ADDR,
                       log, re.M)
    tap.ok(eip and logged and int(eip, 16) == int(logged.group(1), 16),
           "kernel: print/x tf->eip is the faulting instruction (%s; the fault line: %s)"
           % (eip, logged.group(1) if logged else "none"))
    frame = r.get("print/x *tf", "")
    tap.ok("vector = 0xe, error = 0x6," in frame,
           "kernel: print/x *tf: vector 14, error 6 (write, user, not present)")
    m = re.search(r"user_esp = (0x[0-9a-f]+)", frame)
    user_esp = m.group(1) if m else None
    bt = r.get("bt", "")
    tap.ok(re.search(r"^#0  page_fault \(tf=%s, cr2=%d\) at " % (tf, ADDR), bt, re.M),
           "kernel: bt #0 page_fault with its arguments")
    tap.ok(re.search(r"^#1  0x[0-9a-f]+ in trap_dispatch \(tf=%s\) at arch/x86/trap\.c:\d+$"
                     % tf, bt, re.M), "kernel: bt #1 trap_dispatch, with its argument")
    tap.ok(re.search(r"^#2  .*trap_common \(\) at arch/x86/vectors\.S:\d+$", bt, re.M),
           "kernel: bt #2 trap_common, the trap entry")
    tap.ok(eip and re.search(r"^#3  %s in \?\? \(\)$" % (eip.replace("0x", "0x0*")), bt, re.M),
           "kernel: bt #3 the faulting instruction in user code, read from the trap frame")
    tap.ok(re.search(r"^#1  .* trap_dispatch \(tf=%s\) " % tf, r.get("up", ""), re.M)
           and value(r.get("print tf->vector", "")) == "14",
           "kernel: up to trap_dispatch, its tf->vector is 14")
    frame3 = r.get("frame 3", "")
    tap.ok(re.search(r"^#3  \S+ \(.*\) at user/prog/agent\.c:\d+$", frame3, re.M),
           "kernel: with the agent's symbols, frame 3 is its source line")
    regs = dict(re.findall(r"^(\w+)\s+(0x[0-9a-f]+)", r.get("info registers eip esp cs", ""),
                           re.M))
    tap.ok(eip and regs.get("eip") and int(regs["eip"], 16) == int(eip, 16)
           # USER_CS: the code descriptor of the task's LDT, RPL 3 (segment.h)
           and regs.get("cs") == "0xf" and regs.get("esp") == user_esp,
           "kernel: frame 3's eip, esp and cs are the trap frame's (ring 3)",
           "%r, tf->user_esp %s" % (regs, user_esp))
    tap.ok(re.search(r"^#0  page_fault \(tf=%s, cr2=%d\) at core/mm/fault\.c:\d+$"
                     % (tf, ADDR), r.get("frame", ""), re.M),
           "kernel: next steps in C, in page_fault, its arguments still there")
    tap.ok(re.search(r"^\w+ = (?!<optimized out>)", r.get("info locals", ""), re.M),
           "kernel: info locals prints page_fault's locals, one set by now")
    tap.ok(re.search(r"^Value returned is \$\d+ = 1$", r.get("finish", ""), re.M),
           "kernel: finish returns 1 (the fault is served) to trap_dispatch")
    tap.ok(re.search(r"\bEDI=5a5a5a5a\b", r.get("monitor info registers", ""))
           and value(r.get("print $edi == $saved", "")) == "1",
           "kernel: set var $edi writes QEMU's EDI (QEMU's monitor says so); put back")


def main():
    tap = pgtest.Tap()
    if not shutil.which("gdb"):
        tap.ok(False, "gdb is installed (scripts/deps.sh installs it)")
        return tap.done()
    if not os.path.exists(os.path.join(BUILD, "BOOTX64.EFI")):
        tap.ok(False, "a build for gdb in %s (make gdb-build)" % BUILD)
        return tap.done()
    cfg = "gdb = loader\nscript = \\EFI\\BOOT\\gdb.pg\nlog = verbose\n"
    img = pgtest.pgqemu.make_image(BUILD, "gdb", cfg, [os.path.join(pgtest.HERE, "gdb.pg")])
    outdir = os.path.join(BUILD, "test", "gdb")
    port = free_port()
    loader_out = kernel_out = log = ""
    with tempfile.TemporaryDirectory(prefix="pggdb.") as work:
        serial = os.path.join(work, "serial.log")
        env = dict(os.environ, BUILD=BUILD, PG_BOOT_LOG=serial,
                   PG_GDB_STUB="127.0.0.1:%d" % port)
        cmd = pgtest.pgqemu.qemu_command(img, work, serial="file:" + serial,
                                         extra=["-gdb", "tcp:127.0.0.1:%d" % port])
        qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        status = None
        try:
            if wait_for(serial, "loader: waiting for gdb", qemu, 240):
                loader_out = run_gdb(LOADER_GDB, work, "loader", env)
            if wait_for(serial, "debug: waiting for gdb, kernel slid by", qemu, 240):
                kernel_out = run_gdb(KERNEL_GDB, work, "kernel", env)
            status = qemu.wait(timeout=240)
        except subprocess.TimeoutExpired:
            pass
        finally:
            if qemu.poll() is None:
                qemu.kill()
            qemu.wait()
        if os.path.exists(serial):
            with open(serial, "rb") as f:
                log = f.read().decode(errors="replace").replace("\r\n", "\n")
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "session.txt"), "w") as f:
        f.write(kernel_out)

    tap.ok(loader_out, "the loader waited for gdb")
    check_loader(tap, loader_out)
    tap.ok(kernel_out, "the kernel waited for gdb (set from the loader's session)")
    check_kernel(tap, kernel_out, log)
    for what in BROKEN:
        tap.ok(what not in loader_out + kernel_out, "gdb never says '%s'" % what)
    pgtest.kernel_tap(log, tap, "after gdb: ")
    pgtest.check_common(log, status, tap)
    if tap.failed:
        tap.diag("---- gdb, loader ----\n" + loader_out)
        tap.diag("---- gdb, kernel ----\n" + kernel_out)
    return tap.done(log)


if __name__ == "__main__":
    sys.exit(main())
