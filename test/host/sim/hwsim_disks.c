/*
 * hwsim_disks.c - what the simulated controllers of hwsim_disks.h share:
 * a disk's sectors in host memory with its faults, and DMA words. The
 * controllers are hwsim_ahci.c, hwsim_virtio.c and hwsim_nvme.c; each
 * takes its register layout from drivers/<dev>_hw.h (the same names the
 * drivers use, checked against the specs there) and does on a write what
 * the spec says, written from the spec, not from the driver.
 */
#include "hwsim_disks.h"

#include <stdlib.h>
#include <string.h>

void simdisk_init(struct simdisk *s, uint64_t sectors)
{
	memset(s, 0, sizeof *s);
	s->data = calloc(1, (size_t)(sectors * SIMDISK_SECTOR));
	s->sectors = sectors;
	s->bad_read = s->bad_write = -1;
}

void simdisk_free(struct simdisk *s)
{
	free(s->data);
	s->data = 0;
}

int simdisk_io(struct simdisk *s, int write, uint64_t lba, uint32_t count, uint64_t pa,
	       uint64_t at, uint32_t n)
{
	int64_t bad = write ? s->bad_write : s->bad_read;

	if (lba + count > s->sectors || (bad >= 0 && (uint64_t)bad >= lba && (uint64_t)bad < lba + count))
		return -1;
	uint8_t *disk = s->data + lba * SIMDISK_SECTOR + at, *mem = hwsim_dma(pa, n);
	if (write)
		memcpy(disk, mem, n);
	else
		memcpy(mem, disk, n);
	return 0;
}

uint32_t sim_dma_rd32(uint64_t pa)
{
	uint32_t v;

	memcpy(&v, hwsim_dma(pa, 4), 4);
	return v;
}

void sim_dma_wr32(uint64_t pa, uint32_t v)
{
	memcpy(hwsim_dma(pa, 4), &v, 4);
}

