#!/usr/bin/env python3
"""Boot matrix row: q35, SATA (AHCI), 8 GiB (6 GiB above 4 GiB), 2 CPUs, OVMF 2 MiB,
serial.
"""
import matrix

matrix.run(machine="q35", disk="default", memory="8G", cpus=2, firmware="2m", serial=True)
