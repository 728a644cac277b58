/*
 * ahci.c - AHCI SATA controllers (PCI class 01.06.01): the controller's
 * part of the driver. Probe maps the ABAR (BAR5), takes the controller
 * from the firmware (BIOS/OS handoff, AHCI 1.3.1 10.6), sets AHCI mode,
 * stops every implemented port's engines before anything else touches
 * them, attaches a disk on each port with one (ahci_port.c), then turns
 * on MSI and publishes the disks. Without MSI, the disks are polled.
 *
 * The controller is not reset (GHC.HR): a reset drops every link, and a
 * real disk may need seconds to come back; stopping each port's engines
 * and giving it our own command list and FIS area is enough to own it.
 *
 * Context: probe at boot; ahci_irq in the interrupt (MSI vector). Lines
 * about the controller name its PCI address ("ahci 00:1f.2: ..."), lines
 * about a disk its unit ("ahci0: ...").
 */
#include "drivers/ahci.h"

#include <errnum.h>

#include "core/log.h"
#include "lib/fmt.h"
#include "lib/string.h"

static struct ahci_ctrl ctrls[AHCI_MAX_CTRLS];
static unsigned nctrls;

/* The HBA's interrupt: each port with a bit in IS is serviced, its PxIS
 * cleared there, then its IS bit (in that order, AHCI 1.3.1 10.7.2). */
static int ahci_irq(void *ctx)
{
	struct ahci_ctrl *c = ctx;
	uint32_t is = ahci_rd(c, AHCI_IS);

	if (!is)
		return IRQ_NONE;
	for (unsigned n = 0; n < AHCI_MAX_PORTS; n++)
		if ((is >> n & 1) && c->ports[n])
			ahci_port_service(c->ports[n]);
	ahci_wr(c, AHCI_IS, is);
	return IRQ_HANDLED;
}

/* Wait until (reg & mask) == want, at most ms. 0 or -ETIMEDOUT. */
static int ctrl_wait(struct ahci_ctrl *c, uint32_t reg, uint32_t mask, uint32_t want, uint32_t ms)
{
	for (uint64_t end = blk_deadline(ms);;) {
		if ((ahci_rd(c, reg) & mask) == want)
			return 0;
		if (blk_expired(end))
			return -ETIMEDOUT;
	}
}

/* BIOS/OS handoff (10.6.3): ask for ownership, wait for the BIOS to let
 * go; a BIOS still busy with a command gets up to 2 s. */
static void handoff(struct ahci_ctrl *c)
{
	if (!(ahci_rd(c, AHCI_CAP2) & AHCI_CAP2_BOH))
		return;
	ahci_wr(c, AHCI_BOHC, ahci_rd(c, AHCI_BOHC) | AHCI_BOHC_OOS);
	int err = ctrl_wait(c, AHCI_BOHC, AHCI_BOHC_BOS, 0, AHCI_HANDOFF_MS);
	if (err && (ahci_rd(c, AHCI_BOHC) & AHCI_BOHC_BB))
		err = ctrl_wait(c, AHCI_BOHC, AHCI_BOHC_BOS, 0, AHCI_BIOS_BUSY_MS);
	log_normal("%s: BIOS/OS handoff: %s\n", c->name,
		   err ? "the BIOS kept ownership; taking the controller anyway" : "ours");
}

/* Register reg of port n, as an offset in the ABAR. */
static uint32_t port_reg(unsigned n, uint32_t reg)
{
	return AHCI_PORT_BASE + AHCI_PORT_STRIDE * n + reg;
}

/* Is a device on port n (PxSSTS.DET)? */
static int port_has_device(struct ahci_ctrl *c, unsigned n)
{
	return PORT_SSTS_DET(ahci_rd(c, port_reg(n, PORT_SSTS))) == PORT_DET_PRESENT;
}

/* Undo a probe, newest first. */
static void teardown(struct ahci_ctrl *c)
{
	for (int n = AHCI_MAX_PORTS - 1; n >= 0; n--)
		if (c->ports[n])
			ahci_port_detach(c->ports[n]);
	pci_irq_teardown(c->pci);
	pci_set_master(c->pci, 0);
	pci_unmap_bar(c->pci, AHCI_ABAR, (void *)c->abar, c->abar_len);
	nctrls--;
}

static int fail(struct ahci_ctrl *c, const char *why)
{
	kprintf("%s: %s: skipped\n", c->name, why);
	fmt_snprintf(c->pci->note, sizeof c->pci->note, "skipped: %s", why);
	teardown(c);
	return -EIO;
}

/* With staggered spin-up (CAP.SSS) a device spins up only once its port's
 * SUD is set, which firmware that never used the disk did not do: set it
 * on the stopped ports, then give links that are coming up (a device
 * seen, the phy not yet up) one shared AHCI_LINK_MS to get there. */
