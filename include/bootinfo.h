/*
 * bootinfo.h - what the 64-bit loader hands to the 32-bit kernel.
 *
 * The loader fills one struct bootinfo in memory it allocated below
 * DIRECT_MAP_MAX, so the kernel reads it through the direct map at
 * phys + KERNEL_VIRT_BASE. Only fixed-width fields: the two sides are
 * compiled for different word sizes. Physical addresses are 64-bit even
 * though the kernel can only reach the low 4 GiB.
 */
#ifndef BOOTINFO_H
#define BOOTINFO_H

#include <stdint.h>

#include "config.h"

/*
 * A 64-bit field 8-byte aligned on both sides: i386 aligns plain uint64_t
 * struct members to 4 bytes, x86-64 to 8, which would shift every field
 * after the first misaligned one.
 */
typedef uint64_t bi_u64 __attribute__((aligned(8)));

#define BOOTINFO_MAGIC 0x49424750u /* "PGBI" */
/* Any change of the layout below bumps it: a loader and a kernel from
 * different trees then stop at the kernel's handoff check. 2: loader_flags
 * gone, tsc_khz moved up beside tsc_at_ebs. 3: boot_part. 4: cfg.swap. */
#define BOOTINFO_VERSION 4u
#define KERNEL_ENTRY_MAGIC 0x2BADB0B5u /* in EAX at kernel entry */

/* UEFI memory types, kept as the firmware numbered them. */
enum efi_mem_type {
	EFI_MEM_RESERVED = 0,
	EFI_MEM_LOADER_CODE,
	EFI_MEM_LOADER_DATA,
	EFI_MEM_BS_CODE,
	EFI_MEM_BS_DATA,
	EFI_MEM_RT_CODE,
	EFI_MEM_RT_DATA,
	EFI_MEM_CONVENTIONAL,
	EFI_MEM_UNUSABLE,
	EFI_MEM_ACPI_RECLAIM,
	EFI_MEM_ACPI_NVS,
	EFI_MEM_MMIO,
	EFI_MEM_MMIO_PORT,
	EFI_MEM_PAL_CODE,
	EFI_MEM_PERSISTENT,
	EFI_MEM_UNACCEPTED,
	EFI_MEM_NTYPES
};

#define EFI_MEM_ATTR_WB 0x8ull
#define EFI_MEM_ATTR_RUNTIME 0x8000000000000000ull

/* One range of the firmware memory map, as read just before ExitBootServices. */
struct bi_mem_range {
	bi_u64 base;
	bi_u64 pages; /* 4 KiB pages */
	bi_u64 attr;
	uint32_t type; /* enum efi_mem_type */
	uint32_t pad;
};

enum bi_fb_format {
	BI_FB_NONE = 0, /* no GOP, or BltOnly: nothing to draw on */
	BI_FB_RGBX,     /* PixelRedGreenBlueReserved8BitPerColor */
	BI_FB_BGRX,     /* PixelBlueGreenRedReserved8BitPerColor */
	BI_FB_BITMASK,  /* PixelBitMask: see the masks */
};

struct bi_framebuffer {
	bi_u64 base; /* physical; may lie above 4 GiB */
	bi_u64 size;
	uint32_t width, height;
	uint32_t stride; /* pixels per scan line, not the width */
	uint32_t format; /* enum bi_fb_format */
	uint32_t red_mask, green_mask, blue_mask;
	uint32_t pad;
};

/* A region the loader allocated that the kernel must not hand out. */
enum bi_keep_kind { BI_KEEP_KERNEL = 1, BI_KEEP_BOOTINFO, BI_KEEP_FILE };

struct bi_keep {
	bi_u64 base;
	bi_u64 size;
	uint32_t kind;
	uint32_t pad;
};

/* A file the loader read from the ESP for the kernel (a script). */
struct bi_file {
	bi_u64 phys;
	uint32_t size;
	int32_t status; /* 0 read; <0 missing or unreadable (size 0) */
	char path[CONFIG_PATH_MAX];
};

/* The partition the loader was started from: the Hard Drive node of its
 * Loaded Image's Device Path (UEFI 2.10, 10.3.5.1). The kernel finds the
 * boot disk by this GUID among the GPTs it reads (core/blk/gpt.c). */
struct bi_boot_part {
	uint8_t guid[16];  /* the GPT unique partition GUID, bytes as on disk */
	bi_u64 start_lba;  /* first block of the partition, in the disk's blocks */
	bi_u64 blocks;     /* its size in blocks */
	uint32_t number;   /* partition number, from 1 */
	uint32_t found;    /* 1: a GPT Hard Drive node was there; 0: none (MBR,
			    * El Torito, network boot) */
};

#define BI_MAX_KEEP 16
#define BI_MAX_FILES CONFIG_MAX_SCRIPTS
#define BI_LOG_SIZE 2048

struct bootinfo {
	uint32_t magic;
	uint32_t version;
	uint32_t size; /* of this struct, mmap array included */
	uint32_t tsc_khz; /* TSC ticks per millisecond, timed with Stall(); 0 unknown */

	bi_u64 tsc_at_ebs;     /* rdtsc right after ExitBootServices succeeded */
	uint32_t ebs_attempts;   /* 1 normally; 2 when the map key was stale */
	uint32_t cfg_found;      /* playground.cfg was present */
	bi_u64 loader_image_base; /* for gdb: add-symbol-file loader.so -o BASE */
	bi_u64 trampoline_phys;
	bi_u64 boot_pd_phys;

	bi_u64 kernel_phys;  /* physical base of the loaded image */
	uint32_t kernel_virt;  /* virtual base (= phys + KERNEL_VIRT_BASE) */
	uint32_t kernel_size;  /* bytes, bss included */
	uint32_t kernel_delta; /* relocation applied: virt - link address */
	uint32_t kernel_relocs;

	bi_u64 rsdp;     /* ACPI RSDP, 0 if none */
	uint32_t rsdp_rev; /* 0: ACPI 1.0, 2: ACPI 2.0+ */
	uint32_t serial_in_conout; /* firmware mirrored ConOut to a UART */
	struct bi_boot_part boot_part;

	struct bi_framebuffer fb;
	struct pg_config cfg;

	uint32_t nkeep;
	uint32_t nfiles;
	struct bi_keep keep[BI_MAX_KEEP]; /* keep[0]: this bootinfo's own pages */
	struct bi_file files[BI_MAX_FILES];

	/* Lines the loader printed, replayed by the kernel into its log. */
	uint32_t loader_log_len;
	char loader_log[BI_LOG_SIZE];

	uint32_t mmap_count;    /* entries filled */
	uint32_t mmap_capacity; /* entries room was made for */
	bi_u64 mmap_desc_size; /* firmware DescriptorSize: the stride room was made for */
	struct bi_mem_range mmap[]; /* unsorted, as the firmware gave it */
};


_Static_assert(sizeof(struct bi_mem_range) == 32, "bi_mem_range layout");
_Static_assert(sizeof(struct bi_framebuffer) % 8 == 0, "bi_framebuffer layout");
_Static_assert(sizeof(struct bi_boot_part) == 40, "bi_boot_part layout");
_Static_assert(sizeof(struct bootinfo) % 8 == 0, "bootinfo layout");

#endif
