#!/usr/bin/env python3
"""Boot matrix row: q35, USB stick on qemu-xhci, 3 GiB (1 GiB of it above 4 GiB), 1 CPU,
OVMF 4 MiB, serial.
"""
import matrix

matrix.run(machine="q35", disk="usb", memory="3G", cpus=1, firmware="4m", serial=True)
