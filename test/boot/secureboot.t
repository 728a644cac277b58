#!/usr/bin/env python3
"""Secure Boot on Debian's OVMF with the "snakeoil" keys in PK, KEK and db.

  signed     BOOTX64.EFI signed with the snakeoil key (scripts/sign-efi, as
             make sign does) boots and passes the boot suite
  unsigned   the plain BOOTX64.EFI is refused by the firmware ("Access
             Denied"): the loader never prints a line
  stranger   signed with a key the firmware does not know: refused too

The snakeoil key ships encrypted (password "snakeoil"); a decrypted copy
is made in the build directory for the test and never leaves it. The
firmware is OVMF_CODE_4M.secboot.fd with OVMF_VARS_4M.snakeoil.fd, SMM on
and the flash marked secure (pgqemu FIRMWARE "secboot").
"""
import os
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


def sign(tap, key, cert, name):
    out = os.path.join(WORK, name + ".efi")
    good, text = run([os.path.join(pgtest.ROOT, "scripts", "sign-efi"), key, cert,
                      os.path.join(pgtest.BUILD, "BOOTX64.EFI"), out])
    tap.ok(good and os.path.exists(out), "%s: sign-efi signs BOOTX64.EFI" % name, text)
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


def main():
    tap = pgtest.Tap()
    os.makedirs(WORK, exist_ok=True)
    key, stranger = keys(tap)
    signed = sign(tap, key, SNAKEOIL_CERT, "snakeoil")
    good, text = run(["sbverify", "--cert", SNAKEOIL_CERT, signed])
    tap.ok(good and "Signature verification OK" in text, "sbverify accepts the signature", text)
    status, log = pgtest.boot(image(tap, signed, "signed"), firmware="secboot", timeout=180)
    tap.ok("loader: paging playground" in log, "signed: the firmware starts the loader")
    pgtest.kernel_tap(log, tap, "signed: ")
    pgtest.check_common(log, status, tap, prefix="signed: ")
    log += "\n---- unsigned ----\n" + refused(
        tap, image(tap, os.path.join(pgtest.BUILD, "BOOTX64.EFI"), "unsigned"), "unsigned")
    other = sign(tap, stranger + ".key", stranger + ".pem", "stranger")
    log += "\n---- stranger ----\n" + refused(tap, image(tap, other, "stranger"), "stranger")
    tap.done(log)


main()
