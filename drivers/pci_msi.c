/*
 * pci_msi.c - a device's interrupt of its own: MSI-X entry 0, or MSI,
 * to this CPU's local APIC on a vector from irq_alloc_vector (PCI 3.0,
 * 6.8). Never INTx: the interrupt line register holds whatever firmware
 * wrote, and only ACPI's _PRT (AML) says where an INTx pin really goes;
 * a driver without MSI polls. Called by drivers at probe and teardown
 * (boot or task context, interrupts off).
 */
#include "drivers/pci.h"

#include <arch/apic.h>
#include <arch/mmio.h>

#include <errnum.h>

#include "lib/fmt.h"
#include "lib/string.h"

/* MSI-X entry 0 to the message; the table's BAR must be reachable. */
static int msix_setup(struct pci_dev *d, uint8_t cap, uint32_t addr, uint32_t data)
{
	uint32_t table = pci_read32(d, cap + PCI_MSIX_TABLE);
	int bir = (int)(table & PCI_MSIX_BIR);
	uint16_t flags = pci_read16(d, cap + PCI_MSIX_FLAGS);
	char who[sizeof "pci bb:ss.f: MSI-X table"], note[PCI_NOTE_MAX];

	fmt_snprintf(who, sizeof who, "pci %s: MSI-X table", d->addr);
	if (bir >= PCI_BARS_NORMAL)
		return -ENODEV;
	memcpy(note, d->note, sizeof note);
	volatile uint32_t *e = pci_map_bar(d, bir, table & PCI_MSIX_OFFSET_MASK,
					   PCI_MSIX_ENTRY_SIZE, who);
	if (!e) {
		memcpy(d->note, note, sizeof note); /* MSI may serve: the device is not skipped */
		return -ENODEV;
	}
	/* Masked as a whole while entry 0 is written (PCI 3.0, 6.8.2.3). */
	pci_write16(d, cap + PCI_MSIX_FLAGS,
		    flags | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	mmio_write32(&e[PCI_MSIX_ENTRY_ADDR_LO / 4], addr);
	mmio_write32(&e[PCI_MSIX_ENTRY_ADDR_HI / 4], 0);
	mmio_write32(&e[PCI_MSIX_ENTRY_DATA / 4], data);
	mmio_write32(&e[PCI_MSIX_ENTRY_CTRL / 4], 0); /* unmasked */
	pci_write16(d, cap + PCI_MSIX_FLAGS,
		    (flags | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
	d->msix_table = e;
	d->irq_mode = PCI_IRQ_MSIX;
	return 0;
}

/* One MSI message, no multiple messages, per-vector mask (if any) off. */
static void msi_setup(struct pci_dev *d, uint8_t cap, uint32_t addr, uint32_t data)
{
	uint16_t flags = pci_read16(d, cap + PCI_MSI_FLAGS);
	int wide = flags & PCI_MSI_FLAGS_64BIT;

	pci_write32(d, cap + PCI_MSI_ADDRESS_LO, addr);
	if (wide)
		pci_write32(d, cap + PCI_MSI_ADDRESS_HI, 0);
	pci_write16(d, cap + (wide ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), (uint16_t)data);
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		pci_write32(d, cap + (wide ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32), 0);
	pci_write16(d, cap + PCI_MSI_FLAGS,
		    (flags & ~PCI_MSI_FLAGS_QSIZE) | PCI_MSI_FLAGS_ENABLE);
	d->irq_mode = PCI_IRQ_MSI;
}

int pci_irq_setup(struct pci_dev *d, irq_handler_fn fn, void *ctx)
{
	uint8_t msix = pci_find_cap(d, PCI_CAP_ID_MSIX), msi = pci_find_cap(d, PCI_CAP_ID_MSI);
	uint32_t addr, data;

	if (!msix && !msi)
		return -ENODEV;
	int v = irq_alloc_vector(fn, ctx);
	if (v < 0)
		return v;
	if (apic_msi_message((uint8_t)v, &addr, &data)) {
		irq_free_vector(v);
		return -ENODEV;
	}
	if (!(msix && msix_setup(d, msix, addr, data) == 0)) {
		if (!msi) {
			irq_free_vector(v);
			return -ENODEV;
		}
		msi_setup(d, msi, addr, data);
	}
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	d->vector = v;
	return v;
}

void pci_irq_teardown(struct pci_dev *d)
{
	if (d->irq_mode == PCI_IRQ_MSIX) {
		uint8_t cap = pci_find_cap(d, PCI_CAP_ID_MSIX);
		mmio_write32(&d->msix_table[PCI_MSIX_ENTRY_CTRL / 4], PCI_MSIX_ENTRY_CTRL_MASKBIT);
		pci_write16(d, cap + PCI_MSIX_FLAGS,
			    pci_read16(d, cap + PCI_MSIX_FLAGS) & ~PCI_MSIX_FLAGS_ENABLE);
		mmio_unmap((void *)d->msix_table, PCI_MSIX_ENTRY_SIZE);
		d->msix_table = 0;
	} else if (d->irq_mode == PCI_IRQ_MSI) {
		uint8_t cap = pci_find_cap(d, PCI_CAP_ID_MSI);
		pci_write16(d, cap + PCI_MSI_FLAGS,
			    pci_read16(d, cap + PCI_MSI_FLAGS) & ~PCI_MSI_FLAGS_ENABLE);
	}
	if (d->vector >= 0)
		irq_free_vector(d->vector);
	d->vector = -1;
	d->irq_mode = PCI_IRQ_NONE;
}

const char *pci_irq_name(const struct pci_dev *d, char *buf, unsigned size)
{
	if (d->irq_mode == PCI_IRQ_NONE)
		fmt_snprintf(buf, size, "no interrupt");
	else
		fmt_snprintf(buf, size, "%s vector 0x%02x",
			     d->irq_mode == PCI_IRQ_MSIX ? "MSI-X" : "MSI", d->vector);
	return buf;
}
