/*
 * test_gpt.c - the GPT reader (core/blk/gpt.c) over memory-backed disks
 * (test/host/sim/memdisk.c) with tables written here: good ones, a bad
 * primary with the backup used, both bad, none, unreadable, every header
 * check alone and every partition check; the rules for swap (our type
 * and name, big enough, on a writable disk; the boot disk first; the
 * boot partition on no disk we drive); 4 KiB sectors; and CRC-32.
 *
 * blk.c and gpt.c are included whole, so each test starts from their
 * boot state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/blk/blk.c"
#include "core/blk/gpt.c"
#include "test/host/sim/memdisk.h"
#include "test/host/sim/sim.h"

#define PAGES 1024
#define LOW 512
#define TSC_KHZ 1 /* timeouts of BLK_TIMEOUT_MS simulated ticks */

static struct memdisk md[3];

static void blk_state_reset(void)
{
	devs_head = devs_tail = 0;
	npartitions = 0;
	total_inflight = 0;
	ndisks = nparts = 0;
	boot_part = swap_part = 0;
}

static void run_all(void)
{
	for (unsigned i = 0; i < 3; i++)
		memdisk_run(&md[i]);
}

static int setup(void **state)
{
	(void)state;
	sim_boot(PAGES, LOW);
	log_level = LOG_NORMAL;
	blk_state_reset();
	blk_init(TSC_KHZ);
	sim_tsc = 0;
	sim_tsc_step = 1;
	sim_sleeps = sim_wakes = 0;
	sim_interrupt = run_all;
	need_resched = 0;
	current = 0; /* the boot context */
	for (unsigned i = 0; i < 3; i++) {
		char name[8];
		snprintf(name, sizeof name, "md%u", i);
		memdisk_init(&md[i], name, 512, 4096); /* 2 MiB each */
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 3; i++)
		memdisk_free(&md[i]);
	current = 0;
	return 0;
}

static int logged(const char *part)
{
	return strstr(sim_log, part) != NULL;
}

#define assert_logged(part)                                                              \
	do {                                                                             \
		if (!logged(part))                                                       \
			fail_msg("not logged: %s\n---- log ----\n%s", part, sim_log);    \
	} while (0)

static pfn_t page(void)
{
	pfn_t p = pmm_alloc_page(PMM_USER | PMM_ZERO, PAGE_KERNEL);

	assert_true(p != 0);
	return p;
}

static uint8_t *bytes(pfn_t p)
{
	return page_address(p, KMAP_PEEK);
}

/* --------------------------------------------------------------- crc */

static void test_crc32(void **state)
{
	(void)state;
	assert_int_equal(crc32("123456789", 9), 0xCBF43926u);
	uint32_t c = crc32_update(CRC32_START, "1234", 4);
	assert_int_equal(crc32_end(crc32_update(c, "56789", 5)), 0xCBF43926u);
	assert_int_equal(crc32("", 0), 0);
}

/* -------------------------------------------------------------- GPT */

static const uint8_t esp_type[16] = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
				      0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };
static const uint8_t linux_swap_type[16] = { 0x6d, 0xfd, 0x57, 0x06, 0xab, 0xa4, 0xc4, 0x43,
					     0x84, 0xe5, 0x09, 0x33, 0xc8, 0x4b, 0x4f, 0x4f };
static const uint8_t our_type[16] = PG_SWAP_TYPE_GUID;

struct tpart {
	const uint8_t *type;
	const char *name;
	uint64_t first, last;
	uint8_t unique; /* the unique GUID: 16 times this byte */
};

#define NENTRIES 128

static uint32_t array_sectors(const struct memdisk *m)
{
	return NENTRIES * GPT_ENTRY_SIZE / m->dev.sector_size;
}

static uint8_t *sector(struct memdisk *m, uint64_t lba)
{
	return m->data + lba * m->dev.sector_size;
}

