/*
 * hwsim.h - a simulated PC under the host tests of drivers/: PCI
 * functions with real configuration-space semantics (mechanism #1 ports,
 * ECAM through an MCFG, BAR sizing, capabilities), their I/O and memory
 * BARs as seen through port I/O (arch/io.h) and mmio_map (arch/mmio.h),
 * DMA into the simulated RAM of sim.c, and MSI/MSI-X messages delivered
 * to the handlers drivers registered with irq_alloc_vector.
 *
 * A device model (hwsim_disks.c has AHCI, virtio-blk and NVMe) answers
 * its BARs through struct hwsim_ops; everything else (config space, the
 * MSI-X table) is handled here. Interrupts are only taken when the test
 * says the CPU takes them (hwsim_deliver), as in the kernel, where they
 * arrive only while a task sleeps or the idle task halts.
 */
#ifndef TEST_HOST_SIM_HWSIM_H
#define TEST_HOST_SIM_HWSIM_H

#include <stdint.h>

#include "drivers/pci_hw.h"

#define HWSIM_MAX_DEVS 16
#define HWSIM_ECAM_BASE 0xB0000000ull /* as q35 */
#define HWSIM_MSIX_ENTRIES 4

enum hwsim_bar_kind { HWSIM_IO = 1, HWSIM_MEM32, HWSIM_MEM64 };

struct hwsim_dev;

struct hwsim_ops {
	/* An access of size bytes at off in BAR bar (decoding on). */
	uint32_t (*read)(struct hwsim_dev *d, int bar, uint32_t off, unsigned size);
	void (*write)(struct hwsim_dev *d, int bar, uint32_t off, uint32_t v, unsigned size);
};

struct hwsim_dev {
	uint8_t bus, slot, fn;
	uint8_t cfg[PCIE_CONFIG_BYTES];
	uint8_t wmask[PCIE_CONFIG_BYTES]; /* bits software may change */
	uint64_t bar_size[PCI_BARS_NORMAL];
	uint8_t bar_kind[PCI_BARS_NORMAL];
	uint8_t next_cap;                 /* where the next capability goes */
	uint8_t msi_cap, msix_cap;
	int msix_bar;
	uint32_t msix_off;
	uint32_t msix[HWSIM_MSIX_ENTRIES][4]; /* the MSI-X table */
	unsigned intx;                    /* interrupts with no message enabled */
	const struct hwsim_ops *ops;
	void *model;
};

/* An empty machine: no functions, no ECAM, a local APIC for MSI. */
void hwsim_reset(void);
/* A function with these IDs and class (PCI_CLASS_CODE). */
struct hwsim_dev *hwsim_add(uint8_t bus, uint8_t slot, uint8_t fn, uint16_t vendor,
			    uint16_t device, uint32_t class_code);
/* Set the header's multifunction bit (on function 0). */
void hwsim_multifunction(struct hwsim_dev *d);
/* BAR bar of kind at addr, size bytes (a power of two); a 64-bit BAR
 * takes bar and bar + 1. */
void hwsim_bar(struct hwsim_dev *d, int bar, enum hwsim_bar_kind kind, uint64_t addr,
	       uint64_t size);
/* Append a capability of len bytes; returns its offset. */
uint8_t hwsim_cap(struct hwsim_dev *d, uint8_t id, uint8_t len);
/* An MSI capability (64-bit layout when wide), an MSI-X one with its
 * table at off in BAR bar. */
void hwsim_msi(struct hwsim_dev *d, int wide);
void hwsim_msix(struct hwsim_dev *d, int bar, uint32_t off);
/* ECAM at HWSIM_ECAM_BASE for buses 0-255, and an ACPI RSDP (returned)
 * whose XSDT lists an MCFG saying so; 0 when with_mcfg is 0 (the RSDP
 * then lists no MCFG). */
uint64_t hwsim_acpi(int with_mcfg);
/* Without configuration mechanism #1 (ECAM only). */
void hwsim_no_mech1(void);
/* No local APIC to send messages to (apic_msi_message says -ENODEV). */
void hwsim_no_lapic(void);

/* The device signals an interrupt: its enabled MSI-X entry 0 or MSI
 * message becomes pending at the CPU; with neither, d->intx counts it. */
void hwsim_interrupt(struct hwsim_dev *d);
/* The CPU takes the pending vectors: each handler runs, as trap.c
 * would call it. Returns how many ran. */
unsigned hwsim_deliver(void);
/* Bytes of simulated RAM at physical pa (DMA); aborts outside RAM. */
uint8_t *hwsim_dma(uint64_t pa, uint32_t len);

/* Accesses that reached no device (a driver touching the wrong place). */
extern unsigned hwsim_stray;

#endif
