/*
 * nvme.c - NVM Express controllers (PCI class 01.08.02), namespace 1 as
 * one disk: an admin queue pair polled at probe, one I/O queue pair, and
 * MSI-X for its completions (polled when there is none).
 *
 * BAR0 is a 64-bit BAR, and under OVMF with QEMU's default CPU it lands
 * far above 4 GiB, beyond 32-bit paging: such a controller is reported
 * and skipped (pci_map_bar says where it is). Moving the BAR below 4 GiB
 * would need to know which addresses the host bridge forwards to that
 * bus, and only ACPI's _CRS (AML) says so; on real PCs an NVMe drive sits
 * behind a root port whose non-prefetchable window is below 4 GiB anyway.
 *
 * Bring-up (NVMe 1.4, 7.6.1): disable and wait for RDY=0, admin queues,
 * enable and wait for RDY=1 (CAP.TO bounds both), Identify controller and
 * namespace 1, Number of Queues, Create I/O CQ, then I/O SQ (the CQ must
 * exist first). A timed-out request resets the controller the same way.
 *
 * Requests: NVME_SLOTS slots, the command ID is the slot, each slot owns
 * a PRP list of BLK_REQ_MAX_PAGES entries in one DMA page. A request
 * finding no free slot waits in a FIFO.
 *
 * Context: probe at boot; submit from blk.c (task, boot, a retry in the
 * interrupt); nvme_irq in the interrupt; polls from blk.c. Interrupts are
 * off in all of them. Lines name the controller ("nvme0: ...") or the
 * disk ("nvme0n1: ...").
 */
#include "drivers/nvme_hw.h"

#include <arch/mmio.h>
#include <errnum.h>

#include "core/blk/blk.h"
#include "core/log.h"
#include "drivers/dma.h"
#include "drivers/pci.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define NVME_MAX_UNITS 4
#define NVME_ADMIN_QSIZE 16  /* admin commands are few, and polled */
#define NVME_IO_QSIZE 64
#define NVME_SLOTS 16        /* I/O commands in flight (< NVME_IO_QSIZE) */
#define NVME_PAGE_SHIFT 12   /* our memory page: CC.MPS = 0 */
#define NVME_ADMIN_MS 5000   /* a polled admin command */
#define NVME_TO_MIN_MS 500   /* when CAP.TO says 0: one of its units */
#define NVME_MODEL_MAX 41
#define NVME_PRP_LIST_BYTES (BLK_REQ_MAX_PAGES * 8)
#define NVME_NSID 1
#define NVME_BAR_MAX_BYTES (64u * 1024) /* mapped of BAR0: registers and doorbells */

_Static_assert(NVME_SLOTS < NVME_IO_QSIZE, "a full queue keeps one entry empty");
_Static_assert(NVME_SLOTS * NVME_PRP_LIST_BYTES <= 4096, "the PRP lists fit one page");

/* The DMA pages of a controller, one each. */
enum nvme_page { PG_ASQ, PG_ACQ, PG_IOSQ, PG_IOCQ, PG_PRP, PG_IDENTIFY, NVME_PAGES };

struct nvme_queue {
	volatile void *entries;
	uint32_t size, head, tail;
	uint16_t phase; /* what a new completion's P bit reads this lap */
	uint16_t qid;
};

struct nvme {
	struct blk_dev dev; /* namespace 1 */
	struct pci_dev *pci;
	char name[16];      /* "nvme0" */
	volatile uint32_t *regs;
	uint32_t regs_len;
	uint64_t cap;
	uint32_t stride;    /* doorbell stride in bytes */
	uint32_t timeout_ms;
	pfn_t page[NVME_PAGES];
	struct nvme_queue asq, acq, iosq, iocq;
	uint16_t admin_cid;
	int msix;
	struct blk_req *slot[NVME_SLOTS];
	struct blk_queue waiting; /* requests waiting for a slot */
	char model[NVME_MODEL_MAX];
};

static struct nvme units[NVME_MAX_UNITS];
static unsigned nunits;

