"""pgqemu - boot the playground's disk image in QEMU on OVMF.

Used by scripts/qemu-run (make run, make debug) and by the boot tests.
Everything here is standard library only.
"""
import os
import shutil
import subprocess
import tempfile

OVMF_DIR = "/usr/share/OVMF"
FIRMWARE = {
    # name: (code, vars template, extra machine options)
    "4m": ("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd", []),
    "2m": ("OVMF_CODE.fd", "OVMF_VARS.fd", []),
    "secboot": ("OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.snakeoil.fd", ["smm=on"]),
}
# isa-debug-exit statuses: (value << 1) | 1 for the kernel's 0x10/0x11/0x12.
EXIT_PASS, EXIT_FAIL, EXIT_PANIC = 33, 35, 37


def qemu_command(image, workdir, machine="q35", memory="256M", firmware="4m",
                 serial="stdio", display="none", disk="default", cpus=1,
                 icount=False, gdb=False, monitor=None, extra=(), accel="tcg"):
    """The qemu-system-x86_64 argument list for one boot. accel "kvm" runs
    on the host's CPU (where there is /dev/kvm): it checks segment limits,
    TCG does not (docs/memory.md)."""
    code, vars_template, machine_opts = FIRMWARE[firmware]
    vars_copy = os.path.join(workdir, "vars.fd")
    shutil.copyfile(os.path.join(OVMF_DIR, vars_template), vars_copy)
    cmd = ["qemu-system-x86_64",
           "-machine", ",".join([machine] + machine_opts),
           "-accel", accel, "-m", memory, "-smp", str(cpus),
           "-no-reboot", "-display", display,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if firmware == "secboot":
        cmd += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
    cmd += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s"
            % os.path.join(OVMF_DIR, code),
            "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_copy]
    cmd += disk_args(image, disk)
    if serial:
        cmd += ["-serial", serial]
    elif serial is None:        # no UART at all (the kernel must cope)
        cmd += ["-serial", "none"]
    # serial=False: the caller wires the serial port through extra args
    if monitor:
        cmd += ["-monitor", monitor]
    if icount:
        cmd += ["-icount", "shift=0,align=off,sleep=off"]
    if gdb:
        cmd += ["-s"]  # gdb stub on :1234; the guest itself waits (gdb = ... in the cfg)
    return cmd + list(extra)


def disk_args(image, disk):
    """How the image is attached: the default controller, virtio or a USB stick."""
    drive = "format=raw,file=%s" % image
    if disk == "default":       # IDE on pc, AHCI (SATA) on q35
        return ["-drive", drive]
    if disk == "sata":
        return ["-drive", "if=none,id=stick," + drive,
                "-device", "ahci,id=ahci", "-device", "ide-hd,drive=stick,bus=ahci.0"]
    if disk == "virtio":
        return ["-drive", "if=virtio," + drive]
    if disk == "usb":
        return ["-drive", "if=none,id=stick," + drive,
                "-device", "qemu-xhci,id=xhci",
                "-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=0"]
    raise ValueError("unknown disk kind %r" % disk)


def make_image(build, name, cfg_text=None, files=(), efi=None, swap=64):
    """A copy of the disk image with its own playground.cfg and scripts,
    and our swap partition of swap MiB (0: none), whatever SWAP says in
    the environment (make exports it)."""
    outdir = os.path.join(build, "test", name)
    os.makedirs(outdir, exist_ok=True)
    image = os.path.join(outdir, "disk.img")
    args = ["disk/mkimage.sh", image, efi or os.path.join(build, "BOOTX64.EFI")]
    if cfg_text is not None:
        cfg = os.path.join(outdir, "playground.cfg")
        with open(cfg, "w") as f:
            f.write(cfg_text)
        args.append(cfg)
    args += list(files)
    subprocess.run(args, check=True, env=dict(os.environ, SWAP=str(swap)))
    return image


def boot(image, timeout=240, log_path=None, **kw):
    """Boot headless with serial captured; returns (exit status, serial text).

    Status None means the timeout struck (a hang)."""
    with tempfile.TemporaryDirectory(prefix="pgqemu.") as work:
        serial_log = log_path or os.path.join(work, "serial.log")
        cmd = qemu_command(image, work, serial="file:" + serial_log, **kw)
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=timeout)
            status = proc.returncode
            qemu_out = proc.stdout.decode(errors="replace")
        except subprocess.TimeoutExpired as e:
            status = None
            qemu_out = (e.stdout or b"").decode(errors="replace")
        with open(serial_log, "rb") as f:
            text = f.read().decode(errors="replace").replace("\r\n", "\n")
        if qemu_out.strip():
            text += "\n# qemu: " + qemu_out.strip().replace("\n", "\n# qemu: ")
        return status, text
