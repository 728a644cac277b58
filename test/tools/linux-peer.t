#!/usr/bin/env python3
"""The Linux peer of make bench-compare, checked on the host without booting
it (a boot takes minutes; make bench-compare and make bench-peer do that).

- Its programs build: /init (scripts/bench/linux/lx*.c, static i386, -Werror)
  and prog1m, a static i386 ELF of 1 MiB whose array is read-only data.
- The module order follows the depends= lines of .modinfo (made-up ELF32
  modules here), and a loop or a missing module is an error.
- The initramfs reads back as newc cpio members (a reader written here, not
  the writer's code): /init executable, /dev/console 5:1, the modules and
  their order, the trailer.
- The disk: a GPT with a swap partition whose header Linux accepts (version
  1, last page, SWAPSPACE2) and a FAT32 partition with data.bin and prog1m.
- parse() of a stored console log (test/tools/linux-peer-sample.log, from a
  real run) gives every documented figure with its counts; a failed run's
  log gives its error and no done.
- bench.py's compare puts each of our figures beside Linux's and marks the
  ones we do not measure yet.
- fetch-kernel.sh uses a filled cache without apt, and without a cache and
  with an apt-get that fails, exits 1 saying what it could not fetch.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "bench"))
import linux_peer  # noqa: E402
import bench  # noqa: E402

n = 0

# Every figure the peer prints (docs/bench.md), and the counts each carries.
FIGURES = {
    "rep_stosl_4k_cycles": (), "rep_movsl_4k_cycles": (), "null_syscall_cycles": (),
    "demand_zero_fault_cycles": ("faults_per_page",),
    "zero_page_read_fault_cycles": ("faults_per_page",),
    "cow_fault_cycles": ("faults_per_page",), "cow_reuse_fault_cycles": ("faults_per_page",),
    "fork_return_cycles_4096pages": (), "exit_teardown_cycles_4096pages": (),
    "file_hit_fault_cycles": ("faults_per_page", "major_per_page"),
    "file_hit_fault_around_cycles": ("faults_per_page", "major_per_page"),
    "file_read_fault_cycles": ("reads_per_fault", "major_per_page", "tsc_per_fault"),
    "file_read_fault_allctx_cycles": ("task_per_unit",),
    "vfork_exit_wait_cycles": ("faults_per_exec",),
    "exec_exit_1m_few_cycles": ("faults_per_exec", "major_per_exec"),
    "exec_exit_1m_all_cycles": ("faults_per_exec", "major_per_exec"),
    "swap_out_page_cycles": ("pswpout_per_touch", "major_per_out", "tsc_per_out"),
    "swap_in_fault_cycles": ("major_per_in", "pswpout_per_in", "tsc_per_in"),
    "swap_round_trip_cycles": ("pswpin_per_fault", "pswpout_per_fault", "tsc_per_fault"),
    "swap_out_page_allctx_cycles": ("task_per_unit",),
    "swap_in_fault_allctx_cycles": ("task_per_unit",),
    "swap_round_trip_allctx_cycles": ("task_per_unit",),
}


def ok(cond, desc, diag=""):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond and diag:
        print("\n".join("# " + x for x in str(diag).splitlines()))
    return cond


def fake_module(path, depends):
    """An ELF32 file with a .modinfo section, as much of a module as
    modinfo_depends reads."""
    modinfo = b"license=GPL\0depends=" + ",".join(depends).encode() + b"\0"
    names = b"\0.shstrtab\0.modinfo\0"
    data_off = 52
    names_off = data_off + len(modinfo)
    sh_off = (names_off + len(names) + 3) & ~3
    head = bytearray(52)
    head[:7] = b"\x7fELF\x01\x01\x01"
    struct.pack_into("<I", head, 0x20, sh_off)
    struct.pack_into("<HHH", head, 0x2e, 40, 3, 1)
    null = bytes(40)
    shstr = struct.pack("<IIIIIIIIII", 1, 3, 0, 0, names_off, len(names), 0, 0, 1, 0)
    info = struct.pack("<IIIIIIIIII", 11, 1, 0, 0, data_off, len(modinfo), 0, 0, 1, 0)
    body = bytes(head) + modinfo + names
    body += bytes(sh_off - len(body))
    with open(path, "wb") as f:
        f.write(body + null + shstr + info)


def read_cpio(data):
    """[(name, mode, rdevmajor, rdevminor, data)] of a newc archive."""
    out, off = [], 0
    while True:
        assert data[off:off + 6] == b"070701", "bad cpio magic at %d" % off
        fields = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = fields[11], fields[6]
        name = data[off + 110:off + 110 + namesize - 1].decode()
        off = (off + 110 + namesize + 3) & ~3
        body = data[off:off + filesize]
        off = (off + filesize + 3) & ~3
        if name == "TRAILER!!!":
            return out
        out.append((name, fields[1], fields[9], fields[10], body))


def check_build(work):
    try:
        init, prog = linux_peer.build_programs(work)
        built = True
    except linux_peer.PeerError as e:
        built, init, prog = False, None, None
        ok(False, "the peer's programs build", e)
        return None, None
    ok(built, "the peer's /init and prog1m build (gcc -m32 -static, -Werror)")
    with open(init, "rb") as f:
        elf = f.read(64)
    ok(elf[:4] == b"\x7fELF" and elf[4] == 1 and struct.unpack_from("<H", elf, 18)[0] == 3,
       "/init is an ELF32 for the i386")
    ok(b"INTERP" not in subprocess.run(["readelf", "-lW", init], capture_output=True).stdout,
       "... static: no interpreter")
    size = os.path.getsize(prog)
    ok(linux_peer.PROG_BYTES[0] <= size <= linux_peer.PROG_BYTES[1],
       "prog1m is 1 MiB (%d bytes)" % size)
    segs = subprocess.run(["readelf", "-lW", prog], capture_output=True, text=True).stdout
    big = [l for l in segs.splitlines() if l.strip().startswith("LOAD")
           and int(l.split()[4], 16) >= 1000 * 1024]
    ok(len(big) == 1 and big[0].split()[6] == "R",
       "... most of it one read-only segment (what exec maps from the file)", segs)
    return init, prog


def check_modules(work):
    mods = os.path.join(work, "mods")
    os.makedirs(mods)
    for name, deps in (("a", []), ("b", ["a"]), ("c", ["b", "a"]), ("d", [])):
        fake_module(os.path.join(mods, name + ".ko"), deps)
    ok(linux_peer.modinfo_depends(os.path.join(mods, "c.ko")) == ["b", "a"],
       "modinfo_depends reads depends= from .modinfo")
    order = linux_peer.module_order(mods, ("c", "d"))
    ok(order == ["a", "b", "c", "d"], "modules come after what they depend on", order)
    fake_module(os.path.join(mods, "a.ko"), ["c"])
    try:
        linux_peer.module_order(mods, ("c",))
        ok(False, "a dependency loop is refused")
    except linux_peer.PeerError as e:
        ok("loop" in str(e), "a dependency loop is refused: %s" % e)
    try:
        linux_peer.module_order(mods, ("e",))
        ok(False, "a missing module is refused")
    except linux_peer.PeerError as e:
        ok("not in" in str(e), "a missing module is refused, with its name")
    fake_module(os.path.join(mods, "a.ko"), [])
    return mods


def check_initramfs(work, init, mods):
    path = os.path.join(work, "initramfs.cpio")
    linux_peer.write_initramfs(path, init, mods, ["a", "b"])
    with open(path, "rb") as f:
        members = {m[0]: m for m in read_cpio(f.read())}
    with open(init, "rb") as f:
        init_data = f.read()
    m = members.get("init")
    ok(m is not None and m[4] == init_data and m[1] & 0o170111 == 0o100111,
       "the initramfs holds /init, whole and executable")
    m = members.get("dev/console")
    ok(m is not None and m[1] & 0o170000 == 0o020000 and m[2:4] == (5, 1),
       "... /dev/console, character device 5:1 (init's first file descriptors)")
    ok(all(("modules/%s.ko" % x) in members for x in "ab")
       and members["modules/order"][4] == b"a b\n", "... the modules and their order")
    ok(all(d in members and members[d][1] & 0o170000 == 0o040000
           for d in ("dev", "proc", "sys", "mnt")), "... the mount points")


def check_disk(work, prog):
    disk = os.path.join(work, "disk.img")
    linux_peer.make_disk(disk, prog, work)
    out = subprocess.run(["sgdisk", "-i", "1", disk], capture_output=True, text=True).stdout
    first = int(re.search(r"First sector: (\d+)", out).group(1))
    size = int(re.search(r"Partition size: (\d+)", out).group(1))
    ok("0657FD6D-A4AB-43C4-84E5-0933C84B4F4F" in out and
       size * 512 == linux_peer.SWAP_MIB << 20, "partition 1 is Linux swap, %d MiB"
       % linux_peer.SWAP_MIB, out)
    with open(disk, "rb") as f:
        f.seek(first * 512)
        page = f.read(4096)
    version, last, bad = struct.unpack_from("<III", page, 1024)
    ok(page[4086:] == b"SWAPSPACE2" and version == 1 and bad == 0 and
       last == size * 512 // 4096 - 1, "... with a swap header: version 1, last page %d" % last)
    out = subprocess.run(["sgdisk", "-i", "2", disk], capture_output=True, text=True).stdout
    first2 = int(re.search(r"First sector: (\d+)", out).group(1))
    fat = "%s@@%d" % (disk, first2 * 512)
    info = subprocess.run(["minfo", "-i", fat, "::"], capture_output=True, text=True).stdout
    ok('disk type="FAT32' in info and "cluster size: 8 sectors" in info,
       "partition 2 is FAT32 with 4 KiB clusters", info)
    listing = subprocess.run(["mdir", "-b", "-i", fat, "::"], capture_output=True,
                             text=True).stdout
    ok("data.bin" in listing.lower() and "prog1m" in listing.lower(),
       "... holding data.bin and prog1m", listing)
    copy = os.path.join(work, "prog1m.back")
    subprocess.run(["mcopy", "-n", "-i", fat, "::/prog1m", copy], check=True)
    with open(copy, "rb") as a, open(prog, "rb") as b:
        ok(a.read() == b.read(), "... prog1m unchanged on the disk")


def check_parse():
    with open(linux_peer.SAMPLE) as f:
        res = linux_peer.parse(f.read())
    ok(res["done"] and not res["errors"], "the sample log is a complete run")
    missing = [k for k in FIGURES if k not in res["figures"]]
    ok(not missing, "parse() finds every figure the peer prints", "missing: %s" % missing)
    bad = [(k, e) for k, extras in FIGURES.items() for e in extras
           if k in res["figures"] and e not in res["figures"][k]]
    ok(not bad, "... each with its counts", bad)
    f = res["figures"].get("demand_zero_fault_cycles", {})
    ok(f.get("faults_per_page") == 1.0 and f["min"] <= f["median"] <= f["max"] and
       f["n"] == 9, "... values as printed (demand zero: %s)" % f)
    ok(res["figures"].get("swap_in_fault_cycles", {}).get("major_per_in") == 1.0,
       "... one major fault per page read from swap (page-cluster 0)")
    ok(res["info"].get("kernel", "").startswith("6.1."), "... and the kernel's release")
    failed = linux_peer.parse("LINUX start rounds=9\r\nLINUX error mount /dev/vda2 on /mnt "
                              "(vfat) (errno 19: No such device)\r\n")
    ok(not failed["done"] and failed["errors"] and "vfat" in failed["errors"][0],
       "a failed run's log gives its error and no done line")
    return res


def check_compare(linux):
    ours = {"demand_zero_fault_cycles": {"median": 1229}, "bare_fault_cycles": {"median": 100}}
    rows = {r[0]: r for r in bench.compare_rows(ours, linux["figures"])}
    dz = rows["demand_zero_fault_cycles"]
    ok(dz[1] == 1229 and dz[2] == linux["figures"]["demand_zero_fault_cycles"]["median"] and
       abs(dz[3] - dz[2] / 1229.0) < 1e-9, "compare sets our figure beside Linux's, with the ratio")
    ok(rows["bare_fault_cycles"][2] is None, "... ours alone: no Linux figure")
    sw = rows.get("swap_in_fault_cycles")
    ok(sw is not None and sw[1] is None and sw[2] > 0,
       "... Linux's alone (swap, files): ours empty, not yet measured")
    targets = bench.targets({"swap_in_fault_cycles": {"median": 1000},
                             "rep_movsl_4k_cycles": {"median": 1033}}, linux["figures"])
    names = [t[0] for t in targets]
    ok(any("swap_in_fault_cycles <= 2 x" in t for t in names) and
       any("swap_in_fault_cycles: Linux/ours" in t for t in names),
       "... and the swap targets apply once we measure the figure", names)


def check_fetch(work):
    shim = os.path.join(work, "bin")
    os.makedirs(shim)
    with open(os.path.join(shim, "apt-get"), "w") as f:
        f.write("#!/bin/sh\necho 'E: Could not resolve deb.debian.org' >&2\nexit 100\n")
    os.chmod(os.path.join(shim, "apt-get"), 0o755)
    env = dict(os.environ, PATH=shim + os.pathsep + os.environ["PATH"])
    env.pop("LINUX_PEER_REFRESH", None)
    cache = os.path.join(work, "cache")
    p = subprocess.run([linux_peer.FETCH, cache], capture_output=True, text=True, env=env)
    ok(p.returncode == 1 and "apt-get update failed" in p.stderr and
       "Could not resolve" in p.stderr and "bench-compare" in p.stderr,
       "fetch-kernel.sh without the network: exit 1, apt's reason, what needs it", p.stderr)
    with open(os.path.join(cache, "kernel.txt"), "w") as f:
        f.write("linux-image-6.1.0-0-686 6.1.0-0 0\n")
    with open(os.path.join(cache, "vmlinuz"), "w") as f:
        f.write("x")
    p = subprocess.run([linux_peer.FETCH, cache], capture_output=True, text=True, env=env)
    ok(p.returncode == 0, "... a filled cache is used without apt", p.stderr)


with tempfile.TemporaryDirectory(prefix="linux-peer-t.") as work:
    print("TAP version 13")
    init, prog = check_build(work)
    mods = check_modules(work)
    if init:
        check_initramfs(work, init, mods)
        check_disk(work, prog)
    linux = check_parse()
    check_compare(linux)
    check_fetch(work)
    print("1..%d" % n)
