#!/usr/bin/env python3
"""Boot matrix row: pc (i440fx), IDE, 64 MiB, 2 CPUs, OVMF 2 MiB, no serial port (result
read off the screen).
"""
import matrix

matrix.run(machine="pc", disk="default", memory="64M", cpus=2, firmware="2m", serial=False)
