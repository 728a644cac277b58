"""pgtest - boot the kernel in QEMU and turn its serial log into TAP for prove.

The kernel prints TAP version 13 on serial. A boot test re-emits the
kernel's results with its own numbering and adds checks made from the
host: the kernel's plan matches the results it printed (a crash mid-run
loses the plan), no PANIC line, the QEMU exit status, and whatever the
test asks for. When anything fails, the serial log is printed as TAP
diagnostics so the failure can be read in CI output.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import pgqemu  # noqa: E402

BUILD = os.environ.get("BUILD", "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
RESULT = re.compile(r"^(not ok|ok) (\d+)(?: - (.*))?$")


class Tap:
    """Our own TAP stream on stdout."""

    def __init__(self):
        self.n = 0
        self.failed = 0
        print("TAP version 13")

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, desc))
        if not cond and diag:
            self.diag(diag)
        return cond

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line)

    def done(self, log=None):
        if self.failed and log is not None:
            self.diag("---- serial log ----")
            self.diag(log)
        print("1..%d" % self.n)
        sys.stdout.flush()
        return 0


def kernel_tap(log, tap, prefix=""):
    """Re-emit the kernel's TAP results; check its plan. Returns #results."""
    results, plan = 0, None
    seen = False
    for line in log.splitlines():
        line = line.rstrip()
        if line == "TAP version 13":
            seen = True
            continue
        if not seen:
            continue
        m = RESULT.match(line)
        if m:
            results += 1
            tap.ok(m.group(1) == "ok", prefix + (m.group(3) or "kernel test %s" % m.group(2)))
        elif line.startswith("1.."):
            plan = int(line[3:])
        elif line.startswith("#"):
            print(line)
    tap.ok(seen, prefix + "kernel printed 'TAP version 13'")
    tap.ok(plan is not None and plan == results and results > 0,
           prefix + "kernel plan matches its results (plan %s, results %d)" % (plan, results))
    return results


def kernel_results(log, tap, failures=(), prefix=False, strip="\\EFI\\BOOT\\"):
    """Re-emit the kernel's TAP results, some of which must fail.

    failures: descriptions (with `strip` taken out of the kernel's) that
    must be reported 'not ok'; with prefix, a description starting with
    one counts as it. Every other result must be 'ok', each of failures
    must have been reported, and the kernel's plan must match its results
    (a crash mid-run loses the plan). Returns the failures seen."""
    seen, results, plan, started = set(), 0, None, False
    for line in log.splitlines():
        line = line.rstrip()
        if line == "TAP version 13":
            started = True
            continue
        m = RESULT.match(line) if started else None
        if m:
            results += 1
            desc = (m.group(3) or "").replace(strip, "")
            known = next((e for e in failures
                          if desc == e or (prefix and desc.startswith(e))), None)
            if known is not None:
                seen.add(known)
                tap.ok(m.group(1) == "not ok", "reported as a failure: " + desc)
            else:
                tap.ok(m.group(1) == "ok", desc)
        elif started and line.startswith("1.."):
            plan = int(line[3:])
    for e in sorted(set(failures) - seen):
        tap.ok(False, "missing failure report: " + e)
    tap.ok(plan is not None and plan == results and results > 0,
           "kernel plan matches its results (plan %s, results %d)" % (plan, results))
    return seen


