#!/usr/bin/env python3
"""scripts/usb-write without a stick: every check, on made-up devices.

The script reads its device facts from the lsblk JSON named by
USB_WRITE_LSBLK and from the directory named by USB_WRITE_SYSFS (standing
in for /sys: block/NAME/dev, holders/, a partition's own directory), and
then accepts regular files as devices, so each case below is a fake lsblk
tree and sysfs plus a file standing in for /dev/sdX. A refused write must
leave that file untouched; the accepted ones must leave the image in it.
Confirmation is typed on a pseudo-terminal; what changes while the
question waits (a mount, a holder, another stick) must be caught.

A system call that fails is a one-line refusal naming it: a device file
that cannot be opened for writing, or for the read-back (permissions;
checked only when not run as root, since root opens any file).

Not covered here: the O_EXCL open refusing a busy block device (EBUSY)
needs a real one; regular files never are. Nor a failing fsync or read:
regular files do not fail those.
"""
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOOL = os.path.join(ROOT, "scripts", "usb-write")
GIB, MIB = 1 << 30, 1 << 20
IMAGE_SIZE = 3 * MIB + 512      # not a multiple of dd's block: the tail is compared too
MARK = b"untouched stick " * 4096
PROMPT_TIMEOUT = 10             # seconds for the script to ask

n = 0
failed = 0


def ok(cond, desc, diag=""):
    global n, failed
    n += 1
    failed += not cond
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond and diag:
        for line in str(diag).splitlines():
            print("# " + line)


NUMBERS = {}        # name -> "MAJ:MIN", made up, one per device


def dev(name, size, tran="usb", rm=True, vendor="ACME", model="Stick", serial=None,
        kind="disk", mounts=(), children=()):
    number = NUMBERS.setdefault(name, "8:%d" % len(NUMBERS))
    return {"name": name, "kname": name, "path": os.path.join(WORK, name), "maj:min": number,
            "type": kind, "tran": tran, "rm": rm, "size": size, "vendor": vendor,
            "model": model, "serial": serial or "SN-" + name,
            "fstype": "vfat" if kind == "part" else None, "label": None,
            "mountpoints": list(mounts) or [None], "children": list(children)}


def tree():
    """A machine with a SATA system disk, an NVMe disk and assorted USB devices."""
    return {"blockdevices": [
        dev("sda", 500 * GIB, tran="sata", rm=False, children=[
            dev("sda1", 512 * MIB, kind="part", mounts=["/boot/efi"]),
            dev("sda2", 499 * GIB, kind="part", mounts=["/"])]),
        dev("nvme0n1", 1024 * GIB, tran="nvme", rm=False),
        dev("sdb", 16 * GIB, children=[dev("sdb1", 16 * GIB, kind="part")]),
        dev("sdc", 8 * GIB, children=[dev("sdc1", 8 * GIB, kind="part",
                                          mounts=["/media/u/STICK"])]),
        dev("sdd", 32 * GIB, rm=False, model="Portable SSD"),
        dev("sde", 512 * GIB, model="Huge Stick"),
        dev("sdf", 0, model="Card Reader"),
        dev("sdg", 1 * MIB, model="Tiny Stick"),
        dev("sdh", 64 * GIB, model="Live Stick", children=[
            dev("sdh1", 64 * GIB, kind="part", mounts=["/"])]),
        dev("sdi", 4 * GIB, rm="1", model="Old lsblk"),     # util-linux < 2.37 style
        dev("sdj", 8 * GIB, model="LUKS Stick", children=[      # an open LUKS volume
            dev("sdj1", 8 * GIB, kind="part", children=[
                dev("luks-0f3a", 8 * GIB, kind="crypt")])]),
        dev("sdk", 8 * GIB, model="LVM Stick", children=[       # an active LVM PV
            dev("vg0-data", 8 * GIB, kind="lvm")]),
        dev("sdl", 8 * GIB, model="RAID Stick", children=[      # an md member
            dev("sdl1", 8 * GIB, kind="part", children=[dev("md127", 8 * GIB, kind="raid1")])]),
        dev("sdm", 8 * GIB, model="Held Stick"),                # holders/ says so, lsblk not
        dev("sdn", 8 * GIB, model="Held Part", children=[dev("sdn1", 8 * GIB, kind="part")]),
        dev("sdo", 8 * GIB, model="No Sysfs"),
        dev("sdp", 8 * GIB, model="Renumbered"),
    ]}


