/*
 * pci.c - finding PCI functions, sizing their BARs, handing them to
 * drivers; configuration space, capabilities, MSI and MSI-X.
 *
 * At boot (pci_init, interrupts off) every slot of all 256 buses is read
 * through configuration mechanism #1: a newer board may put its SATA
 * controller on a second root bus (0x80), which a walk down from bus 0's
 * bridges never reaches. Registers from 0x100 up (PCI Express extended
 * capabilities) need ECAM, whose address the ACPI MCFG gives; an ECAM
 * range at or above 4 GiB is out of reach and said to be. A machine
 * without mechanism #1 is scanned through ECAM alone.
 *
 * Nothing here trusts what firmware left: BARs are sized with decoding
 * off (PCI 3.0, 6.2.5.1), decoding and bus mastering are turned on by the
 * driver that takes a device (pci_enable), and interrupts are MSI or MSI-X
 * only (pci_msi.c): the interrupt line register holds whatever firmware
 * wrote, and where INTx really goes only ACPI's _PRT (AML) knows.
 *
 * Context: boot or task, interrupts off; never from an interrupt.
 */
#include "drivers/pci.h"

#include <arch/acpi.h>
#include <arch/io.h>
#include <arch/mmio.h>
#include <arch/paging.h>

#include <errnum.h>
#include <layout.h>

#include "core/log.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define MCFG_MAX_ENTRIES 8 /* ranges of buses with ECAM; real tables have 1-2 */

static struct pci_dev devices[PCI_MAX_DEVICES];
static unsigned ndevices, nignored;
static int have_mech1;

/* ECAM ranges from the MCFG, segment group 0 only (we never see others). */
static struct {
	uint64_t base;
	uint8_t start_bus, end_bus;
} ecam[MCFG_MAX_ENTRIES];
static unsigned necam;

/* ------------------------------------------------------- config space */

/* The ECAM address of (bus, slot, fn)'s space, or 0 when no range covers
 * the bus or the range lies beyond 32-bit paging. */
static uint64_t ecam_address(uint8_t bus, uint8_t slot, uint8_t fn)
{
	for (unsigned i = 0; i < necam; i++) {
		if (bus < ecam[i].start_bus || bus > ecam[i].end_bus)
			continue;
		uint64_t pa = ecam[i].base + PCIE_ECAM_OFFSET(bus, slot, fn);
		return pa + PCIE_CONFIG_BYTES <= FOUR_GIB ? pa : 0;
	}
	return 0;
}

/* The dword at off of (bus, slot, fn) through ECAM, mapped one function
 * at a time in a fixmap slot; NULL without ECAM for it. */
static volatile uint32_t *ecam_reg(uint8_t bus, uint8_t slot, uint8_t fn, uint16_t off)
{
	uint64_t pa = ecam_address(bus, slot, fn);

	if (!pa)
		return 0;
	volatile uint32_t *space = fixmap(FIXMAP_ECAM, (paddr_t)pa);
	return &space[(off & (PCIE_CONFIG_BYTES - 1)) / 4];
}

/* Mechanism #1 for the first 256 bytes when the machine has it, ECAM for
 * the rest (and for everything when it has no mechanism #1). */
static uint32_t cfg_read32(uint8_t bus, uint8_t slot, uint8_t fn, uint16_t off)
{
	if (off < PCI_CONFIG_BYTES && have_mech1) {
		outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ADDR(bus, slot, fn, off));
		return inl(PCI_CONFIG_DATA);
	}
	volatile uint32_t *reg = off < PCIE_CONFIG_BYTES ? ecam_reg(bus, slot, fn, off) : 0;
	return reg ? mmio_read32(reg) : 0xFFFFFFFFu;
}

/* Write the bytes of v selected by mask (a 1-, 2- or 4-byte access at
 * off, v already shifted into place). Mechanism #1 writes the bytes
 * themselves through the data port; ECAM takes a 32-bit read-modify-write
 * only for 32-bit accesses, else a narrow write. */
