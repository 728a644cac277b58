/*
 * gpt.h - the GUID Partition Table (UEFI 2.10, 5.3), read by gpt.c at
 * boot for each disk a driver registered; each partition becomes a
 * blk_dev window (BLK_PARTITION). Our swap partition is the one with our
 * own type GUID and our name (docs/storage.md); every other partition is
 * registered read-only.
 */
#ifndef CORE_BLK_GPT_H
#define CORE_BLK_GPT_H

#include <stdint.h>

#include "core/blk/blk.h"

/* The on-disk layout (UEFI 2.10, tables 5-5 and 5-6; Linux's
 * block/partitions/efi.h). All fields little-endian. */
#define GPT_SIGNATURE "EFI PART"
#define GPT_HEADER_LBA 1
#define GPT_HEADER_SIZE_MIN 92 /* the fields below; the rest of the sector is 0 */
#define GPT_ENTRY_SIZE 128     /* the only size we read (as Linux) */
#define GPT_MAX_ENTRIES 1024   /* 128 KiB of entries; tools write 128 */
#define GPT_NAME_UNITS 36      /* UTF-16 code units in a partition name */
#define GPT_GUID_SIZE 16

struct gpt_header {
	char signature[8];
	uint32_t revision;
	uint32_t header_size;
	uint32_t header_crc32; /* over header_size bytes with this field 0 */
	uint32_t reserved;
	uint64_t my_lba;
	uint64_t alternate_lba;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba; /* inclusive */
	uint8_t disk_guid[GPT_GUID_SIZE];
	uint64_t entries_lba;
	uint32_t num_entries;
	uint32_t entry_size;
	uint32_t entries_crc32;
} __attribute__((packed));

struct gpt_entry {
	uint8_t type_guid[GPT_GUID_SIZE]; /* all zero: the entry is unused */
	uint8_t unique_guid[GPT_GUID_SIZE];
	uint64_t first_lba;
	uint64_t last_lba; /* inclusive */
	uint64_t attributes;
	uint16_t name[GPT_NAME_UNITS];
} __attribute__((packed));

_Static_assert(sizeof(struct gpt_header) == GPT_HEADER_SIZE_MIN, "UEFI 2.10 table 5-5: 92 bytes");
_Static_assert(sizeof(struct gpt_entry) == GPT_ENTRY_SIZE, "UEFI 2.10 table 5-6: 128 bytes");

/*
 * Our swap partition: this type GUID (made for this project with a
 * random generator; it means nothing to any other system) and this
 * partition name, both required. In the mixed-endian byte order GPT
 * stores: the first three fields little-endian.
 * 5F2E10B8-696F-4B47-BF6C-FE8AF08F452A
 */
#define PG_SWAP_TYPE_GUID_TEXT "5F2E10B8-696F-4B47-BF6C-FE8AF08F452A"
#define PG_SWAP_TYPE_GUID                                                              \
	{ 0xb8, 0x10, 0x2e, 0x5f, 0x6f, 0x69, 0x47, 0x4b,                              \
	  0xbf, 0x6c, 0xfe, 0x8a, 0xf0, 0x8f, 0x45, 0x2a }
#define PG_SWAP_NAME "playground-swap"
/* Smaller than this, a swap partition is refused: 256 pages. */
#define PG_SWAP_MIN_BYTES (1024u * 1024u)

/* What gpt_read found on a disk. */
enum gpt_status {
	GPT_OK,        /* the primary header and entries are good */
	GPT_BACKUP,    /* the primary is bad, the backup is good: it is used */
	GPT_NONE,      /* neither header has the signature: no GPT at all */
	GPT_CORRUPT,   /* a signature, but neither copy checks out */
	GPT_UNREADABLE /* the disk failed the reads */
};

/* A partition as read (for `show gpt` and the choice of swap). */
struct gpt_part {
	struct blk_dev *dev;  /* its window, or NULL when refused */
	uint32_t index;       /* entry number, from 1 */
	uint8_t type_guid[GPT_GUID_SIZE], unique_guid[GPT_GUID_SIZE];
	uint64_t first_lba, last_lba;
	uint64_t attributes;
	char name[GPT_NAME_UNITS + 1]; /* ASCII; other characters as '?' */
	int ours;             /* our type GUID (whether or not swap may use it) */
	/* Why it is not registered (dev NULL), or for one of ours why swap
	 * may not use it (registered read-only); empty otherwise. */
	char note[72];
};

/*
 * Read the GPT of disk, checking both CRCs and every field against the
 * disk's size, falling back to the backup header; register each sane
 * partition as "<disk>p<n>" (blk_add_partition). Logs what it found.
 * Returns the status; on any but GPT_OK and GPT_BACKUP nothing is
 * registered and the disk is not used. Boot or task context.
 */
enum gpt_status gpt_read(struct blk_dev *disk);

/*
 * At boot, after the drivers: read the GPT of every disk, find the boot
 * partition (its unique GUID and first LBA from the loader; have_boot 0
 * when the loader gave none) and choose the swap partition; log both.
 */
void gpt_scan_all(const uint8_t boot_guid[GPT_GUID_SIZE], uint64_t boot_lba, int have_boot);

/* `show gpt [disk]`: the table of one disk, or of each. */
void gpt_print(const char *disk);

#endif
