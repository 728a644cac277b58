#!/usr/bin/env python3
"""Secure Boot on Debian's OVMF with the "snakeoil" keys in PK, KEK and db.

  signed     BOOTX64.EFI signed with the snakeoil key (scripts/sign-efi, as
             make sign does) boots and passes the boot suite
  unsigned   the plain BOOTX64.EFI is refused by the firmware ("Access
             Denied"): the loader never prints a line
  stranger   signed with a key the firmware does not know: refused too
  .sbat      BOOTX64.EFI, and the signed copy, hold the one .sbat section shim
             demands (no relocations, VirtualSize <= SizeOfRawData, clear of
             the headers and other sections), starting with the SBAT version
             line, then the playground's line with the build's version
  shim       Debian's shim (shim-unsigned's shimx64.efi, signed here with the
             snakeoil key) as BOOTX64.EFI starts the signed loader as its
             second stage, grubx64.efi: shim accepts the key from db as it
             would a MOK. The same loader without its .sbat section, same
             key, is refused by shim. Skipped without shim-unsigned.

The snakeoil key ships encrypted (password "snakeoil"); a decrypted copy
is made in the build directory for the test and never leaves it. The
firmware is OVMF_CODE_4M.secboot.fd with OVMF_VARS_4M.snakeoil.fd, SMM on
and the flash marked secure (pgqemu FIRMWARE "secboot").
"""
import os
import shutil
import struct
import subprocess

import pgtest

OVMF_KEYS = "/usr/share/ovmf"
SNAKEOIL_KEY = os.path.join(OVMF_KEYS, "PkKek-1-snakeoil.key")
SNAKEOIL_CERT = os.path.join(OVMF_KEYS, "PkKek-1-snakeoil.pem")
SNAKEOIL_PASSWORD = "snakeoil"      # documented in Debian's ovmf README.Debian
CFG = "suite = boot\n"
REFUSED = "Access Denied"           # BdsDxe: failed to load Boot000N "...": Access Denied
ALL_FAILED = "No bootable option or device was found"
WORK = os.path.join(pgtest.BUILD, "test", "secureboot")
SBAT_FIRST = "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md"
SBAT_OURS = "playground,1,Paging playground,playground,%s,docs/real-hardware.md"
SHIM = "/usr/lib/shim/shimx64.efi"      # package shim-unsigned
SHIM_REFUSED = "Verification failed: (0x1A) Security Violation"


def pe_sections(path):
    """(SizeOfImage, SizeOfHeaders, [section header dicts], file bytes) of a PE32+."""
    with open(path, "rb") as f:
        data = f.read()
    pe, = struct.unpack_from("<I", data, 0x3c)
    if data[pe:pe + 4] != b"PE\0\0":
        return 0, 0, [], data
    count, = struct.unpack_from("<H", data, pe + 6)
    opt_size, = struct.unpack_from("<H", data, pe + 20)
    image_size, headers_size = struct.unpack_from("<II", data, pe + 24 + 56)
    sections = []
    for i in range(count):
        at = pe + 24 + opt_size + 40 * i
        vsize, va, raw_size, raw_at, rel_at, _, nrel = struct.unpack_from("<IIIIIIH", data, at + 8)
        sections.append({"name": data[at:at + 8].rstrip(b"\0").decode(errors="replace"),
                         "vsize": vsize, "va": va, "raw_size": raw_size, "raw_at": raw_at,
                         "rel_at": rel_at, "nrel": nrel})
    return image_size, headers_size, sections, data


def check_sbat(tap, path, name):
    """The .sbat section as shim reads it (verify_buffer_sbat in shim's pe.c)."""
    image_size, headers_size, sections, data = pe_sections(path)
    sbat = [x for x in sections if x["name"] == ".sbat"]
    tap.ok(len(sbat) == 1, "%s: exactly one .sbat section" % name,
           "sections: %s" % [x["name"] for x in sections])
    if len(sbat) != 1:
        return
    s = sbat[0]
    tap.ok(s["nrel"] == 0 and s["rel_at"] == 0 and 0 < s["vsize"] <= s["raw_size"],
           "%s: .sbat has no relocations, and all its data in the file" % name, s)
    end = s["va"] + s["vsize"]
    clear = all(end <= x["va"] or x["va"] + x["vsize"] <= s["va"] for x in sections if x is not s)
    tap.ok(s["va"] >= headers_size and end <= image_size and clear,
           "%s: .sbat at 0x%x overlaps neither the headers nor another section" % (name, s["va"]),
           sections)
    text = data[s["raw_at"]:s["raw_at"] + s["vsize"]].decode(errors="replace")
    lines = text.splitlines()
    tap.ok(lines[:1] == [SBAT_FIRST], "%s: .sbat starts with the SBAT version line" % name, text)
    with open(os.path.join(pgtest.BUILD, "version.stamp")) as f:
        version = f.read().strip()
    tap.ok(lines[1:] == [SBAT_OURS % version] and text.endswith("\n"),
           "%s: ... then the playground's line, version %s" % (name, version), text)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode == 0, p.stdout + p.stderr


def keys(tap):
    """The decrypted snakeoil key and a stranger's key pair, in WORK."""
    key = os.path.join(WORK, "snakeoil.key")
    if os.path.exists(key):
        os.unlink(key)
    os.close(os.open(key, os.O_WRONLY | os.O_CREAT, 0o600))    # private before it holds a key
    good, out = run(["openssl", "pkey", "-in", SNAKEOIL_KEY, "-passin",
                     "pass:" + SNAKEOIL_PASSWORD, "-out", key])
    tap.ok(good, "the snakeoil key decrypts with its published password", out)
    stranger = os.path.join(WORK, "stranger")
    good2, out = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                      "-subj", "/CN=not enrolled", "-keyout", stranger + ".key",
                      "-out", stranger + ".pem"])
    tap.ok(good2, "a key pair the firmware does not know is made", out)
    return key, stranger