static void spin_up(struct ahci_ctrl *c, uint32_t ports)
{
	if (!(c->cap & AHCI_CAP_SSS))
		return;
	for (unsigned n = 0; n < AHCI_MAX_PORTS; n++)
		if (ports >> n & 1)
			ahci_wr(c, port_reg(n, PORT_CMD),
				ahci_rd(c, port_reg(n, PORT_CMD)) | PORT_CMD_SUD);
	for (uint64_t end = blk_deadline(AHCI_LINK_MS); !blk_expired(end);) {
		int coming = 0;
		for (unsigned n = 0; n < AHCI_MAX_PORTS; n++) {
			if (!(ports >> n & 1))
				continue;
			uint32_t det = PORT_SSTS_DET(ahci_rd(c, port_reg(n, PORT_SSTS)));
			coming |= det != PORT_DET_NONE && det != PORT_DET_PRESENT;
		}
		if (!coming)
			return;
	}
}

/* Stop every implemented port, then attach those with a device. A port
 * whose engines will not stop is left alone: it is not ours to program. */
static unsigned attach_ports(struct ahci_ctrl *c)
{
	uint32_t stopped = 0;
	unsigned found = 0;

	for (unsigned n = 0; n < AHCI_MAX_PORTS; n++) {
		if (!(c->pi >> n & 1))
			continue; /* a gap in PI: the next one */
		if (ahci_port_quiesce(c, n))
			kprintf("%s: port %u does not stop: left alone\n", c->name, n);
		else
			stopped |= 1u << n;
	}
	pci_set_master(c->pci, 1);
	spin_up(c, stopped);
	for (unsigned n = 0; n < AHCI_MAX_PORTS; n++) {
		if (!(stopped >> n & 1) || !port_has_device(c, n))
			continue; /* an empty port */
		c->ports[n] = ahci_port_attach(c, n);
		found += c->ports[n] != 0;
	}
	return found;
}

static int ahci_probe(struct pci_dev *pci)
{
	char irq[32];

	if (nctrls == AHCI_MAX_CTRLS)
		return -ENODEV;
	struct ahci_ctrl *c = &ctrls[nctrls++];
	memset(c, 0, sizeof *c);
	c->pci = pci;
	fmt_snprintf(c->name, sizeof c->name, "ahci %s", pci->addr);
	c->abar_len = (uint32_t)pci->bar[AHCI_ABAR].size;
	c->abar = pci_map_bar(pci, AHCI_ABAR, 0, 0, c->name);
	if (!c->abar)
		return fail(c, "its registers are out of reach");
	pci_enable(pci);
	c->vs = ahci_rd(c, AHCI_VS);
	if (c->vs == AHCI_NO_ANSWER)
		return fail(c, "the registers do not answer (version reads 0xffffffff)");
	handoff(c);
	ahci_wr(c, AHCI_GHC, ahci_rd(c, AHCI_GHC) | AHCI_GHC_AE); /* AHCI mode first */
	ahci_wr(c, AHCI_GHC, ahci_rd(c, AHCI_GHC) & ~AHCI_GHC_IE);
	c->cap = ahci_rd(c, AHCI_CAP);
	c->pi = ahci_rd(c, AHCI_PI);
	uint32_t top = 32 - (uint32_t)__builtin_clz(c->pi | 1);
	if (AHCI_PORT_BASE + AHCI_PORT_STRIDE * top > c->abar_len)
		return fail(c, "BAR5 is too small for the ports it implements");
	log_normal("%s: AHCI %x.%x, %u ports (implemented 0x%08x), %u command slots%s\n", c->name,
		   c->vs >> 16, c->vs & 0xFFFF, AHCI_CAP_NP(c->cap), c->pi, AHCI_CAP_NCS(c->cap),
		   c->cap & AHCI_CAP_S64A ? ", 64-bit DMA" : "");
	unsigned found = attach_ports(c);
	if (!found)
		return fail(c, "no SATA disk on any port");
	int polled = pci_irq_setup(pci, ahci_irq, c) < 0;
	for (unsigned n = 0; n < AHCI_MAX_PORTS; n++) {
		struct ahci_port *p = c->ports[n];
		if (!p)
			continue;
		if (!polled)
			ahci_port_irq_on(p);
		p->dev.flags = polled ? BLK_POLLED : 0;
		blk_register(&p->dev);
		log_normal("%s: port %u of %s: '%s', %llu sectors of %u bytes (%llu MiB), %s\n",
			   p->dev.name, n, c->name, p->model, (unsigned long long)p->dev.sectors,
			   p->dev.sector_size,
			   (unsigned long long)(p->dev.sectors * p->dev.sector_size >> 20),
			   polled ? "polled" : pci_irq_name(pci, irq, sizeof irq));
	}
	if (!polled)
		ahci_wr(c, AHCI_GHC, ahci_rd(c, AHCI_GHC) | AHCI_GHC_IE);
	fmt_snprintf(pci->note, sizeof pci->note, "%u SATA disk%s", found, found == 1 ? "" : "s");
	return 0;
}

const struct pci_driver ahci_driver = { "ahci", PCI_ANY, PCI_ANY,
					PCI_CLASS_CODE(PCI_CLASS_STORAGE, PCI_SUBCLASS_SATA,
						       PCI_PROG_IF_AHCI),
					ahci_probe };
