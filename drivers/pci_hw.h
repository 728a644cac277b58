/*
 * pci_hw.h - PCI and PCI Express configuration space, by the specs' names.
 *
 * Sources: PCI Local Bus Specification 3.0, 6.1 (the header), 6.2.5
 * (BARs), 6.7-6.8 (capabilities, MSI, MSI-X); PCI Express Base 4.0, 7.2.2
 * (ECAM) and 7.6 (extended capabilities); the PCI Firmware Specification
 * 3.2, 4.1.2 (the ACPI MCFG table). Cross-checked with Linux's
 * include/uapi/linux/pci_regs.h.
 */
#ifndef DRIVERS_PCI_HW_H
#define DRIVERS_PCI_HW_H

#include <stdint.h>

/* Configuration mechanism #1 (PCI 3.0, 3.2.2.3.2): the address of a dword
 * goes to CONFIG_ADDRESS, the dword comes through CONFIG_DATA; it reaches
 * the first 256 bytes of a function only. */
#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC
#define PCI_CONFIG_ENABLE 0x80000000u
#define PCI_CONFIG_ADDR(bus, slot, fn, reg)                                         \
	(PCI_CONFIG_ENABLE | (uint32_t)(bus) << 16 | (uint32_t)(slot) << 11 |      \
	 (uint32_t)(fn) << 8 | ((reg) & 0xFCu))
#define PCI_CONFIG_BYTES 256     /* what mechanism #1 reaches */
#define PCIE_CONFIG_BYTES 4096   /* a PCI Express function's whole space */

/* ECAM: 4 KiB per function, at base + (bus << 20 | slot << 15 | fn << 12). */
#define PCIE_ECAM_OFFSET(bus, slot, fn)                                             \
	((uint64_t)(bus) << 20 | (uint64_t)(slot) << 15 | (uint64_t)(fn) << 12)

#define PCI_BUSES 256
#define PCI_SLOTS 32
#define PCI_FUNCTIONS 8
#define PCI_NO_DEVICE 0xFFFFu /* the vendor ID an empty slot reads */

/* The header (type 0 and 1 share the first 16 bytes). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION_ID 0x08
#define PCI_PROG_IF 0x09
#define PCI_SUBCLASS 0x0A
#define PCI_CLASS 0x0B
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10           /* BARs 0-5 (type 0), 0-1 (type 1), 4 bytes apart */
#define PCI_SUBSYSTEM_VENDOR_ID 0x2C
#define PCI_SUBSYSTEM_ID 0x2E
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3C /* what firmware wrote: not to be trusted */
#define PCI_INTERRUPT_PIN 0x3D  /* 0 none, 1-4 INTA#-INTD# */
#define PCI_SECONDARY_BUS 0x19  /* type 1 (bridges) */
#define PCI_SUBORDINATE_BUS 0x1A

#define PCI_COMMAND_IO 0x0001u
#define PCI_COMMAND_MEMORY 0x0002u
#define PCI_COMMAND_MASTER 0x0004u
#define PCI_COMMAND_INTX_DISABLE 0x0400u

#define PCI_STATUS_CAP_LIST 0x0010u

#define PCI_HEADER_TYPE_MASK 0x7Fu
#define PCI_HEADER_MULTIFUNCTION 0x80u
#define PCI_HEADER_NORMAL 0
#define PCI_HEADER_BRIDGE 1
#define PCI_BARS_NORMAL 6
#define PCI_BARS_BRIDGE 2

#define PCI_BAR_SPACE_IO 0x1u
#define PCI_BAR_MEM_TYPE_MASK 0x6u
#define PCI_BAR_MEM_TYPE_32 0x0u
#define PCI_BAR_MEM_TYPE_1M 0x2u  /* below 1 MiB: PCI 2.x, reserved since */
#define PCI_BAR_MEM_TYPE_64 0x4u  /* this BAR and the next hold 64 bits */
#define PCI_BAR_MEM_PREFETCH 0x8u
#define PCI_BAR_IO_MASK 0xFFFFFFFCu
#define PCI_BAR_MEM_MASK 0xFFFFFFF0u

