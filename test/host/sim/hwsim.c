/*
 * hwsim.c - the simulated PC of hwsim.h: configuration space, port I/O,
 * MMIO, ACPI tables for the MCFG, MSI delivery. It also stands in for
 * the kernel pieces drivers/pci.c calls below it: fixmap (ECAM), phys_read
 * (ACPI), irq_alloc_vector and apic_msi_message.
 */
#include "hwsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arch/io.h>
#include <arch/kmap.h>
#include <arch/mmio.h>
#include <arch/mmu_ops.h>
#include <arch/trap.h>
#include <errnum.h>

#include "sim.h"

#define MAX_MAPS 64
#define APIC_MSI_ADDRESS 0xFEE00000u
#define ACPI_BASE 0x000E0000ull /* RSDP, XSDT, MCFG: one page each */

static struct hwsim_dev devs[HWSIM_MAX_DEVS];
static unsigned ndevs;
static uint32_t config_address;
static int no_mech1, no_lapic, have_ecam;
unsigned hwsim_stray;

static struct map {
	uint8_t *va;
	uint64_t pa;
	uint32_t size;
} maps[MAX_MAPS];
static uint8_t ecam_page[PCIE_CONFIG_BYTES] __attribute__((aligned(4096)));
static uint8_t acpi[3 * 4096];

static struct {
	irq_handler_fn fn;
	void *ctx;
	unsigned pending, taken;
} vectors[256];

void hwsim_reset(void)
{
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (maps[i].va && maps[i].va != ecam_page)
			free(maps[i].va);
	memset(maps, 0, sizeof maps);
	memset(devs, 0, sizeof devs);
	memset(vectors, 0, sizeof vectors);
	memset(acpi, 0, sizeof acpi);
	ndevs = 0;
	config_address = 0;
	no_mech1 = no_lapic = have_ecam = 0;
	hwsim_stray = 0;
}

void hwsim_no_mech1(void)
{
	no_mech1 = 1;
}

void hwsim_no_lapic(void)
{
	no_lapic = 1;
}

/* ------------------------------------------------------ config space */

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

struct hwsim_dev *hwsim_add(uint8_t bus, uint8_t slot, uint8_t fn, uint16_t vendor,
			    uint16_t device, uint32_t class_code)
{
	if (ndevs == HWSIM_MAX_DEVS)
		abort();
	struct hwsim_dev *d = &devs[ndevs++];
	memset(d, 0, sizeof *d);
	d->bus = bus;
	d->slot = slot;
	d->fn = fn;
	d->msix_bar = -1;
	put16(d->cfg + PCI_VENDOR_ID, vendor);
	put16(d->cfg + PCI_DEVICE_ID, device);
	put32(d->cfg + PCI_REVISION_ID, class_code << 8 | 1);
	put16(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
					      PCI_COMMAND_INTX_DISABLE);
	d->wmask[PCI_INTERRUPT_LINE] = 0xFF;
	d->cfg[PCI_INTERRUPT_LINE] = 11;
	d->cfg[PCI_INTERRUPT_PIN] = 1;
	d->next_cap = 0x40;
	return d;
}

void hwsim_multifunction(struct hwsim_dev *d)
{
	d->cfg[PCI_HEADER_TYPE] |= PCI_HEADER_MULTIFUNCTION;
}

void hwsim_bar(struct hwsim_dev *d, int bar, enum hwsim_bar_kind kind, uint64_t addr,
	       uint64_t size)
{
	uint8_t *reg = d->cfg + PCI_BAR0 + 4 * bar, *mask = d->wmask + PCI_BAR0 + 4 * bar;
	uint64_t m = ~(size - 1);

	d->bar_kind[bar] = (uint8_t)kind;
	d->bar_size[bar] = size;
	if (kind == HWSIM_IO) {
		put32(reg, (uint32_t)addr | PCI_BAR_SPACE_IO);
		put32(mask, (uint32_t)m & PCI_BAR_IO_MASK);
		return;
	}
	uint32_t type = kind == HWSIM_MEM64 ? PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH : 0;
	put32(reg, ((uint32_t)addr & PCI_BAR_MEM_MASK) | type);
	put32(mask, (uint32_t)m & PCI_BAR_MEM_MASK);
	if (kind == HWSIM_MEM64) {
		put32(reg + 4, (uint32_t)(addr >> 32));
		put32(mask + 4, (uint32_t)(m >> 32));
	}
}

