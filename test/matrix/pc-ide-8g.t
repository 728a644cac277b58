#!/usr/bin/env python3
"""Boot matrix row: pc (i440fx), IDE, 8 GiB (5 GiB above 4 GiB), 1 CPU, OVMF 4 MiB, serial."""
import matrix

matrix.run(machine="pc", disk="default", memory="8G", cpus=1, firmware="4m", serial=True)
