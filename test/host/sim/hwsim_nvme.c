/*
 * hwsim_nvme.c - a simulated NVMe 1.4 controller: admin and one I/O queue
 * pair, namespace 1, PRPs, MSI-X (hwsim_disks.h).
 */
#include "hwsim_disks.h"

#include <stdlib.h>
#include <string.h>

#include "drivers/nvme_hw.h"
#include "drivers/pci.h"

/* ============================================================== NVMe */

#define SIM_NVME_BAR_BYTES 0x4000
#define SIM_NVME_MSIX_OFF 0x2000
#define SIM_NVME_MQES 0x7FF
#define SIM_NVME_MDTS 5 /* 128 KiB */

static void nvme_post(struct sim_nvme *n, unsigned cqid, uint16_t sqid, uint16_t cid,
		      uint16_t status, uint32_t result)
{
	struct sim_nvme_q *cq = &n->cq[cqid];
	struct nvme_cqe e = { result, 0, (uint16_t)n->sq[sqid].head, sqid, cid,
			      (uint16_t)(status << 1 | (uint16_t)cq->phase) };

	memcpy(hwsim_dma(cq->addr + 16u * cq->tail, 16), &e, 16);
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
	if (cq->ien)
		hwsim_interrupt(n->dev);
}

#define NVME_STATUS(sct, sc) ((uint16_t)((sct) << 8 | (sc)))

/* The PRP entries of a transfer of bytes from prp1 (NVMe 1.4, 4.3). */
static int nvme_data(struct sim_nvme *n, const struct nvme_sqe *e, int write, uint64_t lba,
		     uint32_t count)
{
	uint32_t bytes = count * SIMDISK_SECTOR, first = 4096 - (uint32_t)(e->prp1 & 0xFFF);
	uint64_t at = 0;

	if (first > bytes)
		first = bytes;
	if (simdisk_io(&n->disk, write, lba, count, e->prp1, 0, first))
		return -1;
	at = first;
	uint32_t pages = (bytes - first + 4095) / 4096;
	for (uint32_t i = 0; i < pages; i++) {
		uint64_t pa = pages == 1 ? e->prp2 : 0;
		if (pages > 1)
			memcpy(&pa, hwsim_dma(e->prp2 + 8 * i, 8), 8);
		if (pa & 0xFFF)
			n->disk.violations++; /* PRP list entries have no offset */
		uint32_t len = bytes - at < 4096 ? (uint32_t)(bytes - at) : 4096;
		if (simdisk_io(&n->disk, write, lba, count, pa, at, len))
			return -1;
		at += len;
	}
	return 0;
}

static void nvme_admin(struct sim_nvme *n, const struct nvme_sqe *e)
{
	uint16_t st = 0;
	uint32_t result = 0;

	if (e->opcode == NVME_ADMIN_IDENTIFY) {
		uint8_t *id = hwsim_dma(e->prp1, 4096);
		memset(id, 0, 4096);
		if ((e->cdw10 & 0xFF) == NVME_CNS_CONTROLLER) {
			memcpy(id + NVME_ID_CTRL_MN, "SIM NVMe", 8);
			memset(id + NVME_ID_CTRL_MN + 8, ' ', 32);
			id[NVME_ID_CTRL_MDTS] = SIM_NVME_MDTS;
			uint32_t nn = 1;
			memcpy(id + NVME_ID_CTRL_NN, &nn, 4);
		} else if (e->nsid == 1) {
			memcpy(id + NVME_ID_NS_NSZE, &n->disk.sectors, 8);
			uint32_t lbaf = 9u << 16;
			memcpy(id + NVME_ID_NS_LBAF, &lbaf, 4);
		}
	} else if (e->opcode == NVME_ADMIN_SET_FEATURES) {
		result = 0; /* one SQ, one CQ */
	} else if (e->opcode == NVME_ADMIN_CREATE_CQ || e->opcode == NVME_ADMIN_CREATE_SQ) {
		unsigned qid = e->cdw10 & 0xFFFF, size = (e->cdw10 >> 16) + 1;
		int cq = e->opcode == NVME_ADMIN_CREATE_CQ;
		if (qid != 1 || size > SIM_NVME_MQES + 1) {
			st = NVME_STATUS(1, 1); /* invalid queue identifier */
		} else if (!cq && !n->cq[1].exists) {
			st = NVME_STATUS(1, 0); /* completion queue invalid */
			n->disk.violations++;
		} else {
			struct sim_nvme_q *q = cq ? &n->cq[1] : &n->sq[1];
			*q = (struct sim_nvme_q){ e->prp1, size, 0, 0, 1, 1,
						  cq && (e->cdw11 & NVME_CQ_IEN), 1 };
		}
	} else {
		st = NVME_STATUS(0, 1); /* invalid opcode */
	}
	nvme_post(n, 0, 0, e->cid, st, result);
}

