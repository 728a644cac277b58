#!/usr/bin/env python3
"""linux_peer.py - the Linux peer of make bench-compare: Debian's i386 kernel
running our own benchmark program, under the same QEMU flags as ours.

    linux_peer.py fetch             Debian's kernel into the cache (apt-get download)
    linux_peer.py run [--repeat]    build, boot, BUILD/linux-peer.json (--repeat: twice)
    linux_peer.py parse LOG         a console log's figures as JSON

What is booted (docs/bench.md, "The Linux peer"):
  - the kernel, config and modules scripts/bench/linux/fetch-kernel.sh keeps
    from linux-image-686:i386 (non-PAE: two-level paging, as ours);
  - an initramfs (cpio "newc", written here) whose /init is
    scripts/bench/linux/lx*.c built static for i386, with the virtio-blk and
    vfat modules and the order to load them in (from their depends= lines);
  - one virtio-blk disk: GPT, partition 1 swap (header written here),
    partition 2 FAT32 holding data.bin and prog1m (mformat/mcopy, no root);
  - qemu-system-i386 -machine pc -m 256M -icount shift=0,align=off,sleep=off:
    one guest instruction is one TSC tick and one nanosecond.

The program prints "LINUX <figure> median=.. min=.. max=.. n=.. [extra=x ...]"
lines (scripts/bench/linux/lxbench.h); parse() turns them into
{figure: {median, min, max, n, <extras>}}, the shape bench.py uses for ours.
Standard library only.
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(HERE, "linux")
FETCH = os.path.join(SRC, "fetch-kernel.sh")
SAMPLE = os.path.join(ROOT, "test", "tools", "linux-peer-sample.log")
INIT_SOURCES = ("lxinit.c", "lxfault.c", "lxfile.c", "lxswap.c", "lxbusy.c")
CFLAGS = ["-m32", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror",
          "-I" + os.path.join(ROOT, "user", "include")]
PROG_FLAGS = ["-static", "-nostdlib", "-ffreestanding", "-fno-pie", "-no-pie",
              "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-s",
              "-Wl,--build-id=none"]
MODULES = ("virtio", "virtio_ring", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
           "virtio_pci", "virtio_blk", "fat", "vfat", "nls_cp437", "nls_ascii")

MIB = 1 << 20
PAGE = 4096
SECTOR = 512
SWAP_MIB = 128          # swap partition: the 48 MiB lxswap.c moves stay under half of it
FILES_MIB = 288         # FAT32 with 4 KiB clusters needs 65525 of them: 256 MiB and more
CLUSTER_SECTORS = 8     # 4 KiB clusters: one page, one cluster
DATA_PAGES = 1024       # lxfile.c's FILE_PAGES
PROG_BYTES = (MIB - 8 * 1024, MIB + 4 * 1024)   # prog1m's size: 1 MiB, give or take headers

MACHINE = "pc"
MEMORY = "256M"         # as ours (bench.py MEMORY)
ICOUNT = "shift=0,align=off,sleep=off"
APPEND = "console=ttyS0 quiet panic=-1 norandmaps zswap.enabled=0"
BOOT_TIMEOUT = 3600     # the swap rounds move ~40000 pages each, slowly under TCG

LINE = re.compile(r"^LINUX (\S+) median=(\d+) min=(\d+) max=(\d+) n=(\d+)((?: \S+=-?[\d.]+)*)\s*$")
INFO = re.compile(r"^LINUX info (\S+?)=(.*)$")
DONE = re.compile(r"^LINUX done status=(\d+)")
ERROR = re.compile(r"^LINUX error (.*)$")
UNITS = "instructions (TSC ticks, or on-CPU ns, under -icount shift=0)"


class PeerError(Exception):
    pass


def cache_dir():
    return os.environ.get("LINUX_PEER_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.environ.get("HOME", "/tmp"),
                                                         ".cache"),
        "paging-playground", "linux-i386")


# -------------------------------------------------------------- parsing --

def parse(text):
    """{"figures": {name: {median, min, max, n, extra...}}, "info": {key: value},
    "done": bool, "errors": [message]} from the peer's console output."""
    figures, info, errors, done = {}, {}, [], False
    for raw in text.replace("\r", "").splitlines():
        line = raw.strip()
        m = LINE.match(line)
        if m:
            fig = dict(zip(("median", "min", "max", "n"), map(int, m.group(2, 3, 4, 5))))
            for kv in m.group(6).split():
                k, v = kv.split("=", 1)
                fig[k] = float(v)
            figures[m.group(1)] = fig
            continue
        m = INFO.match(line)
        if m:
            info[m.group(1)] = m.group(2)
            continue
        m = ERROR.match(line)
        if m:
            errors.append(m.group(1))
            continue
        if DONE.match(line):
            done = DONE.match(line).group(1) == "0"
    return {"figures": figures, "info": info, "done": done, "errors": errors}