static void cfg_write(const struct pci_dev *d, uint16_t off, uint32_t v, unsigned size)
{
	if (off < PCI_CONFIG_BYTES && have_mech1) {
		outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ADDR(d->bus, d->slot, d->fn, off));
		if (size == 4)
			outl(PCI_CONFIG_DATA, v);
		else if (size == 2)
			outw(PCI_CONFIG_DATA + (off & 2), (uint16_t)v);
		else
			outb(PCI_CONFIG_DATA + (off & 3), (uint8_t)v);
		return;
	}
	volatile uint32_t *reg = off < PCIE_CONFIG_BYTES ? ecam_reg(d->bus, d->slot, d->fn, off) : 0;
	if (!reg)
		return;
	if (size == 4)
		mmio_write32(reg, v);
	else if (size == 2)
		mmio_write16((volatile uint16_t *)((volatile uint8_t *)reg + (off & 2)), (uint16_t)v);
	else
		mmio_write8((volatile uint8_t *)reg + (off & 3), (uint8_t)v);
}

uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
	return cfg_read32(d->bus, d->slot, d->fn, off);
}

uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
	cfg_write(d, off, v, 4);
}

void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
	cfg_write(d, off, v, 2);
}

void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v)
{
	cfg_write(d, off, v, 1);
}

int pci_has_ecam(const struct pci_dev *d)
{
	return ecam_address(d->bus, d->slot, d->fn) != 0;
}

/* -------------------------------------------------------- discovery */

/* Mechanism #1 is there when CONFIG_ADDRESS holds what is written (Linux's
 * pci_check_type1 does the same); the old value is put back. */
static int mech1_present(void)
{
	uint32_t old = inl(PCI_CONFIG_ADDRESS);

	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE);
	uint32_t back = inl(PCI_CONFIG_ADDRESS);
	outl(PCI_CONFIG_ADDRESS, old);
	return back == PCI_CONFIG_ENABLE;
}

/* The MCFG's ECAM ranges for segment group 0. */
static void read_mcfg(uint64_t rsdp)
{
	struct acpi_table t;

	if (acpi_find_table(rsdp, "MCFG", &t)) {
		log_normal("pci: no ACPI MCFG: registers above 0xff out of reach (no ECAM)\n");
		return;
	}
	uint32_t len = t.h.length;
	for (uint32_t off = MCFG_ENTRIES_OFFSET; off + sizeof(struct mcfg_entry) <= len; off +=
	     sizeof(struct mcfg_entry)) {
		struct mcfg_entry e;
		if (phys_read(t.pa + off, &e, sizeof e) < 0)
			break;
		if (e.segment != 0 || e.start_bus > e.end_bus)
			continue;
		if (necam == MCFG_MAX_ENTRIES) {
			log_normal("pci: MCFG lists more than %u ECAM ranges: the rest ignored\n",
				   MCFG_MAX_ENTRIES);
			break;
		}
		uint64_t end = e.base + PCIE_ECAM_OFFSET(e.end_bus + 1, 0, 0);
		log_normal("pci: ECAM at 0x%08llx for buses %u-%u%s\n", (unsigned long long)e.base,
			   e.start_bus, e.end_bus,
			   end > FOUR_GIB ? ", above 4 GiB: out of reach of 32-bit paging" : "");
		if (end <= FOUR_GIB)
			ecam[necam++] = (typeof(ecam[0])){ e.base, e.start_bus, e.end_bus };
	}
}

/* Size BAR i of d (PCI 3.0, 6.2.5.1): write all ones, read back what
 * sticks, put the address back. Decoding is off meanwhile (pci_size_bars),
 * so the device answers at no half-written address. Returns how many BAR
 * slots it used: 2 for a 64-bit BAR, else 1. */