uint8_t hwsim_cap(struct hwsim_dev *d, uint8_t id, uint8_t len)
{
	uint8_t at = d->next_cap;

	d->cfg[at] = id;
	d->cfg[at + PCI_CAP_NEXT] = 0;
	if (!(get16(d->cfg + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
		put16(d->cfg + PCI_STATUS, PCI_STATUS_CAP_LIST);
		d->cfg[PCI_CAPABILITY_LIST] = at;
	} else {
		uint8_t p = d->cfg[PCI_CAPABILITY_LIST];
		while (d->cfg[p + PCI_CAP_NEXT])
			p = d->cfg[p + PCI_CAP_NEXT];
		d->cfg[p + PCI_CAP_NEXT] = at;
	}
	d->next_cap = (uint8_t)(at + ((len + 3) & ~3));
	return at;
}

void hwsim_msi(struct hwsim_dev *d, int wide)
{
	uint8_t at = hwsim_cap(d, PCI_CAP_ID_MSI, wide ? 24 : 14);

	d->msi_cap = at;
	put16(d->cfg + at + PCI_MSI_FLAGS, wide ? PCI_MSI_FLAGS_64BIT : 0);
	put16(d->wmask + at + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	put32(d->wmask + at + PCI_MSI_ADDRESS_LO, 0xFFFFFFFCu);
	if (wide)
		put32(d->wmask + at + PCI_MSI_ADDRESS_HI, 0xFFFFFFFFu);
	put16(d->wmask + at + (wide ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), 0xFFFF);
}

void hwsim_msix(struct hwsim_dev *d, int bar, uint32_t off)
{
	uint8_t at = hwsim_cap(d, PCI_CAP_ID_MSIX, 12);

	d->msix_cap = at;
	d->msix_bar = bar;
	d->msix_off = off;
	put16(d->cfg + at + PCI_MSIX_FLAGS, HWSIM_MSIX_ENTRIES - 1);
	put16(d->wmask + at + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	put32(d->cfg + at + PCI_MSIX_TABLE, off | (uint32_t)bar);
	put32(d->cfg + at + PCI_MSIX_PBA, (off + 0x800) | (uint32_t)bar);
	for (int i = 0; i < HWSIM_MSIX_ENTRIES; i++)
		d->msix[i][3] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

static struct hwsim_dev *find_fn(uint32_t bus, uint32_t slot, uint32_t fn)
{
	for (unsigned i = 0; i < ndevs; i++)
		if (devs[i].bus == bus && devs[i].slot == slot && devs[i].fn == fn)
			return &devs[i];
	return 0;
}

static uint32_t cfg_read(struct hwsim_dev *d, uint32_t off, unsigned size)
{
	if (!d)
		return size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFF : 0xFF;
	uint32_t v = get32(d->cfg + (off & ~3u)) >> ((off & 3) * 8);
	return size == 4 ? v : size == 2 ? (v & 0xFFFF) : (v & 0xFF);
}

static void cfg_write(struct hwsim_dev *d, uint32_t off, uint32_t v, unsigned size)
{
	if (!d)
		return;
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(v >> (8 * i)), m = d->wmask[off + i];
		d->cfg[off + i] = (uint8_t)((d->cfg[off + i] & ~m) | (b & m));
	}
}

/* ---------------------------------------------------------- port I/O */

static int decodes(const struct hwsim_dev *d, int bar, uint64_t addr, uint64_t *off)
{
	uint16_t cmd = get16(d->cfg + PCI_COMMAND);
	uint32_t lo = get32(d->cfg + PCI_BAR0 + 4 * bar);
	uint64_t base;

	if (!d->bar_size[bar])
		return 0;
	if (d->bar_kind[bar] == HWSIM_IO) {
		if (!(cmd & PCI_COMMAND_IO))
			return 0;
		base = lo & PCI_BAR_IO_MASK;
	} else {
		if (!(cmd & PCI_COMMAND_MEMORY))
			return 0;
		base = lo & PCI_BAR_MEM_MASK;
		if (d->bar_kind[bar] == HWSIM_MEM64)
			base |= (uint64_t)get32(d->cfg + PCI_BAR0 + 4 * bar + 4) << 32;
	}
	if (addr < base || addr >= base + d->bar_size[bar])
		return 0;
	*off = addr - base;
	return 1;
}

static struct hwsim_dev *bar_at(uint64_t addr, int io, int *bar, uint64_t *off)
{
	for (unsigned i = 0; i < ndevs; i++)
		for (int b = 0; b < PCI_BARS_NORMAL; b++)
			if ((devs[i].bar_kind[b] == HWSIM_IO) == io && decodes(&devs[i], b, addr, off)) {
				*bar = b;
				return &devs[i];
			}
	return 0;
}

static struct hwsim_dev *mech1_target(void)
{
	if (!(config_address & PCI_CONFIG_ENABLE))
		return 0;
	return find_fn((config_address >> 16) & 0xFF, (config_address >> 11) & 0x1F,
		       (config_address >> 8) & 0x7);
}

static uint32_t port_in(uint16_t port, unsigned size)
{
	if (!no_mech1 && port == PCI_CONFIG_ADDRESS && size == 4)
		return config_address;
	if (!no_mech1 && port >= PCI_CONFIG_DATA && port < PCI_CONFIG_DATA + 4)
		return cfg_read(mech1_target(), (config_address & 0xFC) + (port & 3), size);
	int bar;
	uint64_t off;
	struct hwsim_dev *d = bar_at(port, 1, &bar, &off);
	if (d && d->ops)
		return d->ops->read(d, bar, (uint32_t)off, size);
	hwsim_stray++;
	return size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFF : 0xFF;
}

static void port_out(uint16_t port, uint32_t v, unsigned size)
{
	if (!no_mech1 && port == PCI_CONFIG_ADDRESS && size == 4) {
		config_address = v;
		return;
	}
	if (!no_mech1 && port >= PCI_CONFIG_DATA && port < PCI_CONFIG_DATA + 4) {
		cfg_write(mech1_target(), (config_address & 0xFC) + (port & 3), v, size);
		return;
	}
	int bar;
	uint64_t off;
	struct hwsim_dev *d = bar_at(port, 1, &bar, &off);
	if (d && d->ops)
		d->ops->write(d, bar, (uint32_t)off, v, size);
	else
		hwsim_stray++;
}

uint8_t inb(uint16_t port) { return (uint8_t)port_in(port, 1); }
uint16_t inw(uint16_t port) { return (uint16_t)port_in(port, 2); }
uint32_t inl(uint16_t port) { return port_in(port, 4); }
void outb(uint16_t port, uint8_t v) { port_out(port, v, 1); }
void outw(uint16_t port, uint16_t v) { port_out(port, v, 2); }
void outl(uint16_t port, uint32_t v) { port_out(port, v, 4); }
void io_wait(void) {}

/* -------------------------------------------------------------- MMIO */

void *mmio_map(uint64_t pa, uint32_t size)
{
	if (!size || pa >= 0x100000000ull || size > 0x100000000ull - pa)
		return 0;
	for (unsigned i = 0; i < MAX_MAPS; i++) {
		if (maps[i].va)
			continue;
		maps[i] = (struct map){ calloc(1, size), pa, size };
		return maps[i].va;
	}
	return 0;
}

void mmio_unmap(void *va, uint32_t size)
{
	(void)size;
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (maps[i].va == va && va != ecam_page) {
			free(maps[i].va);
			maps[i] = (struct map){ 0, 0, 0 };
		}
}

void *fixmap(enum kmap_slot slot, paddr_t pa)
{
	if (slot != FIXMAP_ECAM)
		abort();
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (maps[i].va == ecam_page || !maps[i].va) {
			maps[i] = (struct map){ ecam_page, pa & ~0xFFFull, sizeof ecam_page };
			return ecam_page + (pa & 0xFFF);
		}
	abort();
}

/* The physical address a mapped pointer stands for; aborts if none. */
static uint64_t mapped_pa(const volatile void *p)
{
	const uint8_t *b = (const uint8_t *)p;

	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (maps[i].va && b >= maps[i].va && b < maps[i].va + maps[i].size)
			return maps[i].pa + (uint64_t)(b - maps[i].va);
	fprintf(stderr, "hwsim: access through %p, which mmio_map never gave\n", p);
	abort();
}

/* The MSI-X table entry word at offset off of d's table BAR, or NULL. */
static uint32_t *msix_word(struct hwsim_dev *d, int bar, uint64_t off)
{
	if (bar != d->msix_bar || off < d->msix_off ||
	    off >= d->msix_off + HWSIM_MSIX_ENTRIES * PCI_MSIX_ENTRY_SIZE)
		return 0;
	uint64_t at = off - d->msix_off;
	return &d->msix[at / PCI_MSIX_ENTRY_SIZE][at % PCI_MSIX_ENTRY_SIZE / 4];
}

static uint32_t mem_read(const volatile void *p, unsigned size)
{
	uint64_t pa = mapped_pa(p), off;
	int bar;

	if (have_ecam && pa >= HWSIM_ECAM_BASE && pa < HWSIM_ECAM_BASE + (256ull << 20)) {
		uint64_t o = pa - HWSIM_ECAM_BASE;
		return cfg_read(find_fn(o >> 20, (o >> 15) & 0x1F, (o >> 12) & 7), o & 0xFFF, size);
	}
	struct hwsim_dev *d = bar_at(pa, 0, &bar, &off);
	if (d) {
		uint32_t *w = msix_word(d, bar, off);
		if (w)
			return *w;
		if (d->ops)
			return d->ops->read(d, bar, (uint32_t)off, size);
	}
	hwsim_stray++;
	return 0xFFFFFFFFu;
}

static void mem_write(volatile void *p, uint32_t v, unsigned size)
{
	uint64_t pa = mapped_pa(p), off;
	int bar;

	if (have_ecam && pa >= HWSIM_ECAM_BASE && pa < HWSIM_ECAM_BASE + (256ull << 20)) {
		uint64_t o = pa - HWSIM_ECAM_BASE;
		cfg_write(find_fn(o >> 20, (o >> 15) & 0x1F, (o >> 12) & 7), o & 0xFFF, v, size);
		return;
	}
	struct hwsim_dev *d = bar_at(pa, 0, &bar, &off);
	if (d) {
		uint32_t *w = msix_word(d, bar, off);
		if (w) {
			*w = v;
			return;
		}
		if (d->ops) {
			d->ops->write(d, bar, (uint32_t)off, v, size);
			return;
		}
	}
	hwsim_stray++;
}

uint32_t mmio_read32(const volatile uint32_t *reg) { return mem_read(reg, 4); }
uint16_t mmio_read16(const volatile uint16_t *reg) { return (uint16_t)mem_read(reg, 2); }
uint8_t mmio_read8(const volatile uint8_t *reg) { return (uint8_t)mem_read(reg, 1); }
void mmio_write32(volatile uint32_t *reg, uint32_t v) { mem_write(reg, v, 4); }
void mmio_write16(volatile uint16_t *reg, uint16_t v) { mem_write(reg, v, 2); }
void mmio_write8(volatile uint8_t *reg, uint8_t v) { mem_write(reg, v, 1); }

/* -------------------------------------------------------------- ACPI */

static void acpi_header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
}

uint64_t hwsim_acpi(int with_mcfg)
{
	uint8_t *rsdp = acpi, *xsdt = acpi + 4096, *mcfg = acpi + 8192;

	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = 2;                           /* revision: the XSDT follows */
	uint64_t x = ACPI_BASE + 4096, m = ACPI_BASE + 8192;
	memcpy(rsdp + 24, &x, 8);
	acpi_header(xsdt, "XSDT", 36 + 8);
	memcpy(xsdt + 36, &m, 8);
	acpi_header(mcfg, with_mcfg ? "MCFG" : "FACP", MCFG_ENTRIES_OFFSET + 16);
	struct mcfg_entry e = { HWSIM_ECAM_BASE, 0, 0, 255, 0 };
	memcpy(mcfg + MCFG_ENTRIES_OFFSET, &e, sizeof e);
	have_ecam = with_mcfg;
	return ACPI_BASE;
}

int phys_read(uint64_t pa, void *buf, uint32_t len)
{
	if (pa < ACPI_BASE || pa + len > ACPI_BASE + sizeof acpi)
		return -1;
	memcpy(buf, acpi + (pa - ACPI_BASE), len);
	return 0;
}

/* --------------------------------------------------------- interrupts */

int irq_alloc_vector(irq_handler_fn fn, void *ctx)
{
	for (int v = FIRST_UNUSED_VECTOR; v < T_SPURIOUS; v++)
		if (v != T_SYSCALL && !vectors[v].fn) {
			vectors[v].fn = fn;
			vectors[v].ctx = ctx;
			vectors[v].pending = vectors[v].taken = 0;
			return v;
		}
	return -ENOSPC;
}

void irq_free_vector(int v)
{
	if (v >= 0 && v < 256)
		vectors[v].fn = 0;
}

uint32_t irq_vector_count(int v)
{
	return v >= 0 && v < 256 ? vectors[v].taken : 0;
}

int apic_msi_message(uint8_t vector, uint32_t *address, uint32_t *data)
{
	if (no_lapic)
		return -ENODEV;
	*address = APIC_MSI_ADDRESS;
	*data = vector;
	return 0;
}

void hwsim_interrupt(struct hwsim_dev *d)
{
	uint16_t f;

	if (d->msix_cap) {
		f = get16(d->cfg + d->msix_cap + PCI_MSIX_FLAGS);
		if ((f & PCI_MSIX_FLAGS_ENABLE) && !(f & PCI_MSIX_FLAGS_MASKALL) &&
		    !(d->msix[0][3] & PCI_MSIX_ENTRY_CTRL_MASKBIT) && d->msix[0][0] == APIC_MSI_ADDRESS) {
			vectors[d->msix[0][2] & 0xFF].pending++;
			return;
		}
	}
	if (d->msi_cap) {
		f = get16(d->cfg + d->msi_cap + PCI_MSI_FLAGS);
		int wide = f & PCI_MSI_FLAGS_64BIT;
		if ((f & PCI_MSI_FLAGS_ENABLE) &&
		    get32(d->cfg + d->msi_cap + PCI_MSI_ADDRESS_LO) == APIC_MSI_ADDRESS) {
			vectors[get16(d->cfg + d->msi_cap + (wide ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32)) &
				0xFF]
				.pending++;
			return;
		}
	}
	d->intx++;
}

unsigned hwsim_deliver(void)
{
	unsigned ran = 0;

	for (int v = 0; v < 256; v++) {
		while (vectors[v].pending) {
			vectors[v].pending--;
			if (!vectors[v].fn)
				continue; /* stray */
			vectors[v].taken++;
			vectors[v].fn(vectors[v].ctx);
			ran++;
		}
	}
	return ran;
}

uint8_t *hwsim_dma(uint64_t pa, uint32_t len)
{
	if (pa + len > (uint64_t)sim_ram_pages * 4096) {
		fprintf(stderr, "hwsim: DMA at 0x%llx (%u bytes) outside RAM\n",
			(unsigned long long)pa, len);
		abort();
	}
	return sim_ram + pa;
}
