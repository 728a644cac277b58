/*
 * hwsim_ahci.c - a simulated AHCI 1.3.1 HBA (hwsim_disks.h): its ports with
 * ATA disks, ATAPI devices or nothing, commands in slot 0, MSI.
 */
#include "hwsim_disks.h"

#include <stdlib.h>
#include <string.h>

#include "drivers/ahci_hw.h"
#include "drivers/pci.h"

/* ============================================================== AHCI */

#define SIM_ATA_READY 0x50u    /* DRDY | DSC */
#define SIM_TFD_ABORTED 0x0441u /* error ABRT, status DRDY | ERR */

static void ata_identify(struct sim_port *p, uint16_t *id)
{
	static const char model[40] = "SIM SATA DISK                           ";

	memset(id, 0, 512);
	for (int i = 0; i < 20; i++)
		id[ATA_ID_MODEL + i] = (uint16_t)(model[2 * i] << 8 | model[2 * i + 1]);
	id[ATA_ID_COMMAND_SET_2] = ATA_ID_LBA48_SUPPORTED;
	for (int i = 0; i < 4; i++)
		id[ATA_ID_LBA48_SECTORS + i] = (uint16_t)(p->disk.sectors >> (16 * i));
	id[ATA_ID_SECTOR_SIZE] = ATA_ID_SIZE_VALID;
}

/* Run slot 0's command (AHCI 1.3.1, 5.5: fetch the header, the FIS, the
 * PRDs; move the data; post a D2H FIS as PxIS.DHRS, or TFES on error). */
static void ahci_execute(struct sim_ahci *a, unsigned n)
{
	struct sim_port *p = &a->port[n];
	struct ahci_cmd_header h;
	struct fis_reg_h2d f;

	if (p->disk.hang)
		return;
	p->disk.commands++;
	memcpy(&h, hwsim_dma(p->clb, sizeof h), sizeof h);
	memcpy(&f, hwsim_dma(h.ctba, sizeof f), sizeof f);
	unsigned nprd = h.flags >> 16;
	uint64_t lba = f.lba0 | (uint64_t)f.lba1 << 8 | (uint64_t)f.lba2 << 16 |
		       (uint64_t)f.lba3 << 24 | (uint64_t)f.lba4 << 32 | (uint64_t)f.lba5 << 40;
	uint32_t count = f.count_lo | (uint32_t)f.count_hi << 8, moved = 0;
	int err = 0;

	if (f.command == ATA_CMD_IDENTIFY && p->kind == SIM_PORT_ATA) {
		uint16_t id[256];
		ata_identify(p, id);
		uint32_t dba = sim_dma_rd32(h.ctba + AHCI_CT_PRDT);
		memcpy(hwsim_dma(dba, 512), id, 512);
		moved = 512;
	} else if ((f.command == ATA_CMD_READ_DMA_EXT || f.command == ATA_CMD_WRITE_DMA_EXT) &&
		   p->kind == SIM_PORT_ATA) {
		int write = f.command == ATA_CMD_WRITE_DMA_EXT;
		if (write != !!(h.flags & AHCI_CMD_WRITE))
			p->disk.violations++; /* the header's W bit disagrees with the command */
		for (unsigned i = 0; i < nprd && !err; i++) {
			uint64_t prd = h.ctba + AHCI_CT_PRDT + 16 * i;
			uint32_t bytes = (sim_dma_rd32(prd + 12) & 0x3FFFFF) + 1;
			err = simdisk_io(&p->disk, write, lba, count, sim_dma_rd32(prd), moved, bytes);
			moved += bytes;
		}
		if (moved != count * SIMDISK_SECTOR)
			err = -1;
	} else {
		err = -1;
	}
	if (err) {
		p->tfd = SIM_TFD_ABORTED;
		p->is |= PORT_IS_TFES | PORT_IS_DHRS;
	} else {
		sim_dma_wr32(p->clb + 4, moved); /* PRDBC */
		p->ci &= ~1u;
		p->tfd = SIM_ATA_READY;
		p->is |= PORT_IS_DHRS;
	}
	a->is |= 1u << n;
	if ((a->ghc & AHCI_GHC_IE) && (p->is & p->ie))
		hwsim_interrupt(a->dev);
}

static uint32_t port_read(const struct sim_ahci *a, const struct sim_port *p, uint32_t reg)
{
	switch (reg) {
	case PORT_CLB: return p->clb;
	case PORT_FB: return p->fb;
	case PORT_IS: return p->is;
	case PORT_IE: return p->ie;
	case PORT_CMD: return p->cmd;
	case PORT_TFD: return p->tfd;
	case PORT_SIG:
		return p->kind == SIM_PORT_ATA ? SATA_SIG_ATA : p->kind == SIM_PORT_ATAPI ? SATA_SIG_ATAPI
											: 0xFFFFFFFFu;
	case PORT_SSTS:
		if (p->kind == SIM_PORT_EMPTY)
			return 0;
		return a->sss && !(p->cmd & PORT_CMD_SUD) ? 0x1u /* seen, no phy yet */ : 0x123u;
	case PORT_SCTL: return p->sctl;
	case PORT_SERR: return p->serr;
	case PORT_CI: return p->ci;
	default: return 0;
	}
}