static int size_bar(struct pci_dev *d, int i)
{
	uint16_t off = PCI_BAR0 + 4 * i;
	uint32_t lo = pci_read32(d, off);
	struct pci_bar *b = &d->bar[i];

	pci_write32(d, off, 0xFFFFFFFFu);
	uint32_t mask = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (!mask || mask == 0xFFFFFFFFu)
		return 1; /* not implemented (an empty BAR reads 0 after all ones) */
	if (lo & PCI_BAR_SPACE_IO) {
		uint32_t m = mask & PCI_BAR_IO_MASK;
		if (!(m & 0xFFFF0000u))
			m |= 0xFFFF0000u; /* a 16-bit I/O decoder */
		*b = (struct pci_bar){ lo & PCI_BAR_IO_MASK, (uint32_t)(~m + 1), PCI_BAR_IO, 0 };
		return 1;
	}
	uint64_t base = lo & PCI_BAR_MEM_MASK, m64 = 0xFFFFFFFF00000000ull | (mask & PCI_BAR_MEM_MASK);
	int kind = PCI_BAR_MEM32, used = 1;
	if ((lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 && i + 1 < PCI_BARS_NORMAL) {
		uint32_t hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, 0xFFFFFFFFu);
		uint32_t mask_hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi);
		base |= (uint64_t)hi << 32;
		m64 = (uint64_t)mask_hi << 32 | (mask & PCI_BAR_MEM_MASK);
		kind = PCI_BAR_MEM64;
		used = 2;
	}
	*b = (struct pci_bar){ base, ~m64 + 1, (uint8_t)kind, !!(lo & PCI_BAR_MEM_PREFETCH) };
	return used;
}

/* Size every BAR of d with its decoding off, except on a host bridge:
 * on some chipsets its memory decode bit gates the path to RAM, and
 * turning it off for a moment stops the machine (Linux never does it
 * either: quirk_mmio_always_on). */
static void size_bars(struct pci_dev *d)
{
	int nbars = d->header_type == PCI_HEADER_NORMAL   ? PCI_BARS_NORMAL
		    : d->header_type == PCI_HEADER_BRIDGE ? PCI_BARS_BRIDGE
							  : 0;
	int host_bridge = d->class == PCI_CLASS_BRIDGE && d->subclass == PCI_SUBCLASS_HOST_BRIDGE;
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	if (!nbars)
		return;
	if (!host_bridge)
		pci_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nbars;)
		i += size_bar(d, i);
	if (!host_bridge)
		pci_write16(d, PCI_COMMAND, cmd);
}