# Held in /sys but not in lsblk's tree: (directory under block/, holder).
HOLDERS = (("sdm", "dm-3"), ("sdn/sdn1", "md126"))


def write_sysfs(t, holders=HOLDERS):
    """The fake /sys for tree t: block/DISK/{dev,holders/}, and for each
    partition block/DISK/PART/{partition,holders/}; sdo has none, sdp's
    number differs from lsblk's."""
    shutil.rmtree(SYSFS, ignore_errors=True)
    for d in t["blockdevices"]:
        if d["name"] == "sdo":
            continue
        base = os.path.join(SYSFS, "block", d["kname"])
        os.makedirs(os.path.join(base, "holders"))
        with open(os.path.join(base, "dev"), "w") as f:
            f.write(("8:999" if d["name"] == "sdp" else d["maj:min"]) + "\n")
        for c in d["children"]:
            if c["type"] == "part":
                os.makedirs(os.path.join(base, c["kname"], "holders"))
                with open(os.path.join(base, c["kname"], "partition"), "w") as f:
                    f.write("1\n")
    for where, holder in holders:
        os.mkdir(os.path.join(SYSFS, "block", where, "holders", holder))


def write_tree(t):
    with open(LSBLK, "w") as f:
        json.dump(t, f)


def reset_devices():
    for d in walk(tree()["blockdevices"]):
        with open(d["path"], "wb") as f:
            f.write(MARK)


def walk(devices):
    for d in devices:
        yield d
        yield from walk(d["children"])


def untouched(name):
    with open(os.path.join(WORK, name), "rb") as f:
        return f.read() == MARK


def holds_image(name):
    with open(os.path.join(WORK, name), "rb") as f, open(IMAGE, "rb") as g:
        return f.read(IMAGE_SIZE) == g.read()


