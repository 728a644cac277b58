#!/usr/bin/env python3
"""Boot matrix row: q35, SATA (AHCI), 512 MiB, 1 CPU, OVMF 4 MiB, no serial port (result
read off the screen).
"""
import matrix

matrix.run(machine="q35", disk="default", memory="512M", cpus=1, firmware="4m", serial=False)