# The boot log's lines (docs/serial-log.md, "The kernel's boot"), each
# as its documented format: a missing or reformatted line fails the test.
H8, H16 = r"0x[0-9a-f]{8}", r"0x[0-9a-f]{16}"
BOOT_LINES = (
    ("loader banner", r"^loader: paging playground \S+ \(BOOTX64\.EFI\)$"),
    ("loader's kernel line", r"^loader: kernel at phys 0x[0-9a-f]+ virt 0x[0-9a-f]+, \d+ KiB, "
                             r"\d+ relocations$"),
    ("kernel banner", r"^playground: kernel \S+, 32-bit protected mode, two-level paging$"),
    ("memory-map heading", r"^mem: the map as the kernel uses it \(the firmware's own: "
                           r"log = verbose, 'show mmap'\):$"),
    ("a memory-map range", r"^mem: %s-%s +\d+ KiB [a-z-]+$" % (H16, H16)),
    ("memory-map totals", r"^mem: \d+ ranges, usable \d+ MiB below 4 GiB, \d+ MiB above 4 GiB"
                          r"( \(out of reach: 32-bit paging without PAE\))?$"),
    ("control registers", r"^cpu: \S+, cr0=%s cr3=%s cr4=%s efer=%s$" % (H8, H8, H8, H8)),
    ("kernel tables", r"^cpu: gdt=%s idt=%s tss=%s$" % (H8, H8, H8)),
    ("where the kernel runs", r"^kernel: virt %s-%s phys %s-%s \(slid by %s, \d+ relocations\)$"
                              % (H8, H8, H8, H8, H8)),
    ("ExitBootServices to kmain", r"^boot: ExitBootServices to kmain: \d+ TSC cycles, \d+ us at "
                                  r"[1-9]\d* MHz \(map key retries: \d+\)$"),
    ("paging", r"^paging: direct map 0xc0000000-%s -> phys 0-%s \(4 MiB pages\), "
               r"identity map removed$" % (H8, H8)),
    ("segment limits", r"^cpu: segment limits are (checked: a read past a 1-byte segment raised "
                       r"#GP|not checked: a read past a 1-byte segment got 0x0b5e55ed \(.+\))$"),
    ("processors", r"^cpu: \d+ processors? in the MADT, running on the boot CPU only$"),
    ("mem_map", r"^mm: mem_map at %s, \d+ KiB for \d+ pages; managed \d+ pages" % H8),
    ("zero page", r"^mm: zero page at %s; fork (shares \(copy-on-write\)|copies) page tables$"
                  % H8),
    ("loader's boot partition", r"^loader: boot partition \d+: GPT GUID [0-9A-F-]{36}, LBA \d+, "
                                r"\d+ blocks$"),
    ("PCI functions", r"^pci: \d+ functions? on \d+ bus(es)? \((configuration mechanism #1|ECAM "
                      r"only)\)$"),
    ("a PCI function", r"^pci: [0-9a-f]{2}:[0-9a-f]{2}\.[0-7] [0-9a-f]{4}:[0-9a-f]{4} class "
                       r"[0-9a-f]{2}\.[0-9a-f]{2}\.[0-9a-f]{2} [a-zA-Z() -]+$"),
    ("the boot partition", r"^blk: (boot partition: \S+ \(GPT GUID [0-9A-F-]{36}\)|the boot "
                           r"partition \(GPT GUID [0-9A-F-]{36}, LBA \d+\) is not on any disk we "
                           r"drive \(\d+ disks?\): a USB stick\? This kernel has no USB storage "
                           r"driver)$"),
    ("the swap partition", r"^blk: (swap partition: \S+, \d+ MiB(, on the boot disk)?|no swap "
                           r"partition \(type 5F2E10B8-696F-4B47-BF6C-FE8AF08F452A, name "
                           r"'playground-swap'\) on any disk we drive)$"),
)

# What user/prog/faults.c's children must leave in the log: one kill line
# each, with the documented reason (docs/serial-log.md, "Faults, tasks").
KILL_LINES = (
    ("reading address 0", r"^segv: pid=\d+ \(badaccess\) va=0x00000000 err=\(read,user,not-present\) "
                          r"eip=%s: null page; killed$" % H8),
    ("writing its own text", r"^segv: pid=\d+ \(badaccess\) va=0x080[0-9a-f]{5} "
                             r"err=\(write,user,protection\) eip=%s: write to a read-only area; "
                             r"killed$" % H8),
    ("writing a kernel address", r"^segv: pid=\d+ \(badaccess\) va=0xc0100000 "
                                 r"err=\(write,user,[a-z-]+\) eip=%s: kernel address; killed$" % H8),
    ("jumping to an unmapped address", r"^segv: pid=\d+ \(badaccess\) va=0x30000000 "
                                       r"err=\(read,user,not-present(,fetch)?\) eip=0x30000000: "
                                       r"no area; killed$"),
    ("an invalid instruction", r"^trap: pid=\d+ \(badaccess\) #UD invalid opcode error=0x0 "
                               r"eip=%s: killed$" % H8),
    ("a privileged instruction", r"^trap: pid=\d+ \(badaccess\) #GP general protection error=0x0 "
                                 r"eip=%s: killed$" % H8),
    ("a breakpoint", r"^trap: pid=\d+ \(badaccess\) #BP breakpoint error=0x0 eip=%s: killed$" % H8),
    ("a divide error", r"^trap: pid=\d+ \(badaccess\) #DE divide error error=0x0 eip=%s: killed$"
                       % H8),
    ("int to a kernel-only gate", r"^trap: pid=\d+ \(badaccess\) #GP general protection "
                                  r"error=0x10a eip=%s: killed$" % H8),
    ("an x87 instruction", r"^trap: pid=\d+ \(badaccess\) #NM no math coprocessor error=0x0 "
                           r"eip=%s: killed$" % H8),
)


def check_lines(log, tap, table, prefix=""):
    """One TAP result per (what, regex): some line of the log matches."""
    for what, regex in table:
        r = re.compile(regex)
        tap.ok(any(r.match(line) for line in log.splitlines()),
               prefix + "log line: %s" % what, "no line matches /%s/" % regex)


