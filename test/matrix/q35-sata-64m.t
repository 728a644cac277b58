#!/usr/bin/env python3
"""Boot matrix row: q35, SATA (AHCI), 64 MiB, 1 CPU, OVMF 4 MiB, serial."""
import matrix

matrix.run(machine="q35", disk="default", memory="64M", cpus=1, firmware="4m", serial=True)
