/*
 * virtio_blk.c - virtio-blk over PCI, through the legacy (transitional)
 * interface: registers in I/O BAR0, one split virtqueue in 3 contiguous
 * pages, MSI-X for completions (polled when there is none).
 *
 * The legacy interface is used because its registers are I/O ports,
 * reachable whatever the firmware did with the memory BARs: under OVMF a
 * transitional device's modern BAR4 lands above 4 GiB, beyond 32-bit
 * paging (docs/storage.md). A modern-only device (1af4:1042, no I/O BAR)
 * is reported and skipped.
 *
 * Requests: each of VBLK_SLOTS slots owns VBLK_DESC_PER_SLOT descriptors
 * in a row (header, up to BLK_REQ_MAX_PAGES data pages, status), and a
 * header and status byte in one DMA page; a request that finds no free
 * slot waits in a FIFO until one frees. The used ring's id is the slot's
 * head descriptor, so the slot is found back by division.
 *
 * Context: probe at boot; submit from blk.c (task or boot, or a retry in
 * an interrupt); vblk_irq in the interrupt; vblk_poll from blk.c's polls.
 * Interrupts are off in all of them, so no locks. Log lines name the unit
 * ("vblk0: ...").
 */
#include "drivers/virtio_blk_hw.h"

#include <arch/io.h>
#include <errnum.h>

#include "core/blk/blk.h"
#include "core/log.h"
#include "drivers/dma.h"
#include "drivers/pci.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define VBLK_MAX_UNITS 8
#define VBLK_SLOTS 8                                  /* requests in flight */
#define VBLK_DESC_PER_SLOT (2 + BLK_REQ_MAX_PAGES)    /* header, data, status */
#define VBLK_RESET_MS 100 /* a legacy reset is done when the status reads 0 */
#define VBLK_STATUS_OFFSET 512 /* status bytes after the headers in the request page */

_Static_assert(VBLK_SLOTS * sizeof(struct virtio_blk_req_hdr) <= VBLK_STATUS_OFFSET &&
		       VBLK_STATUS_OFFSET + VBLK_SLOTS <= 4096,
	       "headers and status bytes fit one page");

struct vblk {
	struct blk_dev dev;
	struct pci_dev *pci;
	uint16_t io;              /* BAR0's first port */
	uint16_t qsize;           /* descriptors in the queue */
	unsigned nslots;          /* slots the queue holds, at most VBLK_SLOTS */
	int msix;                 /* completions interrupt (MSI-X entry 0) */
	pfn_t ring_pfn, req_pfn;  /* DMA pages: the queue; headers and status */
	uint32_t ring_pages;
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	volatile struct virtio_blk_req_hdr *hdr;
	volatile uint8_t *status;
	uint16_t last_used;       /* used entries consumed (wraps at 2^16 as idx does) */
	struct blk_req *slot[VBLK_SLOTS];
	struct blk_queue waiting;  /* requests waiting for a slot */
	uint32_t host_features, features;
};

static struct vblk units[VBLK_MAX_UNITS];
static unsigned nunits;

static uint8_t status_read(struct vblk *v)
{
	return inb(v->io + VIRTIO_PCI_STATUS);
}

static void status_set(struct vblk *v, uint8_t bits)
{
	outb(v->io + VIRTIO_PCI_STATUS, bits);
}

/* Writing 0 resets a legacy device: queue forgotten, features cleared. */
static int device_reset(struct vblk *v)
{
	status_set(v, 0);
	for (uint64_t end = blk_deadline(VBLK_RESET_MS); status_read(v);)
		if (blk_expired(end))
			return -ETIMEDOUT;
	return 0;
}

/* ------------------------------------------------------------- queue */

/* Lay the queue out in its pages (zeroed) and hand it to the device. */
static void queue_start(struct vblk *v)
{
	uint8_t *ring = dma_virt(v->ring_pfn);

	memset(ring, 0, v->ring_pages * PGSIZE);
	v->desc = (volatile struct vring_desc *)ring;
	v->avail = (volatile struct vring_avail *)(ring + 16u * v->qsize);
	v->used = (volatile struct vring_used *)(ring + VRING_USED_OFFSET(v->qsize));
	v->last_used = 0;
	outw(v->io + VIRTIO_PCI_QUEUE_SEL, 0);
	outl(v->io + VIRTIO_PCI_QUEUE_PFN, dma_addr(v->ring_pfn) >> VIRTIO_PCI_QUEUE_ADDR_SHIFT);
}

