/*
 * ahci_hw.h - AHCI 1.3.1 (Serial ATA AHCI, Intel) registers and DMA
 * structures, and the few ATA commands a disk driver sends (ATA/ATAPI
 * Command Set, ACS-3), by the specs' names.
 *
 * Sources: AHCI 1.3.1 sections 3.1 (generic host control), 3.3 (port
 * registers), 4.2 (received FIS, command list, command table), 10.6
 * (BIOS/OS handoff); SATA 3.x 10.5.6 (Register H2D FIS); ACS-3 7.12
 * (IDENTIFY DEVICE words). Cross-checked with Linux's drivers/ata/ahci.h
 * and QEMU's hw/ide/ahci_internal.h.
 */
#ifndef DRIVERS_AHCI_HW_H
#define DRIVERS_AHCI_HW_H

#include <stdint.h>

#define AHCI_ABAR 5 /* the HBA's registers: BAR5 */

/* Generic host control (3.1). */
#define AHCI_CAP 0x00
#define AHCI_GHC 0x04
#define AHCI_IS 0x08 /* a bit per port with an interrupt pending; write 1 to clear */
#define AHCI_PI 0x0C /* ports implemented: a bitmap, gaps allowed */
#define AHCI_VS 0x10
#define AHCI_CAP2 0x24
#define AHCI_BOHC 0x28

#define AHCI_CAP_S64A (1u << 31)
#define AHCI_CAP_SSS (1u << 27) /* staggered spin-up: software sets PxCMD.SUD */
#define AHCI_CAP_NCS(cap) ((((cap) >> 8) & 0x1Fu) + 1) /* command slots */
#define AHCI_CAP_NP(cap) (((cap)&0x1Fu) + 1)           /* ports */
#define AHCI_GHC_HR (1u << 0)
#define AHCI_GHC_IE (1u << 1)
#define AHCI_GHC_AE (1u << 31)
#define AHCI_CAP2_BOH (1u << 0) /* BIOS/OS handoff supported */
#define AHCI_BOHC_BOS (1u << 0) /* BIOS owned */
#define AHCI_BOHC_OOS (1u << 1) /* OS owned */
#define AHCI_BOHC_BB (1u << 4)  /* BIOS busy: still finishing a command */
#define AHCI_NO_ANSWER 0xFFFFFFFFu

/* Port registers (3.3), at 0x100 + 0x80 * port. */
#define AHCI_PORT_BASE 0x100
#define AHCI_PORT_STRIDE 0x80
#define AHCI_MAX_PORTS 32
#define PORT_CLB 0x00
#define PORT_CLBU 0x04
#define PORT_FB 0x08
#define PORT_FBU 0x0C
#define PORT_IS 0x10
#define PORT_IE 0x14
#define PORT_CMD 0x18
#define PORT_TFD 0x20
#define PORT_SIG 0x24
#define PORT_SSTS 0x28
#define PORT_SCTL 0x2C
#define PORT_SERR 0x30
#define PORT_SACT 0x34
#define PORT_CI 0x38

#define PORT_CMD_ST (1u << 0)   /* start: process the command list */
#define PORT_CMD_SUD (1u << 1)  /* spin up device (with CAP.SSS) */
#define PORT_CMD_CLO (1u << 3)  /* command list override: clear BSY/DRQ */
#define PORT_CMD_FRE (1u << 4)  /* FIS receive enable */
#define PORT_CMD_FR (1u << 14)  /* FIS receive running */
#define PORT_CMD_CR (1u << 15)  /* command list running */

#define PORT_IS_DHRS (1u << 0)  /* a Register D2H FIS arrived (a command ended) */
#define PORT_IS_PSS (1u << 1)   /* PIO setup */
#define PORT_IS_DSS (1u << 2)   /* DMA setup */
#define PORT_IS_SDBS (1u << 3)  /* Set Device Bits */
#define PORT_IS_DPS (1u << 5)   /* a PRD with its I bit was done */
#define PORT_IS_OFS (1u << 24)  /* overflow */
#define PORT_IS_INFS (1u << 26) /* interface non-fatal error */
#define PORT_IS_IFS (1u << 27)  /* interface fatal error */
#define PORT_IS_HBDS (1u << 28) /* host bus data error */
#define PORT_IS_HBFS (1u << 29) /* host bus fatal error */
#define PORT_IS_TFES (1u << 30) /* task file error: the device said ERR */
#define PORT_IS_ERRORS                                                                   \
	(PORT_IS_TFES | PORT_IS_HBFS | PORT_IS_HBDS | PORT_IS_IFS | PORT_IS_INFS | PORT_IS_OFS)
#define PORT_IE_WANTED (PORT_IS_DHRS | PORT_IS_SDBS | PORT_IS_DPS | PORT_IS_ERRORS)