static void add_function(uint8_t bus, uint8_t slot, uint8_t fn, uint32_t id)
{
	if (ndevices == PCI_MAX_DEVICES) {
		nignored++;
		return;
	}
	struct pci_dev *d = &devices[ndevices++];
	memset(d, 0, sizeof *d);
	d->bus = bus;
	d->slot = slot;
	d->fn = fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	uint32_t class = pci_read32(d, PCI_REVISION_ID);
	d->revision = (uint8_t)class;
	d->prog_if = (uint8_t)(class >> 8);
	d->subclass = (uint8_t)(class >> 16);
	d->class = (uint8_t)(class >> 24);
	d->header_type = pci_read8(d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
	d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
	d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
	d->vector = -1;
	fmt_snprintf(d->addr, sizeof d->addr, "%02x:%02x.%x", bus, slot, fn);
	size_bars(d);
}

static void scan(void)
{
	for (unsigned bus = 0; bus < PCI_BUSES; bus++) {
		for (uint8_t slot = 0; slot < PCI_SLOTS; slot++) {
			uint32_t id = cfg_read32((uint8_t)bus, slot, 0, PCI_VENDOR_ID);
			if ((id & 0xFFFF) == PCI_NO_DEVICE)
				continue;
			uint8_t type = (uint8_t)(cfg_read32((uint8_t)bus, slot, 0, PCI_HEADER_TYPE & ~3) >>
						 ((PCI_HEADER_TYPE & 3) * 8));
			int nfn = type & PCI_HEADER_MULTIFUNCTION ? PCI_FUNCTIONS : 1;
			for (uint8_t fn = 0; fn < nfn; fn++) {
				if (fn)
					id = cfg_read32((uint8_t)bus, slot, fn, PCI_VENDOR_ID);
				if ((id & 0xFFFF) != PCI_NO_DEVICE)
					add_function((uint8_t)bus, slot, fn, id);
			}
		}
	}
}

/* What kind of device, for log lines and `show pci`. */
static const char *class_name(const struct pci_dev *d)
{
	static const struct {
		uint32_t code, mask;
		const char *name;
	} names[] = {
		{ PCI_CLASS_CODE(0x01, 0x06, 0x01), 0xFFFFFF, "SATA controller (AHCI)" },
		{ PCI_CLASS_CODE(0x01, 0x08, 0x02), 0xFFFFFF, "NVMe controller" },
		{ PCI_CLASS_CODE(0x0C, 0x03, 0x30), 0xFFFFFF, "USB controller (xHCI)" },
		{ PCI_CLASS_CODE(0x0C, 0x03, 0x20), 0xFFFFFF, "USB controller (EHCI)" },
		{ PCI_CLASS_CODE(0x0C, 0x03, 0x10), 0xFFFFFF, "USB controller (OHCI)" },
		{ PCI_CLASS_CODE(0x0C, 0x03, 0x00), 0xFFFFFF, "USB controller (UHCI)" },
		{ PCI_CLASS_CODE(0x01, 0x00, 0), 0xFFFF00, "SCSI controller" },
		{ PCI_CLASS_CODE(0x01, 0x01, 0), 0xFFFF00, "IDE controller" },
		{ PCI_CLASS_CODE(0x01, 0x06, 0), 0xFFFF00, "SATA controller" },
		{ PCI_CLASS_CODE(0x01, 0x08, 0), 0xFFFF00, "non-volatile memory" },
		{ PCI_CLASS_CODE(0x01, 0, 0), 0xFF0000, "storage controller" },
		{ PCI_CLASS_CODE(0x02, 0, 0), 0xFF0000, "network controller" },
		{ PCI_CLASS_CODE(0x03, 0, 0), 0xFF0000, "display controller" },
		{ PCI_CLASS_CODE(0x04, 0, 0), 0xFF0000, "multimedia device" },
		{ PCI_CLASS_CODE(0x06, 0x00, 0), 0xFFFF00, "host bridge" },
		{ PCI_CLASS_CODE(0x06, 0x01, 0), 0xFFFF00, "ISA bridge" },
		{ PCI_CLASS_CODE(0x06, 0x04, 0), 0xFFFF00, "PCI bridge" },
		{ PCI_CLASS_CODE(0x06, 0, 0), 0xFF0000, "bridge" },
		{ PCI_CLASS_CODE(0x07, 0, 0), 0xFF0000, "communication controller" },
		{ PCI_CLASS_CODE(0x08, 0, 0), 0xFF0000, "system peripheral" },
		{ PCI_CLASS_CODE(0x0C, 0x05, 0), 0xFFFF00, "SMBus controller" },
		{ PCI_CLASS_CODE(0x0C, 0, 0), 0xFF0000, "serial bus controller" },
	};
	uint32_t code = PCI_CLASS_CODE(d->class, d->subclass, d->prog_if);

	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((code & names[i].mask) == names[i].code)
			return names[i].name;
	return "device";
}

static int matches(const struct pci_driver *drv, const struct pci_dev *d)
{
	if (drv->vendor != PCI_ANY && drv->vendor != d->vendor)
		return 0;
	if (drv->device != PCI_ANY && drv->device != d->device)
		return 0;
	return drv->class_code == PCI_ANY_CLASS ||
	       drv->class_code == PCI_CLASS_CODE(d->class, d->subclass, d->prog_if);
}

/* Offer d to each driver that matches it, until one takes it. */
static void attach(struct pci_dev *d)
{
	for (const struct pci_driver *const *dp = pci_drivers; *dp; dp++) {
		const struct pci_driver *drv = *dp;
		if (!matches(drv, d))
			continue;
		d->driver = drv->name;
		int r = drv->probe(d);
		if (r == 0)
			return;
		if (r != -ENODEV)
			return; /* it tried, failed and said why: no second driver */
		d->driver = 0;
	}
}

void pci_init(uint64_t rsdp)
{
	read_mcfg(rsdp);
	have_mech1 = mech1_present();
	if (!have_mech1 && !necam) {
		log_normal("pci: no configuration mechanism #1 and no ECAM: no PCI devices\n");
		return;
	}
	scan();
	unsigned buses = 0;
	for (unsigned i = 0, last = PCI_BUSES; i < ndevices; i++) {
		buses += devices[i].bus != last;
		last = devices[i].bus;
	}
	log_normal("pci: %u function%s on %u bus%s (%s)\n", ndevices, ndevices == 1 ? "" : "s",
		   buses, buses == 1 ? "" : "es",
		   have_mech1 ? "configuration mechanism #1" : "ECAM only");
	if (nignored)
		log_normal("pci: %u more function%s beyond the table's %u: ignored\n", nignored,
			   nignored == 1 ? "" : "s", PCI_MAX_DEVICES);
	for (unsigned i = 0; i < ndevices; i++) {
		struct pci_dev *d = &devices[i];
		log_normal("pci: %s %04x:%04x class %02x.%02x.%02x %s\n", d->addr, d->vendor,
			   d->device, d->class, d->subclass, d->prog_if, class_name(d));
	}
	for (unsigned i = 0; i < ndevices; i++)
		attach(&devices[i]);
}

unsigned pci_count(void)
{
	return ndevices;
}

struct pci_dev *pci_get(unsigned i)
{
	return i < ndevices ? &devices[i] : 0;
}

/* ------------------------------------------------------- BARs, enable */

void *pci_map_bar(struct pci_dev *d, int bar, uint32_t off, uint32_t len, const char *who)
{
	const struct pci_bar *b = bar >= 0 && bar < PCI_BARS_NORMAL ? &d->bar[bar] : 0;
	const char *why = 0;
	void *va = 0;

	uint64_t want = b && off < b->size ? (len ? len : b->size - off) : 0;

	if (!b || (b->kind != PCI_BAR_MEM32 && b->kind != PCI_BAR_MEM64) || !b->size)
		why = "not a memory BAR";
	else if (!want || want > b->size - off || want > 0xFFFFFFFFull)
		why = "smaller than the registers it must hold";
	else if (b->base + b->size > FOUR_GIB)
		why = b->base >= FOUR_GIB ? "above 4 GiB, out of reach of 32-bit paging"
					  : "reaches 4 GiB, out of reach of 32-bit paging";
	else if (!(va = mmio_map(b->base + off, (uint32_t)want)))
		why = "no room left in the MMIO window";
	if (!why)
		return va;
	log_normal("%s: BAR%d at 0x%llx (%llu KiB) is %s\n", who, bar,
		   b ? (unsigned long long)b->base : 0ull, b ? (unsigned long long)b->size / 1024 : 0ull,
		   why);
	fmt_snprintf(d->note, sizeof d->note, "skipped: BAR%d %s", bar, why);
	return 0;
}

void pci_unmap_bar(struct pci_dev *d, int bar, void *va, uint32_t len)
{
	if (!va)
		return;
	mmio_unmap(va, len ? len : (uint32_t)d->bar[bar].size);
}

void pci_enable(struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	for (int i = 0; i < PCI_BARS_NORMAL; i++) {
		if (d->bar[i].kind == PCI_BAR_IO)
			cmd |= PCI_COMMAND_IO;
		else if (d->bar[i].kind != PCI_BAR_NONE)
			cmd |= PCI_COMMAND_MEMORY;
	}
	pci_write16(d, PCI_COMMAND, cmd);
}

void pci_set_master(struct pci_dev *d, int on)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	pci_write16(d, PCI_COMMAND, on ? cmd | PCI_COMMAND_MASTER : cmd & ~PCI_COMMAND_MASTER);
}

