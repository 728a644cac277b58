#!/usr/bin/env python3
"""bench.py - boot the benchmark and turn its BENCH lines into tables and JSON.

    bench.py run      make bench:         icount (exact) and plain TCG runs,
                                          BUILD/bench.json, the table, the targets
    bench.py compare  make bench-compare: ours and the Linux peer side by side
    bench.py scale    make bench-scale:   RAM sizes, the scan allocator, fork modes
    bench.py ceilings                     a new test/boot/bench-ceilings.txt

The kernel runs user/prog/bench (playground.cfg: run = bench, log = quiet)
and prints one line per figure (docs/bench.md):

    BENCH ours <figure> median=<n> min=<n> max=<n> n=<rounds> [faults_per_page=<x>]

The Linux peer (linux_peer.py: Debian's i386 kernel running
scripts/bench/linux/, fetched by apt-get into a cache) measures the same
figures under the same QEMU flags, and the swap and file figures our
kernel is still growing; compare sets them side by side. Standard library
only.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import pgqemu  # noqa: E402
import linux_peer  # noqa: E402

LINE = re.compile(r"^BENCH ours (\S+) median=(\d+) min=(\d+) max=(\d+) n=(\d+)"
                  r"(?: faults_per_page=([\d.]+))?")
HEADER = re.compile(r"^BENCH ours start (.*)$")
DONE = re.compile(r"^BENCH ours done status=(0x[0-9a-f]+)$")
ICOUNT_UNITS = "instructions (TSC ticks under -icount shift=0)"
TCG_UNITS = "host TSC cycles (plain TCG: noisy)"
# The 16 MiB demand-zero loop under plain TCG, and the boot under icount
# (OVMF polls for a TPM for ~4e9 instructions) take their time.
BOOT_TIMEOUT = 600
MACHINE = "q35"     # figures are the same on pc; q35 boots faster under icount
MEMORY = "256M"     # as the peer


class BenchError(Exception):
    pass


def parse(text):
    """{figure: {median, min, max, n[, faults_per_page]}} from BENCH lines."""
    figures = {}
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        fig = {k: int(v) for k, v in zip(("median", "min", "max", "n"), m.group(2, 3, 4, 5))}
        if m.group(6) is not None:
            fig["faults_per_page"] = float(m.group(6))
        figures[m.group(1)] = fig
    return figures


def header(text):
    """The key=value pairs of the 'BENCH ours start' line."""
    for line in text.splitlines():
        m = HEADER.match(line.strip())
        if m:
            return dict(kv.split("=", 1) for kv in m.group(1).split())
    return {}


def boot_ours(build, tag, icount=True, machine=MACHINE, memory=MEMORY, rounds=0, fork=None):
    """Boot the benchmark once; returns {config, header, figures}. The serial
    log stays in BUILD/bench/<tag>.log."""
    cfg = "run = bench\nlog = quiet\n"
    if rounds:
        cfg += "bench_rounds = %d\n" % rounds
    if fork:
        cfg += "fork = %s\n" % fork
    try:
        image = pgqemu.make_image(build, "bench-" + tag, cfg)
    except (subprocess.CalledProcessError, OSError) as e:
        raise BenchError("%s: cannot make the disk image (%s); is %s built? (make all)"
                         % (tag, e, os.path.join(build, "BOOTX64.EFI")))
    logdir = os.path.join(build, "bench")
    os.makedirs(logdir, exist_ok=True)
    log_path = os.path.join(logdir, tag + ".log")
    start = time.time()
    status, text = pgqemu.boot(image, timeout=BOOT_TIMEOUT, log_path=log_path, machine=machine,
                               memory=memory, icount=icount)
    with open(log_path, "w") as f:
        f.write(text)
    done = [DONE.match(line.strip()) for line in text.splitlines()]
    done = [m.group(1) for m in done if m]
    if status != pgqemu.EXIT_PASS or done != ["0x0"]:
        raise BenchError("%s: the benchmark did not finish (QEMU status %s, %s); see %s"
                         % (tag, status, "bench status " + done[0] if done else "no done line",
                            log_path))
    return {"config": {"icount": icount, "machine": machine, "memory": memory,
                       "rounds": rounds or 9, "fork": fork or "share"},
            "header": header(text), "figures": parse(text),
            "seconds": round(time.time() - start, 1), "log": log_path}


def run_peer(build):
    """The Linux peer's run (linux_peer.run): figures, machine info, log."""
    try:
        return linux_peer.run(build)
    except linux_peer.PeerError as e:
        raise BenchError("the Linux peer: %s" % e)


