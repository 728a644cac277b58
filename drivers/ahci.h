/*
 * ahci.h - the AHCI driver's own state, shared by its two files:
 * ahci.c (the controller: probe, BIOS handoff, interrupt) and
 * ahci_port.c (a port and its disk: engines, commands, recovery).
 * Not an interface: the block layer sees each disk as a struct blk_dev.
 */
#ifndef DRIVERS_AHCI_H
#define DRIVERS_AHCI_H

#include <arch/mmio.h>
#include <arch/mmu.h>
#include <stdint.h>

#include "core/blk/blk.h"
#include "drivers/ahci_hw.h"
#include "drivers/pci.h"

#define AHCI_MAX_CTRLS 4
#define AHCI_MAX_DISKS 8 /* over all controllers */
#define AHCI_MODEL_MAX 41

/* Bounds, each with its reason. */
#define AHCI_ENGINE_MS 500    /* ST->CR and FRE->FR: the spec's 500 ms (10.1.2) */
#define AHCI_HANDOFF_MS 25    /* BIOS gives up ownership: 25 ms (10.6.3) */
#define AHCI_BIOS_BUSY_MS 2000 /* ... or up to 2 s while it ends a command */
#define AHCI_COMRESET_US 1000 /* DET=1 held at least 1 ms (SATA: COMRESET) */
#define AHCI_LINK_MS 1000     /* the link is back up after a COMRESET */
#define AHCI_READY_MS 5000    /* BSY clears: a disk spinning up from standby */
#define AHCI_CMD_MS 5000      /* a polled command at probe (IDENTIFY) */

/* The one DMA page of a port, by offset: each piece at its alignment. */
#define AHCI_MEM_CL 0x000   /* command list, 1 KiB-aligned */
#define AHCI_MEM_FIS 0x400  /* received FIS, 256-byte aligned */
#define AHCI_MEM_CT 0x500   /* slot 0's command table, 128-byte aligned */
#define AHCI_MEM_ID 0x800   /* IDENTIFY data, 512 bytes */
#define AHCI_CT_BYTES (AHCI_CT_PRDT + BLK_REQ_MAX_PAGES * 16)
_Static_assert(AHCI_MEM_CL % 1024 == 0 && AHCI_MEM_FIS % 256 == 0 && AHCI_MEM_CT % 128 == 0 &&
		       AHCI_MEM_CL + AHCI_CMD_LIST_BYTES <= AHCI_MEM_FIS &&
		       AHCI_MEM_FIS + AHCI_RX_FIS_BYTES <= AHCI_MEM_CT &&
		       AHCI_MEM_CT + AHCI_CT_BYTES <= AHCI_MEM_ID &&
		       AHCI_MEM_ID + ATA_ID_WORDS * 2 <= 4096,
	       "a port's DMA structures fit one page, each aligned as AHCI 4.2 asks");

struct ahci_ctrl;

/* A port with a disk. One command at a time, in slot 0: non-NCQ commands
 * run one after another anyway, and error recovery then has one command
 * to fail. The rest wait in a FIFO. */
struct ahci_port {
	struct blk_dev dev;
	struct ahci_ctrl *ctrl;
	volatile uint32_t *regs; /* this port's registers in the ABAR */
	unsigned num;
	pfn_t mem; /* the DMA page (AHCI_MEM_*) */
	volatile struct ahci_cmd_header *cl;
	volatile struct ahci_cmd_table *ct;
	struct blk_req *active; /* in slot 0, or NULL */
	struct blk_queue waiting;
	uint32_t expect_bytes;  /* of the active command, against PRDBC */
	char model[AHCI_MODEL_MAX];
};

struct ahci_ctrl {
	struct pci_dev *pci;
	char name[24];            /* "ahci 00:1f.2", for log lines */
	volatile uint32_t *abar;
	uint32_t abar_len;
	uint32_t cap, pi, vs;
	struct ahci_port *ports[AHCI_MAX_PORTS];
};

static inline uint32_t ahci_rd(const struct ahci_ctrl *c, uint32_t reg)
{
	return mmio_read32(&c->abar[reg / 4]);
}

static inline void ahci_wr(struct ahci_ctrl *c, uint32_t reg, uint32_t v)
{
	mmio_write32(&c->abar[reg / 4], v);
}

static inline uint32_t port_rd(const struct ahci_port *p, uint32_t reg)
{
	return mmio_read32(&p->regs[reg / 4]);
}

static inline void port_wr(struct ahci_port *p, uint32_t reg, uint32_t v)
{
	mmio_write32(&p->regs[reg / 4], v);
}

/* ahci_port.c */
/* Stop port n's engines (ST then CR, FRE then FR), whoever started them:
 * 0, or -ETIMEDOUT after a COMRESET did not help either. */
int ahci_port_quiesce(struct ahci_ctrl *c, unsigned n);
/* Set up port n of c, which has a device: memory, engines, IDENTIFY.
 * Returns its disk (not yet registered), or NULL after a line saying
 * why; then nothing of it is left. */
struct ahci_port *ahci_port_attach(struct ahci_ctrl *c, unsigned n);
/* Undo ahci_port_attach (a failed controller probe). */
void ahci_port_detach(struct ahci_port *p);
/* The port's interrupt, or a poll: finish the active command if it
 * ended, start the next. 1 if anything happened. */
int ahci_port_service(struct ahci_port *p);
/* Interrupts of the port on (PxIE), after the controller's MSI is set. */
void ahci_port_irq_on(struct ahci_port *p);

#endif