/* -------------------------------------------- capabilities (pci_msi.c) */

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id)
{
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	uint8_t at = pci_read8(d, PCI_CAPABILITY_LIST) & PCI_CAP_PTR_MASK;
	for (int n = 0; at && n < PCI_CAPS_MAX; n++) {
		if (pci_read8(d, at) == id)
			return at;
		at = pci_read8(d, at + PCI_CAP_NEXT) & PCI_CAP_PTR_MASK;
	}
	return 0;
}

/* ----------------------------------------------------------- show pci */

static const char *const bar_kind_names[] = { "-", "io", "mem32", "mem64" };

/* The capabilities, then (with ECAM) the extended ones, by ID. */
static void print_caps(const struct pci_dev *d)
{
	char line[160];
	int n = fmt_snprintf(line, sizeof line, "    capabilities:");

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		n += fmt_snprintf(line + n, sizeof line - n, " none");
	else {
		uint8_t at = pci_read8(d, PCI_CAPABILITY_LIST) & PCI_CAP_PTR_MASK;
		for (int i = 0; at && i < PCI_CAPS_MAX && n < (int)sizeof line - 12; i++) {
			n += fmt_snprintf(line + n, sizeof line - n, " %02x@%02x", pci_read8(d, at), at);
			at = pci_read8(d, at + PCI_CAP_NEXT) & PCI_CAP_PTR_MASK;
		}
	}
	kprintf("%s\n", line);
	if (!pci_has_ecam(d) || !pci_find_cap(d, PCI_CAP_ID_EXP))
		return;
	n = fmt_snprintf(line, sizeof line, "    extended (ECAM):");
	uint16_t at = PCIE_EXT_CAP_START;
	for (int i = 0; at && i < PCIE_EXT_CAPS_MAX && n < (int)sizeof line - 16; i++) {
		uint32_t h = pci_read32(d, at);
		if (!h || h == 0xFFFFFFFFu)
			break;
		n += fmt_snprintf(line + n, sizeof line - n, " %04x@%03x", PCIE_EXT_CAP_ID(h), at);
		at = (uint16_t)PCIE_EXT_CAP_NEXT(h);
		if (at < PCIE_EXT_CAP_START)
			break;
	}
	kprintf("%s\n", line);
}

