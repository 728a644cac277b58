/*
 * ahci_port.c - one AHCI port and the SATA disk on it: stopping and
 * starting its engines, IDENTIFY, READ/WRITE DMA EXT through slot 0,
 * completion, error recovery, and the block layer's ops.
 *
 * Engines stop in the order the spec gives (AHCI 1.3.1, 10.1.2): clear
 * ST, wait for CR to clear, then clear FRE, wait for FR. Waiting for FR
 * with FRE still set never ends (SanderOSUSB #24). A port that will not
 * stop gets a COMRESET; one that still will not is left alone, logged.
 *
 * Errors (10.7.2.1, non-queued): the HBA stops at a task file error and
 * leaves the command in PxCI. Recovery clears ST, waits for CR, clears
 * PxSERR and PxIS, resets the link if BSY or DRQ stay set, and sets ST
 * again; the failed request ends -EIO (the layer retries it), the ones
 * waiting are then started.
 *
 * Context: attach at boot; submit from blk.c (task, boot, or a retry in
 * the interrupt); ahci_port_service in the interrupt (ahci.c) or a poll.
 * Interrupts are off in all of them: no locks. Lines name the disk
 * ("ahci0: ...").
 */
#include "drivers/ahci.h"

#include <errnum.h>

#include "core/log.h"
#include "drivers/dma.h"
#include "lib/fmt.h"
#include "lib/string.h"

static struct ahci_port disks[AHCI_MAX_DISKS];
static unsigned ndisks;

/* Wait until (reg & mask) == want, for at most ms. 0 or -ETIMEDOUT. */
static int port_wait(struct ahci_port *p, uint32_t reg, uint32_t mask, uint32_t want, uint32_t ms)
{
	for (uint64_t end = blk_deadline(ms);;) {
		if ((port_rd(p, reg) & mask) == want)
			return 0;
		if (blk_expired(end))
			return -ETIMEDOUT;
	}
}

/* ST off, CR clear; then FRE off, FR clear (in this order). */
static int engines_stop(struct ahci_port *p)
{
	port_wr(p, PORT_CMD, port_rd(p, PORT_CMD) & ~PORT_CMD_ST);
	if (port_wait(p, PORT_CMD, PORT_CMD_CR, 0, AHCI_ENGINE_MS))
		return -ETIMEDOUT;
	port_wr(p, PORT_CMD, port_rd(p, PORT_CMD) & ~PORT_CMD_FRE);
	return port_wait(p, PORT_CMD, PORT_CMD_FR, 0, AHCI_ENGINE_MS);
}

/* COMRESET: DET=1 for at least 1 ms, then 0; wait for the link. */
static int comreset(struct ahci_port *p)
{
	uint32_t sctl = port_rd(p, PORT_SCTL) & ~PORT_SCTL_DET_MASK;

	port_wr(p, PORT_SCTL, sctl | PORT_SCTL_DET_COMRESET);
	blk_delay_us(AHCI_COMRESET_US);
	port_wr(p, PORT_SCTL, sctl);
	int err = port_wait(p, PORT_SSTS, 0xF, PORT_DET_PRESENT, AHCI_LINK_MS);
	port_wr(p, PORT_SERR, 0xFFFFFFFFu);
	return err;
}

/* Wait until the device is neither busy nor asking for data. */
static int device_ready(struct ahci_port *p, uint32_t ms)
{
	return port_wait(p, PORT_TFD, ATA_STS_BSY | ATA_STS_DRQ, 0, ms);
}

static void engines_start(struct ahci_port *p)
{
	port_wr(p, PORT_CMD, port_rd(p, PORT_CMD) | PORT_CMD_FRE);
	port_wr(p, PORT_CMD, port_rd(p, PORT_CMD) | PORT_CMD_ST);
}

int ahci_port_quiesce(struct ahci_ctrl *c, unsigned n)
{
	struct ahci_port tmp = { .ctrl = c,
				 .regs = c->abar + (AHCI_PORT_BASE + AHCI_PORT_STRIDE * n) / 4 };

	if (!engines_stop(&tmp))
		return 0;
	comreset(&tmp);
	return engines_stop(&tmp);
}

/* ---------------------------------------------------------- commands */