# ----------------------------------------------------- building the guest --

def run_cmd(args, what, **kw):
    try:
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    except OSError as e:
        raise PeerError("%s: cannot run %s (%s); scripts/deps.sh installs it" % (what, args[0], e))
    if proc.returncode != 0:
        raise PeerError("%s failed (%s):\n%s" % (what, " ".join(args),
                                                 proc.stdout.decode(errors="replace").strip()))
    return proc.stdout.decode(errors="replace")


def build_programs(out):
    """BUILD/linux-peer/init and prog1m, static i386 (gcc-multilib)."""
    os.makedirs(out, exist_ok=True)
    init, prog = os.path.join(out, "init"), os.path.join(out, "prog1m")
    run_cmd(["gcc"] + CFLAGS + ["-static", "-o", init] +
            [os.path.join(SRC, s) for s in INIT_SOURCES], "building the peer's /init")
    run_cmd(["gcc"] + CFLAGS + PROG_FLAGS + ["-o", prog, os.path.join(SRC, "prog1m.c")],
            "building prog1m")
    size = os.path.getsize(prog)
    if not PROG_BYTES[0] <= size <= PROG_BYTES[1]:
        raise PeerError("prog1m is %d bytes, not 1 MiB" % size)
    return init, prog


def modinfo_depends(path):
    """The depends= list of a kernel module (its .modinfo section, ELF32)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 1:
        raise PeerError("%s is not an ELF32 module" % path)
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2e)
    sections = [struct.unpack_from("<IIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    names_off = sections[shstrndx][4]
    for name, _type, _flags, _addr, off, size in sections:
        end = data.index(b"\0", names_off + name)
        if data[names_off + name:end] == b".modinfo":
            for item in data[off:off + size].split(b"\0"):
                if item.startswith(b"depends="):
                    return [d for d in item[8:].decode().split(",") if d]
            return []
    raise PeerError("%s has no .modinfo section" % path)


def module_order(moddir, names=MODULES):
    """names, each after the modules it depends on."""
    order, seen = [], set()

    def visit(name, path):
        if name in seen:
            return
        if name in path:
            raise PeerError("modules depend on each other in a loop: %s" % " ".join(path))
        ko = os.path.join(moddir, name + ".ko")
        if not os.path.exists(ko):
            raise PeerError("module %s is not in %s (fetch again: LINUX_PEER_REFRESH=1)"
                            % (name, moddir))
        for dep in modinfo_depends(ko):
            visit(dep, path + [name])
        seen.add(name)
        order.append(name)

    for n in names:
        visit(n, [])
    return order


def cpio_entry(name, mode, data=b"", rdev=(0, 0), ino=[0]):
    """One "newc" cpio member: a 110-byte header of hex fields, the name,
    the data, each padded to 4 bytes."""
    ino[0] += 1
    fields = (ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0)
    head = b"070701" + b"".join(b"%08X" % v for v in fields)
    pad = lambda n: b"\0" * (-n % 4)  # noqa: E731
    body = head + name.encode() + b"\0"
    return body + pad(len(body)) + data + pad(len(data))


def write_initramfs(path, init, moddir, order):
    S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000
    parts = [cpio_entry(d, S_IFDIR | 0o755) for d in (".", "dev", "proc", "sys", "mnt",
                                                         "modules")]
    parts.append(cpio_entry("dev/console", S_IFCHR | 0o600, rdev=(5, 1)))
    with open(init, "rb") as f:
        parts.append(cpio_entry("init", S_IFREG | 0o755, f.read()))
    for name in order:
        with open(os.path.join(moddir, name + ".ko"), "rb") as f:
            parts.append(cpio_entry("modules/%s.ko" % name, S_IFREG | 0o644, f.read()))
    parts.append(cpio_entry("modules/order", S_IFREG | 0o644, (" ".join(order) + "\n").encode()))
    parts.append(cpio_entry("TRAILER!!!", 0))
    with open(path, "wb") as f:
        f.write(b"".join(parts))


def swap_header(pages):
    """Page 0 of a Linux swap area: version 1, the last usable page, no bad
    pages, and the magic in the page's last 10 bytes."""
    page = bytearray(PAGE)
    struct.pack_into("<III", page, 1024, 1, pages - 1, 0)
    page[1036:1052] = bytes(range(1, 17))          # a fixed uuid
    page[1052:1060] = b"lxbench\0"                 # label
    page[PAGE - 10:] = b"SWAPSPACE2"
    return bytes(page)