static uint32_t rd(const struct nvme *n, uint32_t reg)
{
	return mmio_read32(&n->regs[reg / 4]);
}

static void wr(struct nvme *n, uint32_t reg, uint32_t v)
{
	mmio_write32(&n->regs[reg / 4], v);
}

/* A 64-bit register as two dword accesses, low first (NVMe 1.4, 3.1:
 * a 32-bit host may access 64-bit registers that way). */
static void wr64(struct nvme *n, uint32_t reg, uint64_t v)
{
	wr(n, reg, (uint32_t)v);
	wr(n, reg + 4, (uint32_t)(v >> 32));
}

static uint64_t rd64(const struct nvme *n, uint32_t reg)
{
	return rd(n, reg) | (uint64_t)rd(n, reg + 4) << 32;
}

static void doorbell(struct nvme *n, uint16_t qid, int cq, uint32_t v)
{
	wr(n, NVME_REG_DBS + (2u * qid + (cq ? 1 : 0)) * n->stride, v);
}

/* ------------------------------------------------------------ queues */

static void queue_init(struct nvme *n, struct nvme_queue *q, enum nvme_page pg, uint32_t size,
		       uint16_t qid)
{
	q->entries = dma_virt(n->page[pg]);
	memset((void *)q->entries, 0, PGSIZE);
	q->size = size;
	q->head = q->tail = 0;
	q->phase = 1; /* the controller writes P=1 on its first lap */
	q->qid = qid;
}

/* Put e at the SQ's tail and ring its doorbell. */
static void sq_push(struct nvme *n, struct nvme_queue *q, const struct nvme_sqe *e)
{
	volatile struct nvme_sqe *slot = (volatile struct nvme_sqe *)q->entries + q->tail;

	*slot = *e;
	q->tail = (q->tail + 1) % q->size;
	doorbell(n, q->qid, 0, q->tail);
}

/* The next completion of q, or NULL; nvme_cq_pop consumes it. */
static volatile struct nvme_cqe *cq_peek(struct nvme_queue *q)
{
	volatile struct nvme_cqe *e = (volatile struct nvme_cqe *)q->entries + q->head;

	if ((e->status & NVME_CQE_PHASE) != q->phase)
		return 0;
	__asm__ volatile("" ::: "memory"); /* the phase before the rest */
	return e;
}

static void cq_pop(struct nvme *n, struct nvme_queue *q)
{
	if (++q->head == q->size) {
		q->head = 0;
		q->phase ^= 1;
	}
	doorbell(n, q->qid, 1, q->head);
}

/* One admin command, polled: 0, or -EIO (the status) / -ETIMEDOUT. */
static int admin(struct nvme *n, struct nvme_sqe *e, const char *what)
{
	e->cid = ++n->admin_cid;
	sq_push(n, &n->asq, e);
	for (uint64_t end = blk_deadline(NVME_ADMIN_MS); !blk_expired(end);) {
		volatile struct nvme_cqe *c = cq_peek(&n->acq);
		if (!c)
			continue;
		uint16_t st = c->status, cid = c->cid;
		cq_pop(n, &n->acq);
		if (cid != e->cid)
			continue; /* a stale completion */
		if (NVME_CQE_SC(st) || NVME_CQE_SCT(st)) {
			kprintf("%s: %s: status %u/0x%02x\n", n->name, what, NVME_CQE_SCT(st),
				NVME_CQE_SC(st));
			return -EIO;
		}
		return 0;
	}
	kprintf("%s: %s: no answer in %u ms\n", n->name, what, NVME_ADMIN_MS);
	return -ETIMEDOUT;
}

/* ------------------------------------------------------- controller */

/* Wait until CSTS.RDY is want; CAP.TO bounds it, and CFS ends it. */
static int wait_ready(struct nvme *n, uint32_t want)
{
	for (uint64_t end = blk_deadline(n->timeout_ms);;) {
		uint32_t csts = rd(n, NVME_REG_CSTS);
		if (csts == 0xFFFFFFFFu || (want && (csts & NVME_CSTS_CFS)))
			return -EIO;
		if ((csts & NVME_CSTS_RDY) == want)
			return 0;
		if (blk_expired(end))
			return -ETIMEDOUT;
	}
}