/* The header at lba, its CRC made right again after a change. */
static struct gpt_header *header_at(struct memdisk *m, uint64_t lba)
{
	return (struct gpt_header *)sector(m, lba);
}

static void header_fix(struct memdisk *m, uint64_t lba)
{
	struct gpt_header *h = header_at(m, lba);

	h->header_crc32 = 0;
	h->header_crc32 = crc32(h, h->header_size < 512 ? h->header_size : 92);
}

/* A GPT with these partitions, both copies, CRCs right. */
static void gpt_build(struct memdisk *m, const struct tpart *p, unsigned n)
{
	uint64_t last = m->dev.sectors - 1;
	uint32_t as = array_sectors(m);
	struct gpt_entry entries[NENTRIES];

	memset(entries, 0, sizeof entries);
	for (unsigned i = 0; i < n; i++) {
		memcpy(entries[i].type_guid, p[i].type, 16);
		memset(entries[i].unique_guid, p[i].unique, 16);
		entries[i].first_lba = p[i].first;
		entries[i].last_lba = p[i].last;
		for (unsigned k = 0; p[i].name[k] && k < GPT_NAME_UNITS; k++)
			entries[i].name[k] = (uint16_t)(unsigned char)p[i].name[k];
	}
	memcpy(sector(m, 2), entries, sizeof entries);
	memcpy(sector(m, last - as), entries, sizeof entries);
	for (int copy = 0; copy < 2; copy++) {
		uint64_t at = copy ? last : 1;
		struct gpt_header *h = header_at(m, at);
		memset(h, 0, m->dev.sector_size);
		memcpy(h->signature, GPT_SIGNATURE, 8);
		h->revision = 0x00010000;
		h->header_size = 92;
		h->my_lba = at;
		h->alternate_lba = copy ? 1 : last;
		h->first_usable_lba = 2 + as;
		h->last_usable_lba = last - as - 1;
		memset(h->disk_guid, 0xD0 + (int)m->dev.sector_size / 512, 16);
		h->entries_lba = copy ? last - as : 2;
		h->num_entries = NENTRIES;
		h->entry_size = GPT_ENTRY_SIZE;
		h->entries_crc32 = crc32(entries, sizeof entries);
		header_fix(m, at);
	}
}

/* ESP, ours (1 MiB + a bit), a Linux filesystem. */
static const struct tpart usual[] = {
	{ esp_type, "EFI", 40, 1023, 0x11 },
	{ our_type, PG_SWAP_NAME, 1024, 3199, 0x22 },
	{ linux_swap_type, "linux", 3200, 3999, 0x33 },
};

static void test_gpt_good(void **state)
{
	(void)state;
	gpt_build(&md[0], usual, 3);
	blk_register(&md[0].dev);
	assert_int_equal(gpt_read(&md[0].dev), GPT_OK);
	struct blk_dev *p1 = blk_find("md0p1"), *p2 = blk_find("md0p2"), *p3 = blk_find("md0p3");
	assert_non_null(p1);
	assert_non_null(p2);
	assert_non_null(p3);
	assert_int_equal(p2->start, 1024);
	assert_int_equal(p2->sectors, 2176); /* last inclusive */
	assert_true(p1->flags & BLK_READONLY);
	assert_false(p2->flags & BLK_READONLY);
	assert_true(p3->flags & BLK_READONLY);
	assert_logged("gpt: md0p2: LBA 1024-3199 (1 MiB), playground swap, 'playground-swap': "
		      "swap may use it");
	assert_logged("gpt: md0p3: LBA 3200-3999 (0 MiB), Linux swap, 'linux'\n");
	gpt_scan_all((uint8_t[16]){ 0 }, 0, 0);
	assert_ptr_equal(blk_swap_partition(), blk_find("md0p2"));
	assert_logged("blk: swap partition: md0p2, 1 MiB");
}

