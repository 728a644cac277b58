/*
 * hwsim_disks.h - simulated disk controllers on the hwsim PC (hwsim_ahci.c,
 * hwsim_virtio.c, hwsim_nvme.c over hwsim_disks.c), each doing
 * what its spec says to what a driver writes (and no more), with faults on
 * demand: a sector that fails, a device that stops answering. They check
 * the orders drivers must keep (AHCI: FRE off only after CR cleared; NVMe:
 * the completion queue before its submission queue) and count violations.
 *
 *   AHCI 1.3.1 HBA (ports with ATA disks, ATAPI, empty), BAR5, MSI
 *   virtio-blk, legacy interface in I/O BAR0, MSI-X table in BAR1
 *   NVMe 1.4, BAR0 (64-bit) with the MSI-X table at 0x2000
 */
#ifndef TEST_HOST_SIM_HWSIM_DISKS_H
#define TEST_HOST_SIM_HWSIM_DISKS_H

#include <stdint.h>

#include "hwsim.h"

#define SIMDISK_SECTOR 512

/* What every simulated disk has. */
struct simdisk {
	uint8_t *data;
	uint64_t sectors;
	int64_t bad_read, bad_write; /* an LBA that fails, or -1 */
	int hang;                    /* accept commands, complete none */
	unsigned commands, resets, violations;
};

void simdisk_init(struct simdisk *s, uint64_t sectors);
void simdisk_free(struct simdisk *s);
/* Move n bytes between byte at of the count sectors at lba and memory at
 * pa (write: to the disk); 0, or -1 for the bad sector or outside the
 * disk (nothing moved). */
int simdisk_io(struct simdisk *s, int write, uint64_t lba, uint32_t count, uint64_t pa,
	       uint64_t at, uint32_t n);
/* A 32-bit word of simulated RAM, as a device reads it by DMA. */
uint32_t sim_dma_rd32(uint64_t pa);
void sim_dma_wr32(uint64_t pa, uint32_t v);

/* ------------------------------------------------------------- AHCI */
#define SIM_AHCI_PORTS 4
enum sim_port_kind { SIM_PORT_EMPTY, SIM_PORT_ATA, SIM_PORT_ATAPI };

struct sim_ahci {
	struct hwsim_dev *dev;
	uint32_t ghc, is, pi, cap2, bohc;
	int bios_busy;         /* BOS stays set this many BOHC reads after OOS */
	int sss;               /* staggered spin-up: no link until PxCMD.SUD */
	struct sim_port {
		enum sim_port_kind kind;
		struct simdisk disk;
		uint32_t clb, fb, is, ie, cmd, tfd, sctl, serr, ci;
	} port[SIM_AHCI_PORTS];
};
/* An ICH9-like AHCI at (0, slot, 0), ABAR at abar; ports as kinds[]. */
struct sim_ahci *sim_ahci_add(uint8_t slot, uint32_t abar, const enum sim_port_kind *kinds,
			      uint64_t sectors);
void sim_ahci_free(struct sim_ahci *a);

/* -------------------------------------------------------- virtio-blk */
struct sim_vblk {
	struct hwsim_dev *dev;
	struct simdisk disk;
	uint32_t host_features, guest_features, pfn;
	uint16_t qsize, qsel, config_vector, queue_vector, last_avail;
	uint8_t status;
};
struct sim_vblk *sim_vblk_add(uint8_t slot, uint16_t io, uint32_t msix_bar, uint64_t sectors);
void sim_vblk_free(struct sim_vblk *v);

/* ------------------------------------------------------------- NVMe */
struct sim_nvme {
	struct hwsim_dev *dev;
	struct simdisk disk;
	uint32_t cc, csts, aqa;
	uint64_t asq, acq;
	struct sim_nvme_q {
		uint64_t addr;
		uint32_t size, head, tail;
		int phase, exists, ien, cq; /* cq: the SQ's completion queue id */
	} sq[2], cq[2];
};
struct sim_nvme *sim_nvme_add(uint8_t slot, uint64_t bar0, uint64_t sectors);
void sim_nvme_free(struct sim_nvme *n);

#endif
