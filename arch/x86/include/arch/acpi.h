/*
 * acpi.h - finding ACPI tables through the RSDP (arch/x86/acpi.c).
 *
 * The loader copies the RSDP's address from the EFI configuration table
 * (bootinfo.rsdp); apic.c looks up the MADT and pci.c the MCFG through it,
 * at boot, with interrupts off. Tables are read through phys_read, so one
 * at or above 4 GiB is out of reach and said to be.
 */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

#include <stdint.h>

/* The header every ACPI table starts with (ACPI 6.5, 5.2.6). */
struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI 6.5, 5.2.6: a 36-byte header");

/* A table found: where it is, and its header. */
struct acpi_table {
	uint64_t pa;
	struct acpi_header h;
};

/*
 * Find the table with signature sig (4 characters, "APIC", "MCFG")
 * through the RSDP at rsdp_pa: in the XSDT (ACPI 2.0+, 64-bit entries),
 * or, when that is out of reach, broken or lacks the table, in the RSDT
 * (32-bit entries), which firmware keeps for 32-bit systems like this
 * one. Returns 0 with *out filled, or -ENOENT with a log line ("acpi:
 * ...") saying what was missing or out of reach; *out is then undefined.
 * The caller reads the table's body with phys_read.
 */
int acpi_find_table(uint64_t rsdp_pa, const char *sig, struct acpi_table *out);

#endif