static void test_gpt_backup_used(void **state)
{
	(void)state;
	gpt_build(&md[0], usual, 3);
	header_at(&md[0], 1)->header_crc32 ^= 1;
	blk_register(&md[0].dev);
	assert_int_equal(gpt_read(&md[0].dev), GPT_BACKUP);
	assert_non_null(blk_find("md0p2"));
	assert_logged("gpt: md0: primary header bad (header CRC");
	assert_logged(": using the backup at LBA 4095");
}

/* A good primary header over a damaged entry array: the backup serves. */
static void test_gpt_primary_entries_bad(void **state)
{
	(void)state;
	gpt_build(&md[0], usual, 3);
	sector(&md[0], 2)[40] ^= 0xFF;
	blk_register(&md[0].dev);
	assert_int_equal(gpt_read(&md[0].dev), GPT_BACKUP);
	assert_logged("primary header bad (entry array CRC");
	assert_int_equal(blk_find("md0p1")->start, 40);
}

static void test_gpt_both_bad(void **state)
{
	(void)state;
	gpt_build(&md[0], usual, 3);
	header_at(&md[0], 1)->header_crc32 ^= 1;
	sector(&md[0], 4095 - 32)[40] ^= 0xFF;
	blk_register(&md[0].dev);
	assert_int_equal(gpt_read(&md[0].dev), GPT_CORRUPT);
	assert_null(blk_find("md0p1"));
	assert_logged("gpt: md0: GPT corrupt (primary: header CRC");
	assert_logged("backup: entry array CRC");
	assert_logged("): disk not used");
}

static void test_gpt_none(void **state)
{
	(void)state;
	blk_register(&md[0].dev);
	assert_int_equal(gpt_read(&md[0].dev), GPT_NONE);
	assert_logged("gpt: md0: no GPT (no 'EFI PART' at LBA 1 or at the last LBA): disk not used");
	gpt_scan_all((uint8_t[16]){ 0 }, 0, 0);
	assert_null(blk_swap_partition());
	assert_logged("blk: no swap partition (type " PG_SWAP_TYPE_GUID_TEXT);
}

static void test_gpt_unreadable(void **state)
{
	(void)state;
	gpt_build(&md[0], usual, 3);
	memdisk_fail(&md[0], BLK_READ, 1, -1);
	memdisk_fail(&md[0], BLK_READ, 4095, -1);
	blk_register(&md[0].dev);
	assert_int_equal(gpt_read(&md[0].dev), GPT_UNREADABLE);
	assert_logged("gpt: md0: GPT unreadable (primary: unreadable (-5); backup: unreadable (-5))");
	assert_null(blk_find("md0p1"));
}

/* Each header check on its own: the primary is refused for it (CRC made
 * right), the backup then serves. */
enum spoil { SIZE_SMALL, SIZE_BIG, MY_LBA, USABLE_PAST, USABLE_BACKWARDS, ENTRY_SIZE,
	     NO_ENTRIES, MANY_ENTRIES, ARRAY_IN_USABLE, ARRAY_PAST, ARRAY_ON_HEADER, SIGNATURE };

static void spoil(struct gpt_header *h, enum spoil how)
{
	switch (how) {
	case SIZE_SMALL: h->header_size = 91; break;
	case SIZE_BIG: h->header_size = 513; break;
	case MY_LBA: h->my_lba = 7; break;
	case USABLE_PAST: h->last_usable_lba = 4096; break;
	case USABLE_BACKWARDS: h->first_usable_lba = h->last_usable_lba + 1; break;
	case ENTRY_SIZE: h->entry_size = 64; break;
	case NO_ENTRIES: h->num_entries = 0; break;
	case MANY_ENTRIES: h->num_entries = 2000; break;
	case ARRAY_IN_USABLE: h->entries_lba = 100; break;
	case ARRAY_PAST: h->entries_lba = 4090; break;
	case ARRAY_ON_HEADER: h->entries_lba = 1; break;
	case SIGNATURE: h->signature[0] = 'X'; break;
	}
}