# ------------------------------------------------------------------ targets --

def value(figs, name):
    return figs[name]["median"] if name in figs else None


def targets(ours, linux=None):
    """The issue's targets: [(what, measured, limit, met)]; Linux rows only
    when the peer's figures are given."""
    o = lambda n: value(ours, n)  # noqa: E731
    rows = []

    def add(what, got, limit, fmt="%d"):
        if got is not None and limit is not None:
            rows.append((what, fmt % got, fmt % limit if isinstance(limit, int)
                         else "%.0f" % limit, got <= limit))

    stos, movs, alloc = o("rep_stosl_4k_cycles"), o("rep_movsl_4k_cycles"), o("page_alloc_cycles")
    if stos:
        add("demand-zero fault <= 1.5 x rep stosl floor", o("demand_zero_fault_cycles"), 1.5 * stos)
    if movs and alloc:
        add("COW copy fault <= 1.5 x rep movsl floor + one allocation", o("cow_fault_cycles"),
            1.5 * movs + alloc)
    add("zero-page read fault <= 500 instructions", o("zero_page_read_fault_cycles"), 500)
    add("COW reuse fault <= 500 instructions", o("cow_reuse_fault_cycles"), 500)
    if movs:  # issue 11: kernel overhead per swapped page <= 2 x one 4 KiB copy
        for name in SWAP_PER_PAGE:
            add("%s <= 2 x rep movsl floor" % name, o(name), 2 * movs)
    if linux:
        for name, times in LINUX_RATIOS:
            ours_v, linux_v = o(name), value(linux, name)
            if ours_v and linux_v:
                rows.append(("%s: Linux/ours >= %g" % (name, times), "%.2f" % (linux_v / ours_v),
                             "%g" % times, linux_v / ours_v >= times))
    return rows


# The swap figures "per swapped page" (issue 11 section 7).
SWAP_PER_PAGE = ("swap_out_page_cycles", "swap_in_fault_cycles")
# Ours must be this many times below Linux (issues 6, 11 section 7, 12 section 9).
LINUX_RATIOS = (("demand_zero_fault_cycles", 2.5), ("zero_page_read_fault_cycles", 2.5),
                ("cow_fault_cycles", 2.5), ("cow_reuse_fault_cycles", 2.5),
                ("fork_return_cycles_4096pages", 5),
                ("swap_out_page_cycles", 3), ("swap_in_fault_cycles", 3),
                ("swap_round_trip_cycles", 3), ("file_hit_fault_cycles", 3))


def print_targets(rows):
    print("\ntargets (medians):")
    for what, got, limit, met in rows:
        print("  %-62s %10s  limit %-8s %s" % (what, got, limit, "met" if met else "NOT MET"))


# ------------------------------------------------------------------- tables --

def print_run_table(icount, tcg):
    print("%-38s %10s %10s %10s   %12s" % ("figure", "median", "min", "max", "plain TCG"))
    print("%-38s %32s   %12s" % ("", "(instructions, -icount)", "(host cycles)"))
    for name, f in icount.items():
        t = tcg.get(name, {}).get("median", "-")
        print("%-38s %10d %10d %10d   %12s" % (name, f["median"], f["min"], f["max"], t))


NOT_YET = "not yet measured"


def compare_rows(ours, linux):
    """(figure, ours or None, linux or None, linux/ours or None): our
    figures in the order our benchmark prints them, then the figures only
    Linux has yet (ours: None, "not yet measured")."""
    rows = []
    for name in ours:
        o, l = ours[name]["median"], value(linux, name)
        rows.append((name, o, l, l / o if l and o else None))
    for name in linux:
        if name not in ours:
            rows.append((name, None, linux[name]["median"], None))
    return rows


def print_compare(rows, markdown=False):
    num = lambda v: "-" if v is None else "%d" % v  # noqa: E731
    if markdown:
        print("| figure | ours | Linux 6.1 i386 | Linux / ours |")
        print("|---|---:|---:|---:|")
        for name, o, l, r in rows:
            print("| %s | %s | %s | %s |" % (name, NOT_YET if o is None else o, num(l),
                                             "%.1f×" % r if r else "-"))
    else:
        print("%-38s %10s %10s %12s" % ("figure (instructions, median)", "ours", "Linux",
                                        "Linux/ours"))
        for name, o, l, r in rows:
            print("%-38s %10s %10s %12s" % (name, NOT_YET if o is None else o, num(l),
                                            "%.2fx" % r if r else "-"))