/* Fill slot 0 for an ATA command with nprd PRDs (the caller fills those). */
static void cmd_prepare(struct ahci_port *p, uint8_t command, uint64_t lba, uint32_t count,
			int write, unsigned nprd)
{
	struct fis_reg_h2d f = {
		.type = FIS_TYPE_REG_H2D, .flags = FIS_H2D_COMMAND, .command = command,
		.lba0 = (uint8_t)lba, .lba1 = (uint8_t)(lba >> 8), .lba2 = (uint8_t)(lba >> 16),
		.device = ATA_DEVICE_LBA, .lba3 = (uint8_t)(lba >> 24),
		.lba4 = (uint8_t)(lba >> 32), .lba5 = (uint8_t)(lba >> 40),
		.count_lo = (uint8_t)count, .count_hi = (uint8_t)(count >> 8),
	};

	memcpy((void *)p->ct->cfis, &f, sizeof f);
	p->cl[0].flags = AHCI_CMD_CFL(sizeof f / 4) | (write ? AHCI_CMD_WRITE : 0) |
			 AHCI_CMD_PRDTL(nprd);
	p->cl[0].prdbc = 0;
	p->cl[0].ctba = dma_addr(p->mem) + AHCI_MEM_CT;
	p->cl[0].ctbau = 0;
}

static void prd_set(struct ahci_port *p, unsigned i, uint32_t addr, uint32_t bytes, int last)
{
	p->ct->prdt[i] = (struct ahci_prd){ addr, 0, 0,
					    (bytes - 1) | (last ? AHCI_PRD_IRQ : 0) };
}

/* Hand slot 0 to the HBA: old interrupt bits cleared first. */
static void cmd_issue(struct ahci_port *p)
{
	port_wr(p, PORT_IS, 0xFFFFFFFFu);
	port_wr(p, PORT_CI, 1);
}

/* Start r in slot 0. */
static void start(struct ahci_port *p, struct blk_req *r)
{
	uint32_t left = r->count * p->dev.sector_size, off = r->offset;
	unsigned n = 0;

	p->active = r;
	p->expect_bytes = left;
	for (; left; n++) {
		uint32_t len = PGSIZE - off < left ? PGSIZE - off : left;
		left -= len;
		prd_set(p, n, PFN_TO_PADDR(r->pages[n]) + off, len, !left);
		off = 0;
	}
	cmd_prepare(p, r->op == BLK_READ ? ATA_CMD_READ_DMA_EXT : ATA_CMD_WRITE_DMA_EXT, r->lba,
		    r->count, r->op == BLK_WRITE, n);
	cmd_issue(p);
}

static int ahci_submit(struct blk_dev *d, struct blk_req *r)
{
	struct ahci_port *p = d->priv;

	if (!p->active) {
		start(p, r);
		return 0;
	}
	blk_queue_push(&p->waiting, r);
	return 0;
}

/* After an error: the engine restarted with the device ready (10.7.2.1). */
static int recover(struct ahci_port *p)
{
	int err = engines_stop(p);

	port_wr(p, PORT_SERR, 0xFFFFFFFFu);
	port_wr(p, PORT_IS, 0xFFFFFFFFu);
	if (err || device_ready(p, 0)) {
		if (comreset(p) || device_ready(p, AHCI_READY_MS))
			err = -EIO;
		else
			err = engines_stop(p) ? -EIO : 0;
	}
	if (!err)
		engines_start(p);
	return err;
}

/* Did slot 0's command end? 0: still running; 1: it ended, *status
 * says how (0, or -EIO with a line saying why). */
static int cmd_ended(struct ahci_port *p, int *status, const char *what)
{
	uint32_t is = port_rd(p, PORT_IS);

	port_wr(p, PORT_IS, is);
	if (is & PORT_IS_ERRORS) {
		uint32_t tfd = port_rd(p, PORT_TFD);
		kprintf("%s: %s: %s (status 0x%02x, error 0x%02x, PxIS 0x%08x)\n", p->dev.name,
			what, is & PORT_IS_TFES ? "task file error" : "host bus or interface error",
			PORT_TFD_STS(tfd), PORT_TFD_ERR(tfd), is);
		*status = -EIO;
		if (recover(p))
			kprintf("%s: the port does not recover\n", p->dev.name);
		return 1;
	}
	if (port_rd(p, PORT_CI) & 1)
		return 0;
	uint32_t done = p->cl[0].prdbc;
	*status = 0;
	if (PORT_TFD_STS(port_rd(p, PORT_TFD)) & ATA_STS_ERR) {
		kprintf("%s: %s: the device reports an error (status 0x%02x)\n", p->dev.name, what,
			PORT_TFD_STS(port_rd(p, PORT_TFD)));
		*status = -EIO;
	} else if (done != p->expect_bytes) {
		kprintf("%s: %s: %u of %u bytes moved\n", p->dev.name, what, done, p->expect_bytes);
		*status = -EIO;
	}
	return 1;
}