void pci_print(int verbose)
{
	char irq[32];

	kprintf("  pci: %u function%s; config access by %s%s\n", ndevices, ndevices == 1 ? "" : "s",
		have_mech1 ? "mechanism #1" : "ECAM", necam ? ", ECAM for registers above 0xff" : "");
	for (unsigned i = 0; i < ndevices; i++) {
		struct pci_dev *d = &devices[i];
		kprintf("  %s %04x:%04x class %02x.%02x.%02x %s%s%s\n", d->addr, d->vendor, d->device,
			d->class, d->subclass, d->prog_if, class_name(d), d->driver ? ", driver " : "",
			d->driver ? d->driver : "");
		for (int b = 0; b < PCI_BARS_NORMAL; b++) {
			const struct pci_bar *bar = &d->bar[b];
			if (bar->kind == PCI_BAR_NONE)
				continue;
			kprintf("    BAR%d %-5s 0x%08llx %6llu %s%s%s\n", b, bar_kind_names[bar->kind],
				(unsigned long long)bar->base,
				(unsigned long long)(bar->size >= 1024 ? bar->size / 1024 : bar->size),
				bar->size >= 1024 ? "KiB" : "bytes", bar->prefetch ? " prefetchable" : "",
				bar->base + bar->size > FOUR_GIB ? " (above 4 GiB: out of reach)" : "");
		}
		if (d->irq_mode != PCI_IRQ_NONE)
			kprintf("    %s, %u interrupts\n", pci_irq_name(d, irq, sizeof irq),
				irq_vector_count(d->vector));
		else if (d->irq_pin)
			kprintf("    INT%c# (firmware's line %u, not used)\n", 'A' + d->irq_pin - 1,
				d->irq_line);
		if (d->note[0])
			kprintf("    %s\n", d->note);
		if (verbose)
			print_caps(d);
	}
}