/* Classes the drivers and `show pci` name (PCI Code and ID Assignment). */
#define PCI_CLASS_STORAGE 0x01
#define PCI_SUBCLASS_SATA 0x06
#define PCI_PROG_IF_AHCI 0x01
#define PCI_SUBCLASS_NVM 0x08
#define PCI_PROG_IF_NVME 0x02
#define PCI_CLASS_BRIDGE 0x06
#define PCI_SUBCLASS_HOST_BRIDGE 0x00

/* Capabilities (PCI 3.0, 6.7; IDs from the Code and ID Assignment). */
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_VENDOR 0x09
#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_NEXT 1           /* the byte after the ID */
#define PCI_CAP_PTR_MASK 0xFCu   /* the low two bits are reserved */
#define PCI_CAPS_MAX 48          /* (256 - 64) / 4: a bound on a looping list */

/* MSI (PCI 3.0, 6.8.1). */
#define PCI_MSI_FLAGS 2
#define PCI_MSI_FLAGS_ENABLE 0x0001u
#define PCI_MSI_FLAGS_QSIZE 0x0070u /* multiple message enable: 0 = one */
#define PCI_MSI_FLAGS_64BIT 0x0080u
#define PCI_MSI_FLAGS_MASKBIT 0x0100u
#define PCI_MSI_ADDRESS_LO 4
#define PCI_MSI_ADDRESS_HI 8     /* 64-bit layout only */
#define PCI_MSI_DATA_32 8
#define PCI_MSI_DATA_64 12
#define PCI_MSI_MASK_32 12       /* per-vector masking, 32-bit layout */
#define PCI_MSI_MASK_64 16

/* MSI-X (PCI 3.0, 6.8.2). */
#define PCI_MSIX_FLAGS 2
#define PCI_MSIX_FLAGS_QSIZE 0x07FFu /* table size - 1 */
#define PCI_MSIX_FLAGS_MASKALL 0x4000u
#define PCI_MSIX_FLAGS_ENABLE 0x8000u
#define PCI_MSIX_TABLE 4
#define PCI_MSIX_PBA 8
#define PCI_MSIX_BIR 0x7u        /* which BAR, in the low bits of TABLE/PBA */
#define PCI_MSIX_OFFSET_MASK 0xFFFFFFF8u
#define PCI_MSIX_ENTRY_SIZE 16
#define PCI_MSIX_ENTRY_ADDR_LO 0
#define PCI_MSIX_ENTRY_ADDR_HI 4
#define PCI_MSIX_ENTRY_DATA 8
#define PCI_MSIX_ENTRY_CTRL 12
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1u

/* PCI Express extended capabilities (PCIe 4.0, 7.6): a 32-bit header at
 * 0x100: ID bits 15:0, version 19:16, next offset 31:20. */
#define PCIE_EXT_CAP_START 0x100
#define PCIE_EXT_CAP_ID(h) ((h) & 0xFFFFu)
#define PCIE_EXT_CAP_VER(h) (((h) >> 16) & 0xFu)
#define PCIE_EXT_CAP_NEXT(h) (((h) >> 20) & 0xFFCu)
#define PCIE_EXT_CAPS_MAX 960    /* (4096 - 256) / 4: a bound on a looping list */

/* The ACPI MCFG table: after the 36-byte header, 8 reserved bytes, then
 * one entry per range of buses with ECAM (PCI Firmware 3.2, 4.1.2). */
#define MCFG_ENTRIES_OFFSET 44
struct mcfg_entry {
	uint64_t base;      /* the ECAM address of bus 0 of this segment */
	uint16_t segment;   /* PCI segment group: we reach group 0 only */
	uint8_t start_bus, end_bus;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct mcfg_entry) == 16, "PCI Firmware 3.2, table 4-3: 16 bytes");

#endif