static int disable(struct nvme *n)
{
	wr(n, NVME_REG_CC, rd(n, NVME_REG_CC) & ~NVME_CC_EN);
	return wait_ready(n, 0);
}

/* Admin queues in place, then enable. Why not, or NULL. */
static const char *enable(struct nvme *n)
{
	if (disable(n))
		return "it does not stop (CSTS.RDY stays 1)";
	queue_init(n, &n->asq, PG_ASQ, NVME_ADMIN_QSIZE, 0);
	queue_init(n, &n->acq, PG_ACQ, NVME_ADMIN_QSIZE, 0);
	wr(n, NVME_REG_AQA, NVME_AQA(NVME_ADMIN_QSIZE, NVME_ADMIN_QSIZE));
	wr64(n, NVME_REG_ASQ, dma_addr(n->page[PG_ASQ]));
	wr64(n, NVME_REG_ACQ, dma_addr(n->page[PG_ACQ]));
	wr(n, NVME_REG_CC,
	   NVME_CC_EN | NVME_CC_CSS_NVM | NVME_CC_MPS(NVME_PAGE_SHIFT) | NVME_CC_AMS_RR |
		   NVME_CC_IOSQES(NVME_SQE_SIZE_SHIFT) | NVME_CC_IOCQES(NVME_CQE_SIZE_SHIFT));
	int err = wait_ready(n, NVME_CSTS_RDY);
	if (err)
		return err == -EIO ? "it reports a fatal status (CSTS.CFS)" : "it does not start";
	return 0;
}

/* Number of Queues, then the I/O CQ and SQ. Why not, or NULL. */
static const char *io_queues(struct nvme *n)
{
	struct nvme_sqe e;

	memset(&e, 0, sizeof e);
	e.opcode = NVME_ADMIN_SET_FEATURES;
	e.cdw10 = NVME_FEAT_NUM_QUEUES;
	e.cdw11 = 0; /* one SQ and one CQ (0-based) */
	if (admin(n, &e, "Set Features (Number of Queues)"))
		return "Set Features failed";
	queue_init(n, &n->iocq, PG_IOCQ, NVME_IO_QSIZE, 1);
	queue_init(n, &n->iosq, PG_IOSQ, NVME_IO_QSIZE, 1);
	memset(&e, 0, sizeof e);
	e.opcode = NVME_ADMIN_CREATE_CQ;
	e.prp1 = dma_addr(n->page[PG_IOCQ]);
	e.cdw10 = NVME_QUEUE_SIZE_QID(NVME_IO_QSIZE, 1);
	e.cdw11 = NVME_QUEUE_PC | (n->msix ? NVME_CQ_IEN | NVME_CQ_IV(0) : 0);
	if (admin(n, &e, "Create I/O Completion Queue"))
		return "Create I/O Completion Queue failed";
	memset(&e, 0, sizeof e);
	e.opcode = NVME_ADMIN_CREATE_SQ;
	e.prp1 = dma_addr(n->page[PG_IOSQ]);
	e.cdw10 = NVME_QUEUE_SIZE_QID(NVME_IO_QSIZE, 1);
	e.cdw11 = NVME_SQ_CQID(1) | NVME_QUEUE_PC;
	if (admin(n, &e, "Create I/O Submission Queue"))
		return "Create I/O Submission Queue failed";
	return 0;
}

/* ---------------------------------------------------------- requests */

static int free_slot(const struct nvme *n)
{
	for (unsigned s = 0; s < NVME_SLOTS; s++)
		if (!n->slot[s])
			return (int)s;
	return -1;
}

/* PRP1 is the first byte; PRP2 the second page, or a list of the pages
 * after the first when there are more than two (NVMe 1.4, 4.3). */