#define PORT_TFD_STS(t) ((t)&0xFFu)
#define PORT_TFD_ERR(t) (((t) >> 8) & 0xFFu)
#define ATA_STS_ERR 0x01u
#define ATA_STS_DRQ 0x08u
#define ATA_STS_BSY 0x80u

#define PORT_SSTS_DET(s) ((s)&0xFu)
#define PORT_DET_NONE 0    /* no device */
#define PORT_DET_PRESENT 3 /* device present, phy communication up */
#define PORT_SCTL_DET_MASK 0xFu
#define PORT_SCTL_DET_COMRESET 1u

/* What PxSIG holds once the device's first D2H FIS arrived. */
#define SATA_SIG_ATA 0x00000101u
#define SATA_SIG_ATAPI 0xEB140101u
#define SATA_SIG_SEMB 0xC33C0101u
#define SATA_SIG_PM 0x96690101u

/* Command header (4.2.2): 32 bytes, 32 of them in the command list. */
struct ahci_cmd_header {
	uint32_t flags;  /* CFL 4:0 (FIS dwords), W bit 6, PRDTL 31:16 */
	uint32_t prdbc;  /* bytes transferred, written by the HBA */
	uint32_t ctba;   /* command table, 128-byte aligned */
	uint32_t ctbau;
	uint32_t reserved[4];
};
#define AHCI_CMD_CFL(dwords) ((uint32_t)(dwords)&0x1Fu)
#define AHCI_CMD_WRITE (1u << 6)
#define AHCI_CMD_PRDTL(n) ((uint32_t)(n) << 16)
#define AHCI_CMD_LIST_BYTES 1024 /* 32 headers; 1 KiB-aligned */
#define AHCI_RX_FIS_BYTES 256    /* 256-byte aligned */

/* Physical region descriptor (4.2.3.3): 16 bytes. */
struct ahci_prd {
	uint32_t dba, dbau, reserved;
	uint32_t dbc; /* byte count - 1 in bits 21:0 (even count), I bit 31 */
};
#define AHCI_PRD_BYTES_MAX (4u << 20)
#define AHCI_PRD_IRQ (1u << 31)

/* Command table (4.2.3): the command FIS, an ATAPI command, then PRDs. */
#define AHCI_CT_PRDT 0x80
struct ahci_cmd_table {
	uint8_t cfis[64];
	uint8_t acmd[16];
	uint8_t reserved[48];
	struct ahci_prd prdt[]; /* PRDTL of them */
};

/* Register Host-to-Device FIS (SATA 3.x, 10.5.6): 20 bytes. */
#define FIS_TYPE_REG_H2D 0x27
#define FIS_H2D_COMMAND 0x80 /* byte 1: a command, not a control update */
struct fis_reg_h2d {
	uint8_t type, flags, command, feature_lo;
	uint8_t lba0, lba1, lba2, device;
	uint8_t lba3, lba4, lba5, feature_hi;
	uint8_t count_lo, count_hi, icc, control;
	uint8_t aux[4];
};

_Static_assert(sizeof(struct ahci_cmd_header) == 32, "AHCI 1.3.1, 4.2.2: 32-byte headers");
_Static_assert(sizeof(struct ahci_prd) == 16, "AHCI 1.3.1, 4.2.3.3: 16-byte PRDs");
_Static_assert(sizeof(struct ahci_cmd_table) == AHCI_CT_PRDT, "AHCI 1.3.1, 4.2.3: PRDT at 0x80");
_Static_assert(sizeof(struct fis_reg_h2d) == 20, "SATA 3.x, 10.5.6: a 5-dword FIS");

/* ATA commands (ACS-3) and the IDENTIFY DEVICE words we read. */
#define ATA_CMD_IDENTIFY 0xEC
#define ATA_CMD_READ_DMA_EXT 0x25
#define ATA_CMD_WRITE_DMA_EXT 0x35
#define ATA_DEVICE_LBA 0x40
#define ATA_SECTOR_SIZE 512
#define ATA_ID_WORDS 256
#define ATA_ID_SERIAL 10         /* 10 words, bytes swapped in each */
#define ATA_ID_MODEL 27          /* 20 words, likewise */
#define ATA_ID_COMMAND_SET_2 83  /* bit 10: 48-bit addresses */
#define ATA_ID_LBA48_SUPPORTED (1u << 10)
#define ATA_ID_LBA48_SECTORS 100 /* 4 words, least significant first */
#define ATA_ID_SECTOR_SIZE 106   /* bit 14 set, 15 clear: valid; bit 12: long logical sectors */
#define ATA_ID_LOGICAL_WORDS 117 /* 2 words: words per logical sector */
#define ATA_ID_SIZE_VALID_MASK 0xC000u
#define ATA_ID_SIZE_VALID 0x4000u
#define ATA_ID_LONG_LOGICAL (1u << 12)

#endif
