#!/usr/bin/env python3
"""Boot matrix row: q35, virtio disk, 512 MiB, 2 CPUs, OVMF 2 MiB, serial."""
import matrix

matrix.run(machine="q35", disk="virtio", memory="512M", cpus=2, firmware="2m", serial=True)