# ----------------------------------------------------------------- commands --

def write_json(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=1)  # in the order the figures were printed
        f.write("\n")
    print("wrote %s" % path)


def cmd_run(args):
    runs = {"icount": boot_ours(args.build, "icount", icount=True, rounds=args.rounds)}
    if args.repeat:
        again = boot_ours(args.build, "icount-again", icount=True, rounds=args.rounds)
        differ = [n for n in runs["icount"]["figures"]
                  if again["figures"].get(n) != runs["icount"]["figures"][n]]
        print("icount repeat: %s" % ("identical" if not differ else "DIFFERS: " + ", ".join(differ)))
        if differ:
            return 1
    if not args.no_tcg:
        runs["tcg"] = boot_ours(args.build, "tcg", icount=False, rounds=args.rounds)
    data = {"version": version(), "icount": dict(runs["icount"], units=ICOUNT_UNITS)}
    if "tcg" in runs:
        data["tcg"] = dict(runs["tcg"], units=TCG_UNITS)
    print_run_table(runs["icount"]["figures"], runs.get("tcg", {}).get("figures", {}))
    rows = targets(runs["icount"]["figures"])
    print_targets(rows)
    data["targets"] = [dict(zip(("target", "measured", "limit", "met"), r)) for r in rows]
    write_json(os.path.join(args.build, "bench.json"), data)
    return 0


def cmd_compare(args):
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        peer = pool.submit(run_peer, args.build)
        ours = pool.submit(boot_ours, args.build, "icount", True)
        try:
            linux = peer.result()
        except (BenchError, OSError) as e:
            ours.cancel()
            print("bench-compare: %s" % e, file=sys.stderr)
            return 1
        try:
            ours = ours.result()
        except BenchError as e:
            print("bench-compare: %s" % e, file=sys.stderr)
            return 1
    rows = compare_rows(ours["figures"], linux["figures"])
    print("Linux: %s (%s), %s" % (linux["kernel_package"], linux["info"].get("kernel", "?"),
                                 linux["log"]))
    print_compare(rows)
    if args.markdown:
        print()
        print_compare(rows, markdown=True)
    trows = targets(ours["figures"], linux["figures"])
    print_targets(trows)
    write_json(os.path.join(args.build, "bench-compare.json"), {
        "version": version(), "units": ICOUNT_UNITS, "ours": ours, "linux": linux,
        "rows": [dict(zip(("figure", "ours", "linux", "ratio"), r),
                      **({"note": NOT_YET} if r[1] is None else {})) for r in rows],
        "targets": [dict(zip(("target", "measured", "limit", "met"), r)) for r in trows]})
    return 0 if all(r[3] for r in trows) else 2


# The scale runs: (tag, build, memory, machine, fork). 3 GiB needs pc: q35
# keeps only 2 GiB below 4 GiB, and without PAE nothing above is reachable.
SCALE_MEMORY = (("64M", "q35"), ("512M", "q35"), ("3G", "pc"))
SCALE_ALLOC = ("page_alloc_cycles", "page_alloc_half_full_cycles", "page_free_cycles",
               "demand_zero_fault_cycles", "cow_fault_cycles")
SCALE_FORK = ("fork_return_cycles_%dpages", "fork_to_child_run_cycles_%dpages",
              "fork_exit_wait_cycles_%dpages", "exit_teardown_cycles_%dpages")
FORK_PAGES = (0, 1024, 4096)