int ahci_port_service(struct ahci_port *p)
{
	char what[48];
	int status;

	if (!p->active) {
		port_wr(p, PORT_IS, port_rd(p, PORT_IS));
		return 0;
	}
	struct blk_req *r = p->active;
	fmt_snprintf(what, sizeof what, "%s of %u sectors at %llu",
		     r->op == BLK_READ ? "read" : "write", r->count, (unsigned long long)r->lba);
	if (!cmd_ended(p, &status, what))
		return 0;
	p->active = 0;
	blk_complete(r, status); /* may start a retry in slot 0 */
	if (!p->active && p->waiting.head)
		start(p, blk_queue_pop(&p->waiting));
	return 1;
}

static void ahci_poll(struct blk_dev *d)
{
	struct ahci_port *p = d->priv;

	ahci_port_service(p);
	ahci_wr(p->ctrl, AHCI_IS, 1u << p->num); /* so the next completion raises an MSI */
}

/* No completion for BLK_TIMEOUT_MS: stop the port (its DMA with it), end
 * what it held, start it again. */
static int ahci_reset(struct blk_dev *d)
{
	struct ahci_port *p = d->priv;
	int err = recover(p);

	if (err) {
		/* Still running: the whole controller's DMA goes off, since an
		 * engine we cannot stop may write into pages about to be freed. */
		port_wr(p, PORT_CMD, port_rd(p, PORT_CMD) & ~(PORT_CMD_ST | PORT_CMD_FRE));
		pci_set_master(p->ctrl->pci, 0);
		kprintf("%s: the port does not stop: bus mastering off for %s\n", d->name,
			p->ctrl->name);
	}
	if (p->active) {
		struct blk_req *r = p->active;
		p->active = 0;
		blk_complete(r, -ETIMEDOUT);
	}
	for (struct blk_req *r; (r = blk_queue_pop(&p->waiting));)
		blk_complete(r, -ETIMEDOUT);
	return err;
}

static const struct blk_ops ahci_ops = { ahci_submit, ahci_poll, ahci_reset };

/* ---------------------------------------------------------- identify */

/* IDENTIFY DEVICE, polled (probe time). 0 or -errno. */
static int identify(struct ahci_port *p)
{
	int status = -ETIMEDOUT;

	prd_set(p, 0, dma_addr(p->mem) + AHCI_MEM_ID, ATA_ID_WORDS * 2, 1);
	cmd_prepare(p, ATA_CMD_IDENTIFY, 0, 0, 0, 1);
	p->expect_bytes = ATA_ID_WORDS * 2;
	cmd_issue(p);
	for (uint64_t end = blk_deadline(AHCI_CMD_MS); !blk_expired(end);)
		if (cmd_ended(p, &status, "IDENTIFY"))
			return status;
	port_wr(p, PORT_CMD, port_rd(p, PORT_CMD) & ~PORT_CMD_ST); /* give it up */
	return status;
}

/* An ATA string: bytes swapped in each word, trailing spaces dropped. */
static void id_string(const uint16_t *id, unsigned word, unsigned words, char *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < words; i++) {
		out[n++] = (char)(id[word + i] >> 8);
		out[n++] = (char)id[word + i];
	}
	while (n && (out[n - 1] == ' ' || !out[n - 1]))
		n--;
	out[n] = 0;
	for (unsigned i = 0; i < n; i++)
		if (out[i] < 0x20 || out[i] > 0x7E)
			out[i] = '?';
}