static void port_write(struct sim_ahci *a, unsigned n, uint32_t reg, uint32_t v)
{
	struct sim_port *p = &a->port[n];

	switch (reg) {
	case PORT_CLB: p->clb = v; break;
	case PORT_FB: p->fb = v; break;
	case PORT_IS: p->is &= ~v; break;
	case PORT_IE: p->ie = v; break;
	case PORT_SERR: p->serr &= ~v; break;
	case PORT_SCTL:
		if ((p->sctl & 0xF) == PORT_SCTL_DET_COMRESET && (v & 0xF) == 0) {
			p->tfd = SIM_ATA_READY; /* the device comes back ready */
			p->disk.resets++;
		}
		p->sctl = v;
		break;
	case PORT_CMD: {
		uint32_t was = p->cmd;
		/* FRE off while the command engine still runs: the order is
		 * wrong (AHCI 1.3.1, 10.1.2). */
		if ((was & PORT_CMD_FRE) && !(v & PORT_CMD_FRE) && (was & PORT_CMD_CR))
			p->disk.violations++;
		p->cmd = v & (PORT_CMD_ST | PORT_CMD_FRE | PORT_CMD_SUD);
		if (v & PORT_CMD_ST)
			p->cmd |= PORT_CMD_CR;
		else
			p->ci = 0; /* clearing ST clears PxCI */
		if (v & PORT_CMD_FRE)
			p->cmd |= PORT_CMD_FR;
		if ((v & PORT_CMD_ST) && !(was & PORT_CMD_ST) && (p->tfd & (ATA_STS_BSY | ATA_STS_DRQ)))
			p->disk.violations++; /* started while BSY or DRQ (10.3.1) */
		break;
	}
	case PORT_CI:
		if (!(p->cmd & PORT_CMD_ST) || !(p->cmd & PORT_CMD_FRE)) {
			p->disk.violations++;
			break;
		}
		p->ci |= v;
		if (v & 1)
			ahci_execute(a, n);
		break;
	default:
		break;
	}
}

static uint32_t ahci_read(struct hwsim_dev *d, int bar, uint32_t off, unsigned size)
{
	struct sim_ahci *a = d->model;

	(void)bar;
	(void)size;
	if (off >= AHCI_PORT_BASE) {
		unsigned n = (off - AHCI_PORT_BASE) / AHCI_PORT_STRIDE;
		return n < SIM_AHCI_PORTS
			       ? port_read(a, &a->port[n], (off - AHCI_PORT_BASE) % AHCI_PORT_STRIDE)
			       : 0;
	}
	switch (off) {
	case AHCI_CAP:
		return AHCI_CAP_S64A | (a->sss ? AHCI_CAP_SSS : 0) | 31u << 8 | (SIM_AHCI_PORTS - 1);
	case AHCI_GHC: return a->ghc;
	case AHCI_IS: return a->is;
	case AHCI_PI: return a->pi;
	case AHCI_VS: return 0x00010000u;
	case AHCI_CAP2: return a->cap2;
	case AHCI_BOHC:
		if (a->bios_busy && (a->bohc & AHCI_BOHC_OOS) && --a->bios_busy == 0)
			a->bohc &= ~(AHCI_BOHC_BOS | AHCI_BOHC_BB);
		return a->bohc;
	default: return 0;
	}
}

static void ahci_write(struct hwsim_dev *d, int bar, uint32_t off, uint32_t v, unsigned size)
{
	struct sim_ahci *a = d->model;

	(void)bar;
	(void)size;
	if (off >= AHCI_PORT_BASE) {
		unsigned n = (off - AHCI_PORT_BASE) / AHCI_PORT_STRIDE;
		if (n < SIM_AHCI_PORTS)
			port_write(a, n, (off - AHCI_PORT_BASE) % AHCI_PORT_STRIDE, v);
		return;
	}
	if (off == AHCI_GHC) {
		a->ghc = (v & (AHCI_GHC_IE | AHCI_GHC_AE)) | AHCI_GHC_AE;
	} else if (off == AHCI_IS) {
		/* A latch of the ports' status (AHCI 1.3.1, 3.1.3; QEMU's
		 * ahci_check_irq): cleared, a bit comes back while its port
		 * still has an enabled interrupt status bit set. */
		a->is &= ~v;
		for (unsigned n = 0; n < SIM_AHCI_PORTS; n++)
			if (a->port[n].is & a->port[n].ie)
				a->is |= 1u << n;
	} else if (off == AHCI_BOHC) {
		a->bohc = (a->bohc & ~AHCI_BOHC_OOS) | (v & AHCI_BOHC_OOS);
		if ((v & AHCI_BOHC_OOS) && !a->bios_busy)
			a->bohc &= ~AHCI_BOHC_BOS;
	}
}

static const struct hwsim_ops ahci_ops = { ahci_read, ahci_write };

struct sim_ahci *sim_ahci_add(uint8_t slot, uint32_t abar, const enum sim_port_kind *kinds,
			      uint64_t sectors)
{
	struct sim_ahci *a = calloc(1, sizeof *a);

	a->dev = hwsim_add(0, slot, 0, 0x8086, 0x2922,
			   PCI_CLASS_CODE(PCI_CLASS_STORAGE, PCI_SUBCLASS_SATA, PCI_PROG_IF_AHCI));
	a->dev->ops = &ahci_ops;
	a->dev->model = a;
	hwsim_bar(a->dev, AHCI_ABAR, HWSIM_MEM32, abar, 4096);
	hwsim_msi(a->dev, 1);
	for (unsigned n = 0; n < SIM_AHCI_PORTS; n++) {
		struct sim_port *p = &a->port[n];
		p->kind = kinds[n];
		p->tfd = SIM_ATA_READY;
		/* as firmware leaves it: engines running on its own lists */
		p->cmd = PORT_CMD_ST | PORT_CMD_CR | PORT_CMD_FRE | PORT_CMD_FR;
		p->clb = 0x7000;
		a->pi |= 1u << n;
		simdisk_init(&p->disk, p->kind == SIM_PORT_ATA ? sectors : 1);
	}
	return a;
}

void sim_ahci_free(struct sim_ahci *a)
{
	for (unsigned n = 0; n < SIM_AHCI_PORTS; n++)
		simdisk_free(&a->port[n].disk);
	free(a);
}