def check_memory_map(log, tap, prefix="", verbose=False):
    """The boot log's map (docs/serial-log.md): at the normal level, the
    kernel's uses with adjacent ranges of one use merged; the firmware's
    own ranges only at the verbose level, as many as the totals count."""
    runs = [(int(a, 16), int(b, 16), use) for a, b, use in
            re.findall(r"^mem: (%s)-(%s) +\d+ KiB ([a-z-]+)$" % (H16, H16), log, re.M)]
    raw = re.findall(r"^mem: firmware %s-%s +\d+ KiB [a-z-]+$" % (H16, H16), log, re.M)
    total = re.search(r"^mem: (\d+) ranges, usable ", log, re.M)
    uses = {"ram", "out-of-reach", "firmware", "acpi", "acpi-nvs", "mmio", "reserved"}
    unmerged = [(x, y) for x, y in zip(runs, runs[1:]) if x[1] + 1 == y[0] and x[2] == y[2]]
    tap.ok(runs and not unmerged and all(u in uses for _, _, u in runs)
           and all(x[1] < y[0] for x, y in zip(runs, runs[1:])),
           prefix + "boot map: %d ranges by use, sorted, adjacent ones of one use merged"
           % len(runs), "unmerged: %s" % unmerged[:3])
    firmware = int(total.group(1)) if total else 0
    tap.ok(len(runs) < firmware, prefix + "boot map: fewer lines than the firmware's %d ranges"
           % firmware)
    want = firmware if verbose else 0
    tap.ok(len(raw) == want, prefix + "boot map: %d of the firmware's own range lines (%s level)"
           % (len(raw), "verbose" if verbose else "normal"), "want %d" % want)


def check_common(log, status, tap, expect_status=pgqemu.EXIT_PASS, prefix=""):
    tap.ok("PANIC" not in log, prefix + "no kernel panic")
    meaning = {None: "timeout (hang)", 0: "shutdown or triple fault"}
    tap.ok(status == expect_status, prefix + "QEMU exit status %s (want %s)"
           % (meaning.get(status, status), expect_status))


def image(name, cfg, files=()):
    """A disk image of its own with this playground.cfg."""
    return pgqemu.make_image(BUILD, name, cfg, files)


def boot(img, **kw):
    return pgqemu.boot(img, **kw)


def boot_and_inspect(img, until, commands, timeout=300, **kw):
    """Boot, wait until `until` appears on serial, then run QEMU monitor
    commands and return (serial text, {command: output})."""
    with tempfile.TemporaryDirectory(prefix="pgtest.") as work:
        serial = os.path.join(work, "serial.log")
        mon = os.path.join(work, "monitor.sock")
        cmd = pgqemu.qemu_command(img, work, serial="file:" + serial,
                                  monitor="unix:%s,server,nowait" % mon, **kw)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        outputs = {}
        try:
            deadline = time.time() + timeout
            text = ""
            while time.time() < deadline and proc.poll() is None:
                if os.path.exists(serial):
                    with open(serial, "rb") as f:
                        text = f.read().decode(errors="replace").replace("\r\n", "\n")
                    if until in text:
                        break
                time.sleep(0.5)
            if until in text and proc.poll() is None:
                outputs = monitor(mon, commands)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        with open(serial, "rb") as f:
            text = f.read().decode(errors="replace").replace("\r\n", "\n")
        return text, outputs


def monitor(path, commands):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(path)
    read_until(s, b"(qemu) ")
    out = {}
    for c in commands:
        s.sendall(c.encode() + b"\n")
        out[c] = read_until(s, b"(qemu) ").decode(errors="replace")
    s.close()
    return out


def read_until(s, marker):
    buf = b""
    while not buf.endswith(marker):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def read_ppm(path):
    """A binary PPM as QEMU's screendump writes it (P6, maxval 255):
    (width, height, bytes of R, G, B per pixel, row by row)."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:          # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":   # a comment runs to the end of the line
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("%s: not an 8-bit binary PPM" % path)
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height * 3]    # one whitespace byte
    if len(pixels) != width * height * 3:
        raise ValueError("%s: truncated" % path)
    return width, height, pixels


def boot_and_watch_screen(img, done, timeout=60, interval=1.0, **kw):
    """Boot with a QEMU monitor and read the screen instead of serial, for
    boots without a serial port (pass serial=None): take a screendump every
    `interval` seconds until done(screen) is true or `timeout` seconds pass,
    then stop QEMU. A screen is (width, height, rgb bytes) as read_ppm()
    returns it. Returns (last screen or None, done(last screen) held)."""
    with tempfile.TemporaryDirectory(prefix="pgtest.") as work:
        mon = os.path.join(work, "monitor.sock")
        dump = os.path.join(work, "screen.ppm")
        cmd = pgqemu.qemu_command(img, work, monitor="unix:%s,server,nowait" % mon, **kw)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        screen, ok = None, False
        try:
            sock = connect_monitor(mon, proc, timeout=10)
            deadline = time.time() + timeout
            while sock and not ok and time.time() < deadline and proc.poll() is None:
                time.sleep(interval)
                if os.path.exists(dump):
                    os.unlink(dump)
                sock.sendall(b"screendump %s\n" % dump.encode())
                read_until(sock, b"(qemu) ")
                if os.path.exists(dump):
                    screen = read_ppm(dump)
                    ok = bool(done(screen))
            if sock:
                sock.close()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        return screen, ok


def connect_monitor(path, proc, timeout):
    """The monitor socket once QEMU has made it, past the first prompt; None if
    QEMU exits or the socket does not come up within timeout seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        try:
            s.connect(path)
        except OSError:
            s.close()
            time.sleep(0.2)
            continue
        read_until(s, b"(qemu) ")
        return s
    return None
