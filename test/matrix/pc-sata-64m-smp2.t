#!/usr/bin/env python3
"""Boot matrix row: pc (i440fx), SATA (an AHCI controller added), 64 MiB, 2 CPUs, OVMF 2
MiB, serial.
"""
import matrix

matrix.run(machine="pc", disk="sata", memory="64M", cpus=2, firmware="2m", serial=True)