def make_disk(path, prog, workdir):
    """GPT: 1 swap (SWAP_MIB), 2 FAT32 (FILES_MIB) with data.bin and prog1m."""
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    with open(tmp, "wb") as f:
        f.truncate((1 + SWAP_MIB + FILES_MIB + 1) * MIB)
    run_cmd(["sgdisk", "-n", "1:2048:+%dM" % SWAP_MIB, "-t", "1:8200", "-c", "1:swap",
             "-n", "2:0:+%dM" % FILES_MIB, "-t", "2:0700", "-c", "2:files", tmp], "sgdisk")
    first = {}
    for part in (1, 2):
        out = run_cmd(["sgdisk", "-i", str(part), tmp], "sgdisk -i")
        first[part] = int(re.search(r"First sector: (\d+)", out).group(1))
        size = int(re.search(r"Partition size: (\d+)", out).group(1))
        if part == 1:
            with open(tmp, "r+b") as f:
                f.seek(first[1] * SECTOR)
                f.write(swap_header(size * SECTOR // PAGE))
        else:
            fat_sectors = size
    fat = "%s@@%d" % (tmp, first[2] * SECTOR)
    run_cmd(["mformat", "-i", fat, "-T", str(fat_sectors), "-F", "-c", str(CLUSTER_SECTORS),
             "-v", "LXBENCH", "::"], "mformat")
    data = os.path.join(workdir, "data.bin")
    with open(data, "wb") as f:
        for i in range(DATA_PAGES):
            f.write(struct.pack("<I", i) * (PAGE // 4))
    run_cmd(["mcopy", "-i", fat, data, "::/data.bin"], "mcopy data.bin")
    run_cmd(["mcopy", "-i", fat, prog, "::/prog1m"], "mcopy prog1m")
    os.replace(tmp, path)


def prepare(build):
    """Fetch if needed, build the programs, the initramfs and the disk;
    returns (workdir, kernel, initramfs, disk, kernel package line)."""
    cache = cache_dir()
    fetch(cache)
    work = os.path.join(build, "linux-peer")
    init, prog = build_programs(work)
    moddir = os.path.join(cache, "modules")
    initramfs = os.path.join(work, "initramfs.cpio")
    write_initramfs(initramfs, init, moddir, module_order(moddir))
    disk = os.path.join(work, "disk.img")
    make_disk(disk, prog, work)
    with open(os.path.join(cache, "kernel.txt")) as f:
        package = f.read().strip()
    return work, os.path.join(cache, "vmlinuz"), initramfs, disk, package


def fetch(cache=None):
    cache = cache or cache_dir()
    try:
        proc = subprocess.run([FETCH, cache], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as e:
        raise PeerError("cannot run %s (%s)" % (FETCH, e))
    out = proc.stdout.decode(errors="replace").strip()
    if out:
        print(out, file=sys.stderr)
    if proc.returncode != 0:
        raise PeerError("cannot fetch Debian's i386 kernel (see the fetch-kernel lines above)")


# -------------------------------------------------------------- booting --

def qemu_command(kernel, initramfs, disk, env):
    """LINUX_PEER_APPEND adds kernel arguments (init_on_alloc=0, say)."""
    extra = os.environ.get("LINUX_PEER_APPEND", "").split()
    append = " ".join([APPEND] + extra + ["%s=%s" % kv for kv in sorted(env.items())])
    return ["qemu-system-i386", "-machine", MACHINE, "-accel", "tcg", "-icount", ICOUNT,
            "-m", MEMORY, "-smp", "1", "-nodefaults", "-display", "none", "-no-reboot",
            "-serial", "stdio", "-monitor", "none",
            "-kernel", kernel, "-initrd", initramfs, "-append", append,
            "-drive", "file=%s,format=raw,if=virtio" % disk]


def boot(prepared, tag, env, timeout=BOOT_TIMEOUT):
    """One boot; returns the parse() of its console, with "log", "seconds"."""
    work, kernel, initramfs, disk, package = prepared
    cmd = qemu_command(kernel, initramfs, disk, env)
    log_path = os.path.join(work, tag + ".log")
    start = time.time()
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
        text = proc.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode(errors="replace") + "\n# timeout after %ds\n" % timeout
    except OSError as e:
        raise PeerError("cannot run %s (%s); scripts/deps.sh installs QEMU" % (cmd[0], e))
    with open(log_path, "w") as f:
        f.write("# " + " ".join(cmd) + "\n" + text)
    res = parse(text)
    if not res["done"]:
        tail = "\n".join("  " + l for l in text.replace("\r", "").strip().splitlines()[-12:])
        raise PeerError("the Linux peer did not finish (%s); see %s:\n%s"
                        % ("; ".join(res["errors"]) or "no done line", log_path, tail))
    res.update(log=log_path, seconds=round(time.time() - start, 1), kernel_package=package,
               qemu=" ".join(cmd[:cmd.index("-kernel")]), append=cmd[cmd.index("-append") + 1])
    return res


def run(build, parts=None, rounds=0, swap_rounds=0, repeat=False):
    """Build and boot (twice with repeat); returns the first run, with
    "again" and per-figure spreads when repeated."""
    prepared = prepare(build)
    env = {}
    if parts:
        env["LXBENCH_PARTS"] = parts
    if rounds:
        env["LXBENCH_ROUNDS"] = str(rounds)
    if swap_rounds:
        env["LXBENCH_SWAP_ROUNDS"] = str(swap_rounds)
    first = boot(prepared, "run1", env)
    if repeat:
        second = boot(prepared, "run2", env)
        first["again"] = second["figures"]
        first["spread"] = spread(first["figures"], second["figures"])
    return first


def spread(a, b):
    """{figure: relative difference of the medians of two runs}."""
    out = {}
    for name, fa in a.items():
        fb = b.get(name)
        if fb and fa["median"]:
            out[name] = round(abs(fb["median"] - fa["median"]) / fa["median"], 5)
    return out


# ------------------------------------------------------------- commands --

def print_figures(res):
    print("%-36s %10s %10s %10s  %s" % ("Linux figure (instructions)", "median", "min", "max",
                                        "counts (median round)"))
    for name, f in res["figures"].items():
        extra = " ".join("%s=%g" % (k, v) for k, v in f.items()
                         if k not in ("median", "min", "max", "n"))
        again = res.get("again", {}).get(name)
        if again:
            extra += "  run 2: %d (%+.2f%%)" % (again["median"], 100.0 * (
                again["median"] - f["median"]) / max(f["median"], 1))
        print("%-36s %10d %10d %10d  %s" % (name, f["median"], f["min"], f["max"], extra))


def cmd_run(args):
    res = run(args.build, args.parts, args.rounds, args.swap_rounds, args.repeat)
    print_figures(res)
    out = os.path.join(args.build, "linux-peer.json")
    with open(out, "w") as f:
        json.dump(dict(res, units=UNITS), f, indent=1)
        f.write("\n")
    print("wrote %s" % out)
    return 0


def cmd_parse(args):
    with open(args.log, errors="replace") as f:
        json.dump(parse(f.read()), sys.stdout, indent=1)
    print()
    return 0


def cmd_fetch(args):
    fetch()
    print("kernel in %s" % cache_dir())
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.environ.get("BUILD", "build"))
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="build, boot, BUILD/linux-peer.json")
    r.add_argument("--parts", help="comma list of faults, files, swap (default all)")
    r.add_argument("--rounds", type=int, default=0, help="rounds per figure (0: 9)")
    r.add_argument("--swap-rounds", type=int, default=0, help="swap rounds (0: 3)")
    r.add_argument("--repeat", action="store_true", help="boot twice, show the spread")
    pa = sub.add_parser("parse", help="a console log's figures as JSON")
    pa.add_argument("log")
    sub.add_parser("fetch", help="Debian's kernel into the cache")
    args = p.parse_args()
    try:
        return {"run": cmd_run, "parse": cmd_parse, "fetch": cmd_fetch}[args.cmd](args)
    except PeerError as e:
        print("linux-peer: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