static void test_gpt_header_checks(void **state)
{
	static const struct {
		enum spoil how;
		const char *why;
	} cases[] = {
		{ SIZE_SMALL, "header size 91" },
		{ SIZE_BIG, "header size 513" },
		{ MY_LBA, "it says it is at LBA 7" },
		{ USABLE_PAST, "usable range outside the disk" },
		{ USABLE_BACKWARDS, "usable range outside the disk" },
		{ ENTRY_SIZE, "entry size 64 (only 128 is read)" },
		{ NO_ENTRIES, "0 entries" },
		{ MANY_ENTRIES, "2000 entries" },
		{ ARRAY_IN_USABLE, "entry array outside the disk or inside the usable range" },
		{ ARRAY_PAST, "entry array outside the disk or inside the usable range" },
		{ ARRAY_ON_HEADER, "entry array outside the disk or inside the usable range" },
		{ SIGNATURE, "no signature" },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		setup(NULL);
		gpt_build(&md[0], usual, 3);
		spoil(header_at(&md[0], 1), cases[i].how);
		if (header_at(&md[0], 1)->header_size <= 512)
			header_fix(&md[0], 1);
		blk_register(&md[0].dev);
		assert_int_equal(gpt_read(&md[0].dev), GPT_BACKUP);
		char line[160];
		snprintf(line, sizeof line, "gpt: md0: primary header bad (%s): using the backup",
			 cases[i].why);
		assert_logged(line);
		teardown(NULL);
	}
}

/* Partitions that do not fit are left out; the others stay. */
static void test_gpt_partition_checks(void **state)
{
	const struct tpart bad[] = {
		{ esp_type, "EFI", 40, 1023, 0x11 },
		{ esp_type, "backwards", 2000, 1999, 0x12 },
		{ esp_type, "beyond", 3000, 4090, 0x13 },
		{ our_type, PG_SWAP_NAME, 1000, 3000, 0x14 }, /* overlaps the first */
	};

	(void)state;
	gpt_build(&md[0], bad, 4);
	blk_register(&md[0].dev);
	assert_int_equal(gpt_read(&md[0].dev), GPT_OK);
	assert_null(blk_find("md0p2"));
	assert_null(blk_find("md0p3"));
	assert_null(blk_find("md0p4"));
	assert_null(blk_find("md0p1")); /* overlapped too: neither is trusted */
	assert_logged("gpt: md0p2: LBA 2000-1999 (0 MiB), EFI system, 'backwards': not used: its "
		      "first LBA is past its last");
	assert_logged("gpt: md0p3: LBA 3000-4090 (0 MiB), EFI system, 'beyond': not used: "
		      "outside the table's usable range");
	assert_logged("gpt: md0p4: LBA 1000-3000 (0 MiB), playground swap, 'playground-swap': not "
		      "used: overlaps partition 1");
	gpt_scan_all((uint8_t[16]){ 0 }, 0, 0);
	assert_null(blk_swap_partition());
}

/* Ours only with our name, at least PG_SWAP_MIN_BYTES, on a writable disk. */
static void test_gpt_swap_rules(void **state)
{
	const struct tpart parts[] = {
		{ our_type, "swap", 40, 2999, 0x21 },
		{ our_type, PG_SWAP_NAME, 3000, 3500, 0x22 },
		{ linux_swap_type, PG_SWAP_NAME, 3501, 3990, 0x23 },
	};
	const struct tpart good[] = { { our_type, PG_SWAP_NAME, 40, 3000, 0x31 } };

	(void)state;
	gpt_build(&md[0], parts, 3);
	gpt_build(&md[1], good, 1);
	md[1].dev.flags = BLK_MEDIA_RO;
	blk_register(&md[0].dev);
	blk_register(&md[1].dev);
	gpt_scan_all((uint8_t[16]){ 0 }, 0, 0);
	for (unsigned i = 1; i <= 3; i++) {
		char name[8];
		snprintf(name, sizeof name, "md0p%u", i);
		assert_non_null(blk_find(name));
		assert_true(blk_find(name)->flags & BLK_READONLY);
	}
	assert_true(blk_find("md1p1")->flags & BLK_MEDIA_RO);
	assert_null(blk_swap_partition());
	assert_logged("not used: our type but the name 'swap', not 'playground-swap'");
	assert_logged("not used: too small for swap: 250 KiB, at least 1024 KiB");
	assert_logged("gpt: md1p1: LBA 40-3000 (1 MiB), playground swap, 'playground-swap': not "
		      "used: the disk is read-only");
	assert_logged("blk: no swap partition");
	pfn_t p = page();
	assert_int_equal(blk_rw(blk_find("md0p2"), BLK_WRITE, 0, 8, &p, 1, 0), -EROFS);
	page_ref_dec(p);
}