static void nvme_io(struct sim_nvme *n, const struct nvme_sqe *e)
{
	uint64_t lba = e->cdw10 | (uint64_t)e->cdw11 << 32;
	uint32_t count = (e->cdw12 & 0xFFFF) + 1;
	uint16_t st = 0;

	n->disk.commands++;
	if (e->opcode == NVME_CMD_READ || e->opcode == NVME_CMD_WRITE) {
		int write = e->opcode == NVME_CMD_WRITE;
		if (lba + count > n->disk.sectors)
			st = NVME_STATUS(0, 0x80);
		else if (nvme_data(n, e, write, lba, count))
			st = NVME_STATUS(2, write ? 0x80 : 0x81);
	} else {
		st = NVME_STATUS(0, 1);
	}
	nvme_post(n, 1, 1, e->cid, st, 0);
}

static void nvme_doorbell_sq(struct sim_nvme *n, unsigned qid, uint32_t tail)
{
	struct sim_nvme_q *sq = &n->sq[qid];

	sq->tail = tail;
	if (!(n->csts & NVME_CSTS_RDY) || !sq->exists)
		return;
	while (sq->head != sq->tail) {
		if (qid == 1 && n->disk.hang)
			return;
		struct nvme_sqe e;
		memcpy(&e, hwsim_dma(sq->addr + 64u * sq->head, 64), 64);
		sq->head = (sq->head + 1) % sq->size;
		if (qid == 0)
			nvme_admin(n, &e);
		else
			nvme_io(n, &e);
	}
}

static void nvme_cc(struct sim_nvme *n, uint32_t cc)
{
	int was = n->cc & NVME_CC_EN;

	n->cc = cc;
	if ((cc & NVME_CC_EN) && !was) {
		n->sq[0] = (struct sim_nvme_q){ n->asq, (n->aqa & 0xFFF) + 1, 0, 0, 1, 1, 0, 0 };
		n->cq[0] = (struct sim_nvme_q){ n->acq, ((n->aqa >> 16) & 0xFFF) + 1, 0, 0, 1, 1, 0, 0 };
		n->csts = NVME_CSTS_RDY;
	} else if (!(cc & NVME_CC_EN) && was) {
		memset(n->sq, 0, sizeof n->sq);
		memset(n->cq, 0, sizeof n->cq);
		n->csts = 0;
		n->disk.resets++;
	}
}

static uint32_t nvme_read(struct hwsim_dev *d, int bar, uint32_t off, unsigned size)
{
	struct sim_nvme *n = d->model;
	uint64_t cap = SIM_NVME_MQES | NVME_CAP_CQR | 1ull << 24 | NVME_CAP_CSS_NVM;

	(void)bar;
	(void)size;
	switch (off) {
	case NVME_REG_CAP: return (uint32_t)cap;
	case NVME_REG_CAP + 4: return (uint32_t)(cap >> 32);
	case NVME_REG_VS: return 0x00010400u;
	case NVME_REG_CC: return n->cc;
	case NVME_REG_CSTS: return n->csts;
	case NVME_REG_AQA: return n->aqa;
	default: return 0;
	}
}

static void nvme_write(struct hwsim_dev *d, int bar, uint32_t off, uint32_t v, unsigned size)
{
	struct sim_nvme *n = d->model;

	(void)bar;
	(void)size;
	switch (off) {
	case NVME_REG_CC: nvme_cc(n, v); return;
	case NVME_REG_AQA: n->aqa = v; return;
	case NVME_REG_ASQ: n->asq = (n->asq & ~0xFFFFFFFFull) | v; return;
	case NVME_REG_ASQ + 4: n->asq = (n->asq & 0xFFFFFFFFull) | (uint64_t)v << 32; return;
	case NVME_REG_ACQ: n->acq = (n->acq & ~0xFFFFFFFFull) | v; return;
	case NVME_REG_ACQ + 4: n->acq = (n->acq & 0xFFFFFFFFull) | (uint64_t)v << 32; return;
	default: break;
	}
	if (off >= NVME_REG_DBS && off < NVME_REG_DBS + 16) {
		unsigned db = (off - NVME_REG_DBS) / 4, qid = db / 2;
		if (db % 2 == 0)
			nvme_doorbell_sq(n, qid, v);
		else
			n->cq[qid].head = v;
	}
}

static const struct hwsim_ops nvme_ops = { nvme_read, nvme_write };

struct sim_nvme *sim_nvme_add(uint8_t slot, uint64_t bar0, uint64_t sectors)
{
	struct sim_nvme *n = calloc(1, sizeof *n);

	n->dev = hwsim_add(0, slot, 0, 0x1B36, 0x0010,
			   PCI_CLASS_CODE(PCI_CLASS_STORAGE, PCI_SUBCLASS_NVM, PCI_PROG_IF_NVME));
	n->dev->ops = &nvme_ops;
	n->dev->model = n;
	hwsim_bar(n->dev, NVME_BAR, HWSIM_MEM64, bar0, SIM_NVME_BAR_BYTES);
	hwsim_msix(n->dev, NVME_BAR, SIM_NVME_MSIX_OFF);
	simdisk_init(&n->disk, sectors);
	return n;
}

void sim_nvme_free(struct sim_nvme *n)
{
	simdisk_free(&n->disk);
	free(n);
}