/* Size and sector size from the IDENTIFY data; why not usable, or NULL. */
static const char *read_identity(struct ahci_port *p)
{
	const uint16_t *id = (const uint16_t *)((uint8_t *)dma_virt(p->mem) + AHCI_MEM_ID);
	uint16_t size_word = id[ATA_ID_SECTOR_SIZE];

	id_string(id, ATA_ID_MODEL, 20, p->model);
	if (!(id[ATA_ID_COMMAND_SET_2] & ATA_ID_LBA48_SUPPORTED))
		return "no 48-bit addressing (READ DMA EXT)";
	p->dev.sectors = 0;
	for (int i = 3; i >= 0; i--)
		p->dev.sectors = p->dev.sectors << 16 | id[ATA_ID_LBA48_SECTORS + i];
	p->dev.sector_size = ATA_SECTOR_SIZE;
	if ((size_word & ATA_ID_SIZE_VALID_MASK) == ATA_ID_SIZE_VALID &&
	    (size_word & ATA_ID_LONG_LOGICAL))
		p->dev.sector_size =
			2 * ((uint32_t)id[ATA_ID_LOGICAL_WORDS] | (uint32_t)id[ATA_ID_LOGICAL_WORDS + 1] << 16);
	if (p->dev.sector_size != 512 && p->dev.sector_size != 4096)
		return "a logical sector size other than 512 or 4096 bytes";
	if (!p->dev.sectors)
		return "no sectors";
	return 0;
}

/* ------------------------------------------------------------ attach */

static const char *signature_name(uint32_t sig)
{
	switch (sig) {
	case SATA_SIG_ATAPI:
		return "an ATAPI device (CD/DVD)";
	case SATA_SIG_SEMB:
		return "an enclosure bridge";
	case SATA_SIG_PM:
		return "a port multiplier";
	default:
		return "no ATA disk";
	}
}

void ahci_port_detach(struct ahci_port *p)
{
	engines_stop(p);
	port_wr(p, PORT_IE, 0);
	port_wr(p, PORT_CLB, 0);
	port_wr(p, PORT_FB, 0);
	dma_free_pages(p->mem, 1);
	p->mem = 0;
	if (p == &disks[ndisks - 1])
		ndisks--;
}

static struct ahci_port *give_up(struct ahci_port *p, const char *why)
{
	kprintf("%s: port %u: %s: skipped\n", p->ctrl->name, p->num, why);
	ahci_port_detach(p);
	return 0;
}

struct ahci_port *ahci_port_attach(struct ahci_ctrl *c, unsigned n)
{
	if (ndisks == AHCI_MAX_DISKS) {
		kprintf("%s: port %u: more than %u SATA disks: skipped\n", c->name, n,
			AHCI_MAX_DISKS);
		return 0;
	}
	struct ahci_port *p = &disks[ndisks++];
	memset(p, 0, sizeof *p);
	p->ctrl = c;
	p->num = n;
	p->regs = c->abar + (AHCI_PORT_BASE + AHCI_PORT_STRIDE * n) / 4;
	fmt_snprintf(p->dev.name, sizeof p->dev.name, "ahci%u", (unsigned)(p - disks));
	p->mem = dma_alloc_pages(1);
	if (!p->mem)
		return give_up(p, "no DMA memory below 4 GiB");
	uint8_t *mem = dma_virt(p->mem);
	p->cl = (volatile struct ahci_cmd_header *)(mem + AHCI_MEM_CL);
	p->ct = (volatile struct ahci_cmd_table *)(mem + AHCI_MEM_CT);
	port_wr(p, PORT_CLB, dma_addr(p->mem) + AHCI_MEM_CL);
	port_wr(p, PORT_CLBU, 0);
	port_wr(p, PORT_FB, dma_addr(p->mem) + AHCI_MEM_FIS);
	port_wr(p, PORT_FBU, 0);
	port_wr(p, PORT_SERR, 0xFFFFFFFFu);
	port_wr(p, PORT_IS, 0xFFFFFFFFu);
	port_wr(p, PORT_CMD, port_rd(p, PORT_CMD) | PORT_CMD_FRE);
	if (device_ready(p, AHCI_READY_MS) && (comreset(p) || device_ready(p, AHCI_READY_MS)))
		return give_up(p, "the device stays busy");
	uint32_t sig = port_rd(p, PORT_SIG);
	if (sig != SATA_SIG_ATA)
		return give_up(p, signature_name(sig));
	port_wr(p, PORT_CMD, port_rd(p, PORT_CMD) | PORT_CMD_ST);
	int err = identify(p);
	if (err)
		return give_up(p, err == -ETIMEDOUT ? "IDENTIFY got no answer" : "IDENTIFY failed");
	const char *why = read_identity(p);
	if (why)
		return give_up(p, why);
	p->dev.ops = &ahci_ops;
	p->dev.priv = p;
	return p;
}

void ahci_port_irq_on(struct ahci_port *p)
{
	port_wr(p, PORT_IS, 0xFFFFFFFFu);
	port_wr(p, PORT_IE, PORT_IE_WANTED);
}