static void slot_start(struct nvme *n, unsigned s, struct blk_req *r)
{
	uint32_t bytes = r->count * n->dev.sector_size;
	uint32_t pages = (r->offset + bytes + PGSIZE - 1) / PGSIZE;
	volatile uint64_t *list = (volatile uint64_t *)((uint8_t *)dma_virt(n->page[PG_PRP]) +
							 s * NVME_PRP_LIST_BYTES);
	struct nvme_sqe e;

	n->slot[s] = r;
	memset(&e, 0, sizeof e);
	e.opcode = r->op == BLK_READ ? NVME_CMD_READ : NVME_CMD_WRITE;
	e.cid = (uint16_t)s;
	e.nsid = NVME_NSID;
	e.prp1 = PFN_TO_PADDR(r->pages[0]) + r->offset;
	if (pages == 2) {
		e.prp2 = PFN_TO_PADDR(r->pages[1]);
	} else if (pages > 2) {
		for (uint32_t i = 1; i < pages; i++)
			list[i - 1] = PFN_TO_PADDR(r->pages[i]);
		e.prp2 = dma_addr(n->page[PG_PRP]) + s * NVME_PRP_LIST_BYTES;
	}
	e.cdw10 = (uint32_t)r->lba;
	e.cdw11 = (uint32_t)(r->lba >> 32);
	e.cdw12 = r->count - 1; /* 0-based */
	sq_push(n, &n->iosq, &e);
}

static int nvme_submit(struct blk_dev *d, struct blk_req *r)
{
	struct nvme *n = d->priv;
	int s = free_slot(n);

	if (s >= 0) {
		slot_start(n, (unsigned)s, r);
		return 0;
	}
	blk_queue_push(&n->waiting, r);
	return 0;
}

static const char *status_name(uint16_t st)
{
	if (NVME_CQE_SCT(st) == NVME_SCT_MEDIA && NVME_CQE_SC(st) == 0x81)
		return "unrecovered read error";
	if (NVME_CQE_SCT(st) == NVME_SCT_MEDIA && NVME_CQE_SC(st) == 0x80)
		return "write fault";
	if (NVME_CQE_SCT(st) == NVME_SCT_GENERIC && NVME_CQE_SC(st) == 0x80)
		return "LBA out of range";
	return "error";
}

/* Finish the I/O completions there are, then start waiting requests. */
static int reap(struct nvme *n)
{
	volatile struct nvme_cqe *c;
	int any = 0;

	while ((c = cq_peek(&n->iocq))) {
		uint16_t st = c->status, cid = c->cid;
		n->iosq.head = c->sq_head;
		cq_pop(n, &n->iocq); /* the entry is the controller's again */
		struct blk_req *r = cid < NVME_SLOTS ? n->slot[cid] : 0;
		if (!r) {
			kprintf("%s: completion for command %u, which is not ours: ignored\n",
				n->dev.name, cid);
			continue;
		}
		n->slot[cid] = 0;
		any = 1;
		int bad = NVME_CQE_SC(st) || NVME_CQE_SCT(st);
		if (bad)
			kprintf("%s: %s of %u sectors at %llu: status %u/0x%02x (%s)\n", n->dev.name,
				r->op == BLK_READ ? "read" : "write", r->count,
				(unsigned long long)r->lba, NVME_CQE_SCT(st), NVME_CQE_SC(st),
				status_name(st));
		blk_complete(r, bad ? -EIO : 0);
	}
	int s;
	while (n->waiting.head && (s = free_slot(n)) >= 0)
		slot_start(n, (unsigned)s, blk_queue_pop(&n->waiting));
	return any;
}

static void nvme_poll(struct blk_dev *d)
{
	reap(d->priv);
}

/* MSI-X entry 0: the I/O CQ's vector, ours alone. */
static int nvme_irq(void *ctx)
{
	reap(ctx);
	return IRQ_HANDLED;
}

/* No completion for BLK_TIMEOUT_MS: disable the controller (which stops
 * its DMA and drops its queues), end what it held, bring it up again. */
