/*
 * pci.h - PCI devices (drivers/pci.c): found once at boot, their BARs
 * sized, handed to the driver that matches them (drivers/pci_drivers.c).
 *
 * Context rule: everything here runs at boot or in task context, with
 * interrupts off (the kernel's rule); nothing is called from an
 * interrupt. A driver's probe keeps the struct pci_dev pointer: devices
 * live in a fixed table and never move.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <arch/trap.h>
#include <stdint.h>

#include "drivers/pci_hw.h"

#define PCI_MAX_DEVICES 64 /* functions kept; more are counted and ignored */
#define PCI_NOTE_MAX 64

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };
enum pci_irq_mode { PCI_IRQ_NONE, PCI_IRQ_MSI, PCI_IRQ_MSIX };

struct pci_bar {
	uint64_t base; /* bus address (an I/O port number for I/O BARs) */
	uint64_t size; /* bytes; 0: not implemented */
	uint8_t kind;  /* enum pci_bar_kind */
	uint8_t prefetch;
};

struct pci_dev {
	uint8_t bus, slot, fn;
	uint8_t header_type; /* PCI_HEADER_NORMAL or PCI_HEADER_BRIDGE */
	uint16_t vendor, device;
	uint8_t class, subclass, prog_if, revision;
	uint8_t irq_pin, irq_line; /* as firmware left them: shown, never trusted */
	char addr[8];              /* "bb:ss.f" for log lines */
	struct pci_bar bar[PCI_BARS_NORMAL];
	const char *driver;       /* the driver that matched, or NULL */
	char note[PCI_NOTE_MAX];  /* what it made of the device: units, or why skipped */
	uint8_t irq_mode;         /* enum pci_irq_mode */
	int vector;               /* the MSI or MSI-X vector, when irq_mode says so */
	volatile uint32_t *msix_table; /* entry 0's mapping (MSI-X) */
};

/* What a driver matches: vendor and device (PCI_ANY for any), or class,
 * subclass and programming interface (PCI_ANY_CLASS for any). */
#define PCI_ANY 0xFFFFu
#define PCI_ANY_CLASS 0xFFFFFFFFu
#define PCI_CLASS_CODE(c, s, p) ((uint32_t)(c) << 16 | (uint32_t)(s) << 8 | (p))

struct pci_driver {
	const char *name;
	uint16_t vendor, device;
	uint32_t class_code; /* PCI_CLASS_CODE, or PCI_ANY_CLASS */
	/* Take d: 0 when it did (d->note says what became of it), -ENODEV
	 * when d is not one it drives (no log line), another -errno when it
	 * tried and failed (its lines say why, d->note sums it up; it has
	 * undone what it began). */
	int (*probe)(struct pci_dev *d);
};

/* The drivers, in the order they are tried; NULL ends the table
 * (drivers/pci_drivers.c). */
extern const struct pci_driver *const pci_drivers[];

/*
 * Find every PCI function (configuration mechanism #1 on all 256 buses;
 * the MCFG found through the ACPI RSDP at rsdp, 0 for none, gives ECAM for
 * registers above 0xFF), size their BARs, and offer each to the drivers.
 * Logs what it found. Call once at boot, after paging and the page
 * allocator (drivers allocate DMA memory), with interrupts off.
 */
void pci_init(uint64_t rsdp);

/* Devices found, and the i-th (0 <= i < pci_count()). */
unsigned pci_count(void);
struct pci_dev *pci_get(unsigned i);
/* `show pci`: one block per function; with verbose, its capabilities. */
void pci_print(int verbose);

/* Configuration space of d at off (< 4096; aligned to the access size).
 * Offsets from 0x100 go through ECAM: with no ECAM for d's bus, reads
 * return all ones and writes are dropped (pci_has_ecam says which). */
uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
uint8_t pci_read8(const struct pci_dev *d, uint16_t off);
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v);
int pci_has_ecam(const struct pci_dev *d);

/* The offset of d's first capability with this ID, or 0. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id);

/*
 * Map len bytes from offset off of memory BAR bar (len 0: to its end),
 * uncached. NULL, with a line "<who>: BAR<n> ...: <why>" and d->note set,
 * when the BAR is not memory, too small, or at or above 4 GiB (beyond
 * 32-bit paging), or the MMIO window is full. Undo with pci_unmap_bar.
 */
void *pci_map_bar(struct pci_dev *d, int bar, uint32_t off, uint32_t len, const char *who);
void pci_unmap_bar(struct pci_dev *d, int bar, void *va, uint32_t len);

/* Turn on the decoding of d's BARs (memory and I/O, as it has them):
 * firmware may have left it off (EDK2 restores the attributes it found
 * at ExitBootServices). */
void pci_enable(struct pci_dev *d);
/* Bus mastering (the device's DMA) on, once its queues are in place; off
 * in a teardown, or when a device cannot be stopped otherwise. */
void pci_set_master(struct pci_dev *d, int on);

/*
 * Give d an interrupt of its own: MSI-X entry 0 when it has MSI-X (and
 * the table's BAR is reachable), else MSI, delivered to this CPU's local
 * APIC on a vector from irq_alloc_vector, with INTx disabled. Returns the
 * vector, or -errno when neither works (no capability, no local APIC, no
 * vector left): the driver then polls. Logs nothing; the driver says
 * which it got. The interrupt line register is never used: on UEFI
 * machines it holds whatever firmware wrote, and only ACPI's _PRT (AML)
 * says where INTx really goes.
 */
int pci_irq_setup(struct pci_dev *d, irq_handler_fn fn, void *ctx);
/* Undo pci_irq_setup: message off, vector freed, table unmapped. */
void pci_irq_teardown(struct pci_dev *d);
/* "MSI-X vector 0x31", "MSI vector 0x30" or "no interrupt", for logs. */
const char *pci_irq_name(const struct pci_dev *d, char *buf, unsigned size);

#endif