def sign(tap, key, cert, name, efi=None):
    out = os.path.join(WORK, name + ".efi")
    efi = efi or os.path.join(pgtest.BUILD, "BOOTX64.EFI")
    good, text = run([os.path.join(pgtest.ROOT, "scripts", "sign-efi"), key, cert, efi, out])
    tap.ok(good and os.path.exists(out), "%s: sign-efi signs %s" % (name, os.path.basename(efi)),
           text)
    return out


def image(tap, efi, name):
    img = os.path.join(WORK, name + ".img")
    cfg = os.path.join(WORK, "playground.cfg")
    with open(cfg, "w") as f:
        f.write(CFG)
    good, text = run([os.path.join(pgtest.ROOT, "disk", "mkimage.sh"), img, efi, cfg])
    tap.ok(good, "%s: disk image built" % name, text)
    return img


def refused(tap, img, name):
    """The firmware refuses the image: every boot option fails, the loader is silent."""
    log, _ = pgtest.boot_and_inspect(img, ALL_FAILED, [], timeout=90, firmware="secboot",
                                     extra=("-nic", "none"))
    tap.ok(REFUSED in log, "%s: the firmware says '%s'" % (name, REFUSED))
    tap.ok(ALL_FAILED in log, "%s: ... and finds nothing else to boot" % name)
    tap.ok("loader:" not in log and "playground:" not in log,
           "%s: neither the loader nor the kernel ever ran" % name)
    return log


def shim(tap, key, signed):
    """Shim as BOOTX64.EFI, the loader as its second stage: with .sbat it
    boots, without it (and nothing else changed) shim refuses it."""
    if not os.path.exists(SHIM):
        tap.ok(True, "shim: # SKIP no %s (scripts/deps.sh installs it: apt-get install shim-unsigned)" % SHIM)
        return ""
    shim_efi = sign(tap, key, SNAKEOIL_CERT, "shim", SHIM)

    def shim_image(second, name):
        os.makedirs(os.path.join(WORK, name), exist_ok=True)
        grub = os.path.join(WORK, name, "grubx64.efi")    # the name shim starts
        shutil.copyfile(second, grub)
        cfg = os.path.join(WORK, name, "playground.cfg")
        with open(cfg, "w") as f:
            f.write(CFG)
        img = os.path.join(WORK, name + ".img")
        good, text = run([os.path.join(pgtest.ROOT, "disk", "mkimage.sh"), img, shim_efi, cfg,
                          grub])
        tap.ok(good, "%s: disk image with shim and grubx64.efi built" % name, text)
        return img

    status, log = pgtest.boot(shim_image(signed, "shim"), firmware="secboot", timeout=180)
    tap.ok("loader: paging playground" in log, "shim: shim starts the signed loader (with .sbat)")
    pgtest.kernel_tap(log, tap, "shim: ")
    pgtest.check_common(log, status, tap, prefix="shim: ")

    bare = os.path.join(WORK, "bare.efi")
    good, text = run(["objcopy", "--remove-section", ".sbat",
                      os.path.join(pgtest.BUILD, "BOOTX64.EFI"), bare])
    tap.ok(good and not any(x["name"] == ".sbat" for x in pe_sections(bare)[2]),
           "shim-nosbat: the loader without its .sbat section", text)
    bare_signed = os.path.join(WORK, "nosbat.efi")
    good, text = run([os.path.join(pgtest.ROOT, "scripts", "sign-efi"), key, SNAKEOIL_CERT,
                      bare, bare_signed])
    tap.ok(good and "has no .sbat section: shim (the MOK path) will refuse it" in text,
           "shim-nosbat: sign-efi signs it, warning that shim will refuse it", text)
    other, _ = pgtest.boot_and_inspect(shim_image(bare_signed, "shim-nosbat"), SHIM_REFUSED, [],
                                       timeout=90, firmware="secboot", extra=("-nic", "none"))
    tap.ok(SHIM_REFUSED in other, "shim-nosbat: shim says '%s'" % SHIM_REFUSED)
    tap.ok("loader:" not in other and "playground:" not in other,
           "shim-nosbat: the loader never ran")
    return "\n---- shim ----\n" + log + "\n---- shim-nosbat ----\n" + other


def main():
    tap = pgtest.Tap()
    os.makedirs(WORK, exist_ok=True)
    check_sbat(tap, os.path.join(pgtest.BUILD, "BOOTX64.EFI"), "BOOTX64.EFI")
    key, stranger = keys(tap)
    signed = sign(tap, key, SNAKEOIL_CERT, "snakeoil")
    good, text = run(["sbverify", "--cert", SNAKEOIL_CERT, signed])
    tap.ok(good and "Signature verification OK" in text, "sbverify accepts the signature", text)
    check_sbat(tap, signed, "signed")
    status, log = pgtest.boot(image(tap, signed, "signed"), firmware="secboot", timeout=180)
    tap.ok("loader: paging playground" in log, "signed: the firmware starts the loader")
    pgtest.kernel_tap(log, tap, "signed: ")
    pgtest.check_common(log, status, tap, prefix="signed: ")
    log += "\n---- unsigned ----\n" + refused(
        tap, image(tap, os.path.join(pgtest.BUILD, "BOOTX64.EFI"), "unsigned"), "unsigned")
    other = sign(tap, stranger + ".key", stranger + ".pem", "stranger")
    log += "\n---- stranger ----\n" + refused(tap, image(tap, other, "stranger"), "stranger")
    log += shim(tap, key, signed)
    tap.done(log)


main()