def cmd_scale(args):
    plan = []
    for mem, machine in SCALE_MEMORY:
        plan.append(("list-" + mem, args.build, mem, machine, None))
        plan.append(("scan-" + mem, args.scan_build, mem, machine, None))
    plan.append(("copy-" + MEMORY, args.build, MEMORY, MACHINE, "copy"))
    plan.append(("share-" + MEMORY, args.build, MEMORY, MACHINE, "share"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {tag: pool.submit(boot_ours, build, "scale-" + tag, True, machine, mem,
                                    args.rounds, fork)
                   for tag, build, mem, machine, fork in plan}
        try:
            res = {tag: f.result() for tag, f in futures.items()}
        except BenchError as e:
            print("bench-scale: %s" % e, file=sys.stderr)
            return 1
    mems = [m for m, _ in SCALE_MEMORY]
    print("allocator and faults against RAM (instructions per page, median)")
    print("%-30s %s   %s" % ("", "  ".join("%9s" % ("list " + m) for m in mems),
                             "  ".join("%9s" % ("scan " + m) for m in mems)))
    for name in SCALE_ALLOC:
        print("%-30s %s   %s" % (name, "  ".join("%9s" % value(res["list-" + m]["figures"], name)
                                              for m in mems),
                                 "  ".join("%9s" % value(res["scan-" + m]["figures"], name)
                                           for m in mems)))
    print("%-30s %s   %s" % ("(pages managed)", "  ".join("%9s" % res["list-" + m]["header"].get(
        "pages") for m in mems), "  ".join("%9s" % res["scan-" + m]["header"].get("pages")
                                           for m in mems)))
    print("\nfork against resident pages (instructions, median, %s)" % MEMORY)
    print("%-30s %s   %s" % ("", "  ".join("%9s" % ("share %d" % p) for p in FORK_PAGES),
                             "  ".join("%9s" % ("copy %d" % p) for p in FORK_PAGES)))
    for pattern in SCALE_FORK:
        name = pattern.replace("_%dpages", "")
        print("%-30s %s   %s" % (name, "  ".join("%9s" % value(res["share-" + MEMORY]["figures"],
                                                                 pattern % p) for p in FORK_PAGES),
                                 "  ".join("%9s" % value(res["copy-" + MEMORY]["figures"],
                                                         pattern % p) for p in FORK_PAGES)))
    write_json(os.path.join(args.build, "bench-scale.json"), {"version": version(),
                                                              "units": ICOUNT_UNITS, "runs": res})
    return 0


# test/boot/bench.t: its run, and how its ceilings are made.
GUARD_ROUNDS = 3
CEILING_HEADROOM = 0.05  # +5%, and at least CEILING_SLACK instructions
CEILING_SLACK = 20


def ceiling(measured):
    return measured + max(CEILING_SLACK, int(measured * CEILING_HEADROOM + 0.999))


def read_ceilings(path):
    """[(figure, ceiling)] from a ceilings file ('figure ceiling measured')."""
    rows = []
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if words:
                rows.append((words[0], int(words[1])))
    return rows


def cmd_ceilings(args):
    run = boot_ours(args.build, "guard", icount=True, rounds=GUARD_ROUNDS)
    print("# bench-ceilings.txt - the ceilings test/boot/bench.t holds the benchmark to.")
    print("# Made by: python3 scripts/bench/bench.py --build BUILD ceilings (version %s)"
          % version())
    print("# from one run of %d rounds under -icount on %s with %s, where every figure is"
          % (GUARD_ROUNDS, MACHINE, MEMORY))
    print("# an instruction count that repeats exactly: ceiling = measured + %d%%, and at"
          % (CEILING_HEADROOM * 100))
    print("# least +%d instructions. The headroom lets an unrelated change add a few"
          % CEILING_SLACK)
    print("# instructions; a figure past it is a regression to explain, or a new cost")
    print("# to accept by making this file again. docs/bench.md says what each measures.")
    print("# figure                              ceiling   measured")
    for name, f in run["figures"].items():
        print("%-38s %9d %10d" % (name, ceiling(f["median"]), f["median"]))
    return 0


def version():
    try:
        return subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                              stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.environ.get("BUILD", "build"))
    p.add_argument("--rounds", type=int, default=0, help="rounds per figure (0: 9)")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="icount and plain TCG runs, BUILD/bench.json")
    r.add_argument("--repeat", action="store_true", help="run icount twice, fail if they differ")
    r.add_argument("--no-tcg", action="store_true", help="skip the plain-TCG run")
    c = sub.add_parser("compare", help="ours and the Linux peer")
    c.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    s = sub.add_parser("scale", help="RAM sizes, scan allocator, fork modes")
    s.add_argument("--scan-build", required=True, help="a build made with MM_SCAN_ALLOC=1")
    s.add_argument("--jobs", type=int, default=2)
    sub.add_parser("ceilings", help="print a ceilings file for test/boot/bench.t")
    args = p.parse_args()
    try:
        return {"run": cmd_run, "compare": cmd_compare, "scale": cmd_scale,
                "ceilings": cmd_ceilings}[args.cmd](args)
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
