#!/usr/bin/env python3
"""Boot matrix row: pc (i440fx), virtio disk, 3 GiB (all below 4 GiB), 2 CPUs, OVMF 2 MiB,
serial.
"""
import matrix

matrix.run(machine="pc", disk="virtio", memory="3G", cpus=2, firmware="2m", serial=True)