/* Point the queue's completions at MSI-X entry 0; 0 when the device took
 * it (it reads back NO_VECTOR when it could not). */
static int queue_vector(struct vblk *v)
{
	outw(v->io + VIRTIO_MSI_CONFIG_VECTOR, VIRTIO_MSI_NO_VECTOR);
	outw(v->io + VIRTIO_PCI_QUEUE_SEL, 0);
	outw(v->io + VIRTIO_MSI_QUEUE_VECTOR, 0);
	return inw(v->io + VIRTIO_MSI_QUEUE_VECTOR) == 0 ? 0 : -EIO;
}

/* The handshake after a reset (VIRTIO 1.1, 3.1.2, legacy): ACKNOWLEDGE,
 * DRIVER, features, the queue, its vector, DRIVER_OK. */
static int bring_up(struct vblk *v)
{
	status_set(v, VIRTIO_STATUS_ACKNOWLEDGE);
	status_set(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	outl(v->io + VIRTIO_PCI_GUEST_FEATURES, v->features);
	queue_start(v);
	if (v->msix && queue_vector(v))
		v->msix = 0; /* no vector for the queue: poll it */
	status_set(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	return status_read(v) & VIRTIO_STATUS_FAILED ? -EIO : 0;
}

/* ----------------------------------------------------------- requests */

/* Put r in free slot s and tell the device. */
static void slot_start(struct vblk *v, unsigned s, struct blk_req *r)
{
	uint16_t head = (uint16_t)(s * VBLK_DESC_PER_SLOT), at = head;
	uint32_t left = r->count * VIRTIO_BLK_SECTOR_SIZE, off = r->offset;
	uint16_t data_flags = r->op == BLK_READ ? VRING_DESC_F_WRITE : 0;

	v->slot[s] = r;
	v->hdr[s] = (struct virtio_blk_req_hdr){
		r->op == BLK_READ ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT, 0, r->lba
	};
	v->status[s] = 0xFF; /* the device writes 0, 1 or 2 */
	v->desc[at] = (struct vring_desc){ dma_addr(v->req_pfn) + s * sizeof v->hdr[0],
					   sizeof v->hdr[0], VRING_DESC_F_NEXT, (uint16_t)(at + 1) };
	for (uint32_t i = 0; left; i++) {
		uint32_t len = PGSIZE - off < left ? PGSIZE - off : left;
		at++;
		v->desc[at] = (struct vring_desc){ PFN_TO_PADDR(r->pages[i]) + off, len,
						   (uint16_t)(data_flags | VRING_DESC_F_NEXT),
						   (uint16_t)(at + 1) };
		left -= len;
		off = 0;
	}
	at++;
	v->desc[at] = (struct vring_desc){ dma_addr(v->req_pfn) + VBLK_STATUS_OFFSET + s, 1,
					   VRING_DESC_F_WRITE, 0 };
	uint16_t idx = v->avail->idx;
	v->avail->ring[idx % v->qsize] = head;
	__asm__ volatile("" ::: "memory"); /* the ring entry before the index */
	v->avail->idx = (uint16_t)(idx + 1);
	outw(v->io + VIRTIO_PCI_QUEUE_NOTIFY, 0);
}

static int free_slot(const struct vblk *v)
{
	for (unsigned s = 0; s < v->nslots; s++)
		if (!v->slot[s])
			return (int)s;
	return -1;
}

static int vblk_submit(struct blk_dev *d, struct blk_req *r)
{
	struct vblk *v = d->priv;
	int s = free_slot(v);

	if (s >= 0) {
		slot_start(v, (unsigned)s, r);
		return 0;
	}
	blk_queue_push(&v->waiting, r); /* no slot: wait, in order */
	return 0;
}

/* Start waiting requests while slots are free. */
static void start_waiting(struct vblk *v)
{
	int s;

	while (v->waiting.head && (s = free_slot(v)) >= 0)
		slot_start(v, (unsigned)s, blk_queue_pop(&v->waiting));
}

/* Finish what the device put in the used ring. 1 if there was any. */
static int reap(struct vblk *v)
{
	int any = 0;

	while (v->last_used != v->used->idx) {
		__asm__ volatile("" ::: "memory"); /* the index before the entry */
		uint32_t id = v->used->ring[v->last_used % v->qsize].id;
		v->last_used++;
		unsigned s = id / VBLK_DESC_PER_SLOT;
		if (id % VBLK_DESC_PER_SLOT || s >= v->nslots || !v->slot[s]) {
			kprintf("%s: the device completed descriptor %u, which heads no request: "
				"ignored\n",
				v->dev.name, id);
			continue;
		}
		struct blk_req *r = v->slot[s];
		uint8_t st = v->status[s];
		v->slot[s] = 0;
		any = 1;
		if (st != VIRTIO_BLK_S_OK)
			kprintf("%s: %s of %u sectors at %llu: device status %u (%s)\n", v->dev.name,
				r->op == BLK_READ ? "read" : "write", r->count,
				(unsigned long long)r->lba, st,
				st == VIRTIO_BLK_S_IOERR    ? "IOERR"
				: st == VIRTIO_BLK_S_UNSUPP ? "UNSUPP"
							    : "not written");
		blk_complete(r, st == VIRTIO_BLK_S_OK ? 0 : -EIO);
	}
	start_waiting(v);
	return any;
}

static void vblk_poll(struct blk_dev *d)
{
	reap(d->priv);
}

/* MSI-X entry 0: the queue's vector, ours alone. */
static int vblk_irq(void *ctx)
{
	reap(ctx);
	return IRQ_HANDLED;
}

/* End every request held, slots and waiters, with status. */
static void fail_all(struct vblk *v, int status)
{
	for (unsigned s = 0; s < v->nslots; s++) {
		struct blk_req *r = v->slot[s];
		v->slot[s] = 0;
		if (r)
			blk_complete(r, status);
	}
	for (struct blk_req *r; (r = blk_queue_pop(&v->waiting));)
		blk_complete(r, status);
}

/* The device stopped answering: reset it (which drops the queue it was
 * working on), end what it held, and set it up again. */
static int vblk_reset(struct blk_dev *d)
{
	struct vblk *v = d->priv;
	int err = device_reset(v);

	if (err) {
		pci_set_master(v->pci, 0); /* it must not write into pages about to be freed */
		kprintf("%s: the device does not reset (status 0x%02x): bus mastering off\n", d->name,
			status_read(v));
	}
	fail_all(v, -ETIMEDOUT);
	return err ? err : bring_up(v);
}

static const struct blk_ops vblk_ops = { vblk_submit, vblk_poll, vblk_reset };

/* -------------------------------------------------------------- probe */

/* Undo what began, newest first (a failed probe). */
static void teardown(struct vblk *v)
{
	if (v->io)
		status_set(v, 0);
	pci_set_master(v->pci, 0);
	pci_irq_teardown(v->pci);
	dma_free_pages(v->req_pfn, 1);
	dma_free_pages(v->ring_pfn, v->ring_pages);
}

static int fail(struct vblk *v, const char *why)
{
	kprintf("%s: virtio-blk %s: %s: skipped\n", v->dev.name, v->pci->addr, why);
	fmt_snprintf(v->pci->note, sizeof v->pci->note, "%s: skipped: %s", v->dev.name, why);
	teardown(v);
	return -EIO;
}

/* The queue's size, and the memory for it and the requests. */
static const char *setup_memory(struct vblk *v)
{
	outw(v->io + VIRTIO_PCI_QUEUE_SEL, 0);
	v->qsize = inw(v->io + VIRTIO_PCI_QUEUE_NUM);
	if (!v->qsize || (v->qsize & (v->qsize - 1)))
		return "queue 0 has no power-of-two size";
	if (inl(v->io + VIRTIO_PCI_QUEUE_PFN))
		return "queue 0 is already in use";
	v->ring_pages = (VRING_BYTES(v->qsize) + PGSIZE - 1) / PGSIZE;
	if (v->ring_pages > DMA_MAX_PAGES)
		return "queue too big for our contiguous DMA runs";
	v->nslots = v->qsize / VBLK_DESC_PER_SLOT;
	if (v->nslots > VBLK_SLOTS)
		v->nslots = VBLK_SLOTS;
	if (!v->nslots)
		return "queue too small for one request";
	v->ring_pfn = dma_alloc_pages(v->ring_pages);
	v->req_pfn = dma_alloc_pages(1);
	if (!v->ring_pfn || !v->req_pfn)
		return "no contiguous DMA memory below 4 GiB";
	v->hdr = dma_virt(v->req_pfn);
	v->status = (volatile uint8_t *)dma_virt(v->req_pfn) + VBLK_STATUS_OFFSET;
	return 0;
}

/* The features we take: read-only, to know it. Segment limits below ours
 * refuse the device (we send up to BLK_REQ_MAX_PAGES segments of a page). */
static const char *negotiate(struct vblk *v)
{
	uint16_t cfg = (uint16_t)(v->io + VIRTIO_PCI_CONFIG_OFF(v->msix));

	v->host_features = inl(v->io + VIRTIO_PCI_HOST_FEATURES);
	v->features = v->host_features & (1u << VIRTIO_BLK_F_RO);
	if ((v->host_features & (1u << VIRTIO_BLK_F_SEG_MAX)) &&
	    inl(cfg + VIRTIO_BLK_CFG_SEG_MAX) < BLK_REQ_MAX_PAGES)
		return "fewer segments per request than we send";
	if ((v->host_features & (1u << VIRTIO_BLK_F_SIZE_MAX)) &&
	    inl(cfg + VIRTIO_BLK_CFG_SIZE_MAX) < PGSIZE)
		return "segments shorter than a page";
	return 0;
}

static int vblk_probe(struct pci_dev *pci)
{
	char irq[32];

	if (nunits == VBLK_MAX_UNITS)
		return -ENODEV;
	struct vblk *v = &units[nunits];
	memset(v, 0, sizeof *v);
	v->pci = pci;
	fmt_snprintf(v->dev.name, sizeof v->dev.name, "vblk%u", nunits);
	if (pci->bar[VIRTIO_LEGACY_BAR].kind != PCI_BAR_IO)
		return fail(v, "BAR0 is not the legacy I/O BAR");
	v->io = (uint16_t)pci->bar[VIRTIO_LEGACY_BAR].base;
	pci_enable(pci);
	if (device_reset(v))
		return fail(v, "the device does not reset");
	status_set(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	const char *why = setup_memory(v);
	if (why)
		return fail(v, why);
	/* MSI-X before reading the config: turning it on moves the config. */
	v->msix = pci_irq_setup(pci, vblk_irq, v) >= 0 && pci->irq_mode == PCI_IRQ_MSIX;
	if (!v->msix)
		pci_irq_teardown(pci);
	if ((why = negotiate(v)))
		return fail(v, why);
	uint16_t cfg = (uint16_t)(v->io + VIRTIO_PCI_CONFIG_OFF(v->msix));
	v->dev.sectors = inl(cfg + VIRTIO_BLK_CFG_CAPACITY) |
			 (uint64_t)inl(cfg + VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
	pci_set_master(pci, 1);
	if (bring_up(v))
		return fail(v, "the device failed the handshake");
	if (!v->msix)
		pci_irq_teardown(pci); /* the queue took no vector */
	v->dev.sector_size = VIRTIO_BLK_SECTOR_SIZE;
	v->dev.ops = &vblk_ops;
	v->dev.priv = v;
	v->dev.flags = (v->features & (1u << VIRTIO_BLK_F_RO) ? BLK_MEDIA_RO : 0) |
		       (v->msix ? 0 : BLK_POLLED);
	nunits++;
	blk_register(&v->dev);
	log_normal("%s: virtio-blk %s (legacy, I/O 0x%04x): %llu sectors (%llu MiB), queue of %u, "
		   "%u slots, %s%s; features 0x%08x, taken 0x%08x\n",
		   v->dev.name, pci->addr, v->io, (unsigned long long)v->dev.sectors,
		   (unsigned long long)(v->dev.sectors >> 11), v->qsize, v->nslots,
		   v->msix ? pci_irq_name(pci, irq, sizeof irq) : "polled",
		   v->dev.flags & BLK_MEDIA_RO ? ", read-only" : "", v->host_features, v->features);
	fmt_snprintf(pci->note, sizeof pci->note, "%s, %llu MiB", v->dev.name,
		     (unsigned long long)(v->dev.sectors >> 11));
	return 0;
}

/* A modern-only device has no I/O BAR, and its memory BARs may lie above
 * 4 GiB: this driver speaks the legacy interface only. */
static int vblk_modern_probe(struct pci_dev *pci)
{
	log_normal("virtio-blk %s: modern-only device (no legacy I/O BAR): not supported, "
		   "skipped\n",
		   pci->addr);
	fmt_snprintf(pci->note, sizeof pci->note, "skipped: modern-only virtio (no I/O BAR)");
	return -EIO;
}

const struct pci_driver virtio_blk_driver = { "virtio-blk", VIRTIO_VENDOR,
					      VIRTIO_DEV_BLK_TRANSITIONAL, PCI_ANY_CLASS,
					      vblk_probe };
const struct pci_driver virtio_blk_modern_driver = { "virtio-blk", VIRTIO_VENDOR,
						     VIRTIO_DEV_BLK_MODERN, PCI_ANY_CLASS,
						     vblk_modern_probe };