def run(*args, stdin=subprocess.DEVNULL, env_extra=None):
    env = dict(os.environ, USB_WRITE_LSBLK=LSBLK, USB_WRITE_SYSFS=SYSFS, **(env_extra or {}))
    p = subprocess.run([TOOL] + list(args), stdin=stdin, capture_output=True, text=True,
                       env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def refused(args, want, desc, name=None):
    """One line on stderr containing want, status 1, the device unchanged."""
    rc, out, err = run(*args)
    lines = err.strip().splitlines()
    good = rc == 1 and len(lines) == 1 and lines[0].startswith("usb-write: ") and want in err
    ok(good, desc, "status %s\nstdout: %s\nstderr: %s" % (rc, out, err))
    if name:
        ok(untouched(name), "... and %s is untouched" % name)


def path(name):
    return os.path.join(WORK, name)


def check_refusals():
    refused([IMAGE, path("sda")], "holds / of the running system", "system disk refused", "sda")
    refused([IMAGE, path("sdh")], "holds / of the running system",
            "a USB stick the system runs from is refused", "sdh")
    refused([IMAGE, path("sdb1")], "is a part, not a whole disk: use the whole disk " +
            path("sdb"), "a partition is refused, naming its disk", "sdb1")
    refused([IMAGE, path("nvme0n1")], "not attached over USB (transport: nvme)",
            "an NVMe disk is refused", "nvme0n1")
    refused([IMAGE, path("sdc")], "is mounted (/media/u/STICK)", "a mounted stick is refused",
            "sdc")
    refused([IMAGE, path("sdd")], "is not removable (RM=0)", "a non-removable USB disk is "
            "refused", "sdd")
    refused([IMAGE, path("sde")], "is 512.0 GiB, larger than a stick is likely to be",
            "a 512 GiB device is refused", "sde")
    refused([IMAGE, path("sdf")], "has no medium", "an empty card reader is refused", "sdf")
    refused([IMAGE, path("sdg")], "is smaller than the image", "a too small stick is refused",
            "sdg")
    refused([IMAGE, path("sdb")], "stdin is not a terminal", "no terminal and no --yes: refused",
            "sdb")
    refused(["--yes", IMAGE, path("sdj")], "is in use: %s on it is a crypt device, not a plain "
            "partition: close it first (cryptsetup close %s)" % (path("luks-0f3a"),
                                                                  path("luks-0f3a")),
            "a stick with an open LUKS volume (crypt child) is refused", "sdj")
    ok(untouched("sdj1"), "... and its partition is untouched")
    refused(["--yes", IMAGE, path("sdk")], "on it is a lvm device", "a stick that is an active "
            "LVM PV (lvm child) is refused", "sdk")
    refused(["--yes", IMAGE, path("sdl")], "on it is a raid1 device, not a plain partition: "
            "close it first (mdadm --stop", "a stick with an md member (raid1 child) is refused",
            "sdl")
    refused(["--yes", IMAGE, path("sdm")], "is in use: sdm is held by dm-3", "a stick whose "
            "/sys/block/sdm/holders is not empty is refused", "sdm")
    refused(["--yes", IMAGE, path("sdn")], "is in use: sdn1 is held by md126", "a stick with a "
            "partition whose holders/ is not empty is refused", "sdn")
    refused(["--yes", IMAGE, path("sdo")], "so its holders cannot be checked", "a stick "
            "without a /sys/block entry is refused", "sdo")
    refused(["--yes", IMAGE, path("sdp")], "disagree on its major:minor", "a stick whose "
            "/sys/block/sdp/dev differs from lsblk's MAJ:MIN is refused", "sdp")
    for name in ("sdj", "sdm", "sdn"):
        refused(["--force", "--yes", IMAGE, path(name)], "is in use", "--force never overrides "
                "the in-use checks (%s)" % name, name)
    refused([IMAGE, path("nosuch")], "no such device", "a missing device is refused")
    with open(path("stray"), "wb") as f:
        f.write(MARK)
    refused([IMAGE, path("stray")], "lsblk does not know this device",
            "a device lsblk does not list is refused", "stray")
    refused([path("no.img"), path("sdb")], "no image", "a missing image is refused", "sdb")
    refused([IMAGE], "usage:", "a missing DEV is a usage error")
    os.mkdir(path("adir"))
    refused([IMAGE, path("adir")], "is not a block device", "a directory is refused")
    with open(LSBLK, "w") as f:
        f.write("{not json")
    refused([IMAGE, path("sdb")], "cannot read lsblk's JSON", "broken lsblk output is refused",
            "sdb")
    write_tree(tree())


def check_writes():
    rc, out, err = run("--yes", IMAGE, path("sdb"))
    ok(rc == 0 and "safe to remove" in out, "--yes writes the stick and says it is safe to "
       "remove", "status %s\nstdout: %s\nstderr: %s" % (rc, out, err))
    ok(holds_image("sdb"), "... the stick holds the image byte for byte")
    ok("ACME Stick, 16.0 GiB, USB, removable" in out, "... after showing vendor, model, size",
       out)
    ok(all(untouched(x) for x in ("sda", "sda1", "sda2", "sdc", "sdd")),
       "... and no other device was written")
    for name, desc in (("sdd", "--force accepts a non-removable USB disk"),
                       ("sde", "--force accepts a 512 GiB stick")):
        rc, out, err = run("--force", "--yes", IMAGE, path(name))
        ok(rc == 0 and holds_image(name), desc, "status %s\n%s%s" % (rc, out, err))
    rc, out, err = run("--yes", IMAGE, path("sdi"))
    ok(rc == 0 and holds_image("sdi"), "old lsblk's \"1\" for removable is understood", err)
    for name in ("sda", "sdc", "sdh"):
        refused(["--force", "--yes", IMAGE, path(name)], "", "--force never overrides the "
                "system, mount checks (%s)" % name, name)


def typed(answer, name, change=None):
    """Run on a pseudo-terminal, answer the prompt, after change() if given,
    which alters the fake machine while the question waits; (status, output)."""
    master, slave = pty.openpty()
    env = dict(os.environ, USB_WRITE_LSBLK=LSBLK, USB_WRITE_SYSFS=SYSFS)
    p = subprocess.Popen([TOOL, IMAGE, path(name)], stdin=slave, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=env)
    os.close(slave)
    out, deadline = b"", time.time() + PROMPT_TIMEOUT
    while b"Type yes" not in out and time.time() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
    asked = b"Type yes" in out
    if change and asked:
        change()
    os.write(master, answer.encode() + b"\n")
    rest, _ = p.communicate(timeout=60)
    os.close(master)
    write_tree(tree())
    write_sysfs(tree())
    return (p.returncode if asked else "never asked"), (out + rest).decode(errors="replace")


def sdb_changed(**kw):
    """Tree change: sdb (blockdevices[2]) or its partition gets kw."""
    def change():
        t = tree()
        sdb = t["blockdevices"][2]
        target = sdb["children"][0] if "mountpoints" in kw else sdb
        target.update(kw)
        write_tree(t)
    return change


def sdb_held():
    os.mkdir(os.path.join(SYSFS, "block", "sdb", "sdb1", "holders", "dm-7"))


def check_confirmation():
    rc, out = typed("no", "sdb")
    ok(rc == 1 and "not confirmed ('no'): nothing written" in out and untouched("sdb"),
       "typing 'no' on the terminal writes nothing", out)
    rc, out = typed("y", "sdb")
    ok(rc == 1 and untouched("sdb"), "only the whole word 'yes' confirms", out)
    rc, out = typed("yes", "sdb", sdb_changed(serial="ANOTHER"))
    ok(rc == 1 and "changed while waiting" in out and untouched("sdb"),
       "a stick swapped during the question is not written", out)
    rc, out = typed("yes", "sdb", sdb_changed(mountpoints=["/media/u/AUTO"]))
    ok(rc == 1 and "is mounted (/media/u/AUTO): unmount it first, e.g. udisksctl unmount -b %s "
       "(checked again after the answer): nothing written" % path("sdb1") in out
       and untouched("sdb") and untouched("sdb1"),
       "a stick mounted during the question (an automounter) is not written", out)
    rc, out = typed("yes", "sdb", sdb_held)
    ok(rc == 1 and "is in use: sdb1 is held by dm-7" in out and "checked again after the "
       "answer" in out and untouched("sdb"),
       "a stick whose partition got a holder during the question is not written", out)
    rc, out = typed("yes", "sdb", sdb_changed(children=[dev("sdb1", 16 * GIB, kind="part",
                                                             children=[dev("luks-9", 16 * GIB,
                                                                           kind="crypt")])]))
    ok(rc == 1 and "on it is a crypt device" in out and "checked again after the answer" in out
       and untouched("sdb"), "a LUKS volume opened during the question: not written", out)
    rc, out = typed("yes", "sdb")
    ok(rc == 0 and holds_image("sdb") and "safe to remove" in out,
       "typing 'yes' on the terminal writes the stick", out)


def check_list():
    rc, out, err = run("--list")
    lines = out.splitlines()
    listed = [x.split()[0] for x in lines if x.startswith("  ") and "not listed" not in x]
    ok(rc == 0 and sorted(listed) == sorted(path(x) for x in ("sdb", "sdc", "sde", "sdg",
                                                                "sdh", "sdi", "sdj", "sdk",
                                                                "sdl", "sdm", "sdn", "sdo",
                                                                "sdp")),
       "--list shows the removable USB disks with a medium", out + err)
    ok(any(path("sdc") in x and "mounted: /media/u/STICK" in x for x in lines),
       "... marks a mounted one", out)
    ok(any(path("sdd") in x and "not removable" in x for x in lines) and
       any(path("sdf") in x and "no medium" in x for x in lines),
       "... and says why a USB disk or an empty reader is not listed", out)
    write_tree({"blockdevices": tree()["blockdevices"][:2]})
    rc, out, err = run("--list")
    ok(rc == 0 and "no USB stick found" in out, "--list says when there is none", out + err)
    write_tree(tree())


def check_failed_calls():
    """Permissions stand in for a device that fails to open: root ignores them."""
    if os.geteuid() == 0:
        for what in ("for writing", "for the read-back"):
            ok(True, "a device that cannot be opened %s # SKIP run as root" % what)
        return
    reset_devices()
    os.chmod(path("sdb"), 0o444)
    refused(["--yes", IMAGE, path("sdb")], "cannot open %s: Permission denied" % path("sdb"),
            "a device that cannot be opened for writing is refused in one line", "sdb")
    os.chmod(path("sdb"), 0o200)
    refused(["--yes", IMAGE, path("sdb")], "opening %s to read it back failed: Permission "
            "denied" % path("sdb"), "a device that cannot be opened for the read-back: one line "
            "naming the call, not a verdict on the stick")
    os.chmod(path("sdb"), 0o644)
    ok(holds_image("sdb"), "... after the image was written")


with tempfile.TemporaryDirectory(prefix="usb-t.") as WORK:
    LSBLK = os.path.join(WORK, "lsblk.json")
    SYSFS = os.path.join(WORK, "sys")
    IMAGE = os.path.join(WORK, "playground.img")
    with open(IMAGE, "wb") as f:
        f.write(os.urandom(IMAGE_SIZE))
    print("TAP version 13")
    write_tree(tree())
    write_sysfs(tree())
    reset_devices()
    check_refusals()
    check_writes()
    reset_devices()
    check_confirmation()
    check_list()
    check_failed_calls()
    print("1..%d" % n)
sys.exit(0)