/* Several disks carry ours: the boot disk's wins; without one the first. */
static void test_gpt_boot_disk_wins(void **state)
{
	struct tpart esp = { esp_type, "EFI", 40, 1023, 0x44 };
	struct tpart ours = { our_type, PG_SWAP_NAME, 1024, 3999, 0x45 };
	const struct tpart a[] = { ours }, b[] = { esp, ours };
	uint8_t boot_guid[16];

	(void)state;
	gpt_build(&md[0], a, 1);
	gpt_build(&md[1], b, 2);
	blk_register(&md[0].dev);
	blk_register(&md[1].dev);
	memset(boot_guid, 0x44, 16);
	gpt_scan_all(boot_guid, 40, 1);
	assert_ptr_equal(blk_boot_partition(), blk_find("md1p1"));
	assert_ptr_equal(blk_swap_partition(), blk_find("md1p2"));
	assert_logged("blk: boot partition: md1p1 (GPT GUID 44444444-4444-4444-4444-444444444444)");
	assert_logged("blk: swap partition: md1p2, 1 MiB, on the boot disk");
	assert_logged("blk: md0p1 is ours too: not used (one swap partition)");
}

/* The loader's partition is on no disk we drive (a USB stick): said so,
 * and swap is taken where it is. A GUID with the wrong first LBA is not
 * the boot partition. */
static void test_gpt_boot_elsewhere(void **state)
{
	uint8_t boot_guid[16];

	(void)state;
	gpt_build(&md[0], usual, 3);
	blk_register(&md[0].dev);
	memset(boot_guid, 0x11, 16);
	gpt_scan_all(boot_guid, 41, 1);
	assert_null(blk_boot_partition());
	assert_ptr_equal(blk_swap_partition(), blk_find("md0p2"));
	assert_logged("blk: the boot partition (GPT GUID 11111111-1111-1111-1111-111111111111, LBA "
		      "41) is not on any disk we drive (1 disk): a USB stick? This kernel has no "
		      "USB storage driver");
}

static void test_gpt_4k_sectors(void **state)
{
	const struct tpart parts[] = { { our_type, PG_SWAP_NAME, 10, 400, 0x55 } };

	(void)state;
	memdisk_free(&md[0]);
	memdisk_init(&md[0], "md0", 4096, 512);
	gpt_build(&md[0], parts, 1);
	blk_register(&md[0].dev);
	assert_int_equal(gpt_read(&md[0].dev), GPT_OK);
	struct blk_dev *p = blk_find("md0p1");
	assert_non_null(p);
	assert_int_equal(p->sector_size, 4096);
	assert_int_equal(p->sectors, 391);
	pfn_t pg = page();
	memset(bytes(pg), 0xE1, PGSIZE);
	assert_int_equal(blk_rw(p, BLK_WRITE, 390, 1, &pg, 1, 0), 0);
	assert_int_equal(md[0].data[400 * 4096 + 4095], 0xE1);
	page_ref_dec(pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crc32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_backup_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_primary_entries_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_both_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_unreadable, setup, teardown),
		cmocka_unit_test(test_gpt_header_checks),
		cmocka_unit_test_setup_teardown(test_gpt_partition_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_swap_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_boot_disk_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_boot_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpt_4k_sectors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
