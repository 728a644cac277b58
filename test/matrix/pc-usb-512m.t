#!/usr/bin/env python3
"""Boot matrix row: pc (i440fx), USB stick on qemu-xhci, 512 MiB, 1 CPU, OVMF 4 MiB,
serial.
"""
import matrix

matrix.run(machine="pc", disk="usb", memory="512M", cpus=1, firmware="4m", serial=True)