static int nvme_reset(struct blk_dev *d)
{
	struct nvme *n = d->priv;
	int err = disable(n);

	if (err) {
		pci_set_master(n->pci, 0);
		kprintf("%s: the controller does not stop: bus mastering off\n", n->name);
	}
	for (unsigned s = 0; s < NVME_SLOTS; s++) {
		struct blk_req *r = n->slot[s];
		n->slot[s] = 0;
		if (r)
			blk_complete(r, -ETIMEDOUT);
	}
	for (struct blk_req *r; (r = blk_queue_pop(&n->waiting));)
		blk_complete(r, -ETIMEDOUT);
	if (err)
		return err;
	const char *why = enable(n);
	if (!why)
		why = io_queues(n);
	if (why) {
		kprintf("%s: after the reset: %s\n", n->name, why);
		return -EIO;
	}
	return 0;
}

static const struct blk_ops nvme_ops = { nvme_submit, nvme_poll, nvme_reset };

/* ------------------------------------------------------------- probe */

static void teardown(struct nvme *n)
{
	if (n->regs)
		disable(n);
	pci_set_master(n->pci, 0);
	pci_irq_teardown(n->pci);
	for (int i = NVME_PAGES - 1; i >= 0; i--)
		dma_free_pages(n->page[i], 1);
	pci_unmap_bar(n->pci, NVME_BAR, (void *)n->regs, n->regs_len);
}

static int fail(struct nvme *n, const char *why)
{
	kprintf("%s: NVMe %s: %s: skipped\n", n->name, n->pci->addr, why);
	if (!n->pci->note[0])
		fmt_snprintf(n->pci->note, sizeof n->pci->note, "%s: skipped: %s", n->name, why);
	teardown(n);
	return -EIO;
}

static void ascii(const uint8_t *src, unsigned len, char *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < len; i++)
		out[n++] = src[i] >= 0x20 && src[i] < 0x7F ? (char)src[i] : '?';
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = 0;
}

/* Identify the controller and namespace 1. Why not usable, or NULL. */
static const char *identify(struct nvme *n)
{
	const uint8_t *id = dma_virt(n->page[PG_IDENTIFY]);
	struct nvme_sqe e;
	uint32_t nn, lbaf;
	uint64_t nsze;

	memset(&e, 0, sizeof e);
	e.opcode = NVME_ADMIN_IDENTIFY;
	e.prp1 = dma_addr(n->page[PG_IDENTIFY]);
	e.cdw10 = NVME_CNS_CONTROLLER;
	if (admin(n, &e, "Identify Controller"))
		return "Identify Controller failed";
	ascii(id + NVME_ID_CTRL_MN, 40, n->model);
	uint8_t mdts = id[NVME_ID_CTRL_MDTS];
	memcpy(&nn, id + NVME_ID_CTRL_NN, sizeof nn);
	uint32_t min_page = 1u << (12 + NVME_CAP_MPSMIN(n->cap));
	if (mdts && ((uint64_t)min_page << mdts) < (uint64_t)BLK_REQ_MAX_PAGES * PGSIZE)
		return "its largest transfer is under 64 KiB (MDTS)";
	if (nn < NVME_NSID)
		return "no namespace";
	memset(&e, 0, sizeof e);
	e.opcode = NVME_ADMIN_IDENTIFY;
	e.nsid = NVME_NSID;
	e.prp1 = dma_addr(n->page[PG_IDENTIFY]);
	e.cdw10 = NVME_CNS_NAMESPACE;
	if (admin(n, &e, "Identify Namespace 1"))
		return "Identify Namespace failed";
	memcpy(&nsze, id + NVME_ID_NS_NSZE, sizeof nsze);
	memcpy(&lbaf, id + NVME_ID_NS_LBAF + 4 * (id[NVME_ID_NS_FLBAS] & 0xF), sizeof lbaf);
	if (!nsze)
		return "namespace 1 is not active";
	uint32_t lbads = NVME_LBAF_LBADS(lbaf);
	if (lbads != 9 && lbads != 12)
		return "blocks of neither 512 nor 4096 bytes";
	n->dev.sectors = nsze;
	n->dev.sector_size = 1u << lbads;
	return 0;
}

static int nvme_probe(struct pci_dev *pci)
{
	char irq[32];

	if (nunits == NVME_MAX_UNITS)
		return -ENODEV;
	struct nvme *n = &units[nunits];
	memset(n, 0, sizeof *n);
	n->pci = pci;
	fmt_snprintf(n->name, sizeof n->name, "nvme%u", nunits);
	fmt_snprintf(n->dev.name, sizeof n->dev.name, "nvme%un%u", nunits, NVME_NSID);
	/* The whole BAR: registers and doorbells (at most a few pages; an
	 * absurd size is refused by pci_map_bar's window). */
	n->regs_len = pci->bar[NVME_BAR].size <= NVME_BAR_MAX_BYTES
			      ? (uint32_t)pci->bar[NVME_BAR].size
			      : NVME_BAR_MAX_BYTES;
	n->regs = pci_map_bar(pci, NVME_BAR, 0, n->regs_len, n->name);
	if (!n->regs)
		return fail(n, "its registers are out of reach");
	pci_enable(pci);
	n->cap = rd64(n, NVME_REG_CAP);
	if (n->cap == ~0ull)
		return fail(n, "the registers do not answer");
	n->stride = 4u << NVME_CAP_DSTRD(n->cap);
	n->timeout_ms = NVME_CAP_TO_MS(n->cap);
	if (!n->timeout_ms)
		n->timeout_ms = NVME_TO_MIN_MS;
	if (NVME_REG_DBS + 4 * n->stride > n->regs_len)
		return fail(n, "BAR0 is too small for its doorbells");
	if (!(n->cap & NVME_CAP_CSS_NVM) || NVME_CAP_MPSMIN(n->cap) > 0)
		return fail(n, "no NVM command set with 4 KiB pages");
	if (NVME_CAP_MQES(n->cap) < NVME_IO_QSIZE)
		return fail(n, "queues shorter than we use");
	for (int i = 0; i < NVME_PAGES; i++)
		if (!(n->page[i] = dma_alloc_pages(1)))
			return fail(n, "no DMA memory below 4 GiB");
	pci_set_master(pci, 1);
	n->msix = pci_irq_setup(pci, nvme_irq, n) >= 0 && pci->irq_mode == PCI_IRQ_MSIX;
	if (!n->msix)
		pci_irq_teardown(pci);
	const char *why = enable(n);
	if (!why)
		why = identify(n);
	if (!why)
		why = io_queues(n);
	if (why)
		return fail(n, why);
	n->dev.ops = &nvme_ops;
	n->dev.priv = n;
	n->dev.flags = n->msix ? 0 : BLK_POLLED;
	nunits++;
	uint32_t vs = rd(n, NVME_REG_VS);
	log_normal("%s: NVMe %u.%u %s: '%s'\n", n->name, vs >> 16, (vs >> 8) & 0xFF, pci->addr,
		   n->model);
	blk_register(&n->dev);
	log_normal("%s: namespace %u: %llu blocks of %u bytes (%llu MiB), %s\n", n->dev.name,
		   NVME_NSID, (unsigned long long)n->dev.sectors, n->dev.sector_size,
		   (unsigned long long)(n->dev.sectors * n->dev.sector_size >> 20),
		   n->msix ? pci_irq_name(pci, irq, sizeof irq) : "polled");
	fmt_snprintf(pci->note, sizeof pci->note, "%s, %llu MiB", n->dev.name,
		     (unsigned long long)(n->dev.sectors * n->dev.sector_size >> 20));
	return 0;
}

const struct pci_driver nvme_driver = { "nvme", PCI_ANY, PCI_ANY,
					PCI_CLASS_CODE(PCI_CLASS_STORAGE, PCI_SUBCLASS_NVM,
						       PCI_PROG_IF_NVME),
					nvme_probe };
