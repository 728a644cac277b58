/* test_pmm_map.c - page rounding of 64-bit addresses, and pmm_init() on a
 * memory map with RAM above 4 GiB, as every PC with more than 3-4 GiB has.
 *
 * PG_ROUND_UP once cut its argument to 32 bits: a range starting at 4 GiB
 * rounded to 0, and pmm_init() then marked every page from 0 up as free,
 * the VGA hole and firmware ranges included (found booting 8 GiB in QEMU). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/memmap.h"
#include "sim.h"

#define FOUR_GIB_U64 0x100000000ull
#define SIM_PAGES 2048u          /* 8 MiB of simulated RAM, all direct-mapped */
#define HOLE_START_PFN 0xA0u     /* the legacy VGA and BIOS area, 640 KiB - 1 MiB */
#define HOLE_END_PFN 0x100u
#define HIGH_RANGE_PAGES 0x40000u /* 1 GiB above 4 GiB */

static void test_rounding_keeps_64_bits(void **state)
{
	(void)state;
	uint64_t four = FOUR_GIB_U64;

	assert_true(PG_ROUND_UP(four) == four);
	assert_true(PG_ROUND_UP(four + 1) == four + PGSIZE);
	assert_true(PG_ROUND_DOWN(four + PGSIZE - 1) == four);
	assert_true(PG_ROUND_DOWN(0x123456789ull) == 0x123456000ull);
	assert_true(PG_ROUND_UP(0x1FFFFFFFFull) == 0x200000000ull);
}

static void test_rounding_32_bits_unchanged(void **state)
{
	(void)state;
	uint32_t top = 0xFFFFF001u;

	assert_int_equal(PG_ROUND_UP(top), 0); /* wraps as 32-bit arithmetic does */
	assert_int_equal(PG_ROUND_UP(0x1001u), 0x2000u);
	assert_int_equal(PG_ROUND_UP(0x1000u), 0x1000u);
	assert_int_equal(PG_ROUND_DOWN(0xFFFFFFFFu), 0xFFFFF000u);
	assert_int_equal(sizeof(PG_ROUND_UP(top)), sizeof(uint32_t));
	assert_int_equal(sizeof(PG_ROUND_UP((uint64_t)top)), sizeof(uint64_t));
}

/* Low RAM with the hole at 640 KiB, and 1 GiB above 4 GiB (out of reach). */
static void test_ram_above_4g_frees_nothing_below(void **state)
{
	(void)state;
	struct bi_mem_range map[] = {
		{ 0, 1, EFI_MEM_ATTR_WB, EFI_MEM_BS_CODE, 0 },
		{ PGSIZE, HOLE_START_PFN - 1, EFI_MEM_ATTR_WB, EFI_MEM_CONVENTIONAL, 0 },
		{ (uint64_t)HOLE_END_PFN * PGSIZE, SIM_PAGES - HOLE_END_PFN, EFI_MEM_ATTR_WB,
		  EFI_MEM_CONVENTIONAL, 0 },
		{ FOUR_GIB_U64, HIGH_RANGE_PAGES, EFI_MEM_ATTR_WB, EFI_MEM_CONVENTIONAL, 0 },
	};
	uint32_t usable = (HOLE_START_PFN - 1) + (SIM_PAGES - HOLE_END_PFN);

	sim_boot(SIM_PAGES, SIM_PAGES);
	assert_int_equal(pmm_init(map, sizeof map / sizeof map[0], NULL, 0), 0);
	for (pfn_t pfn = HOLE_START_PFN; pfn < HOLE_END_PFN; pfn++)
		if (mem_map[pfn].link != PAGE_RESERVED)
			fail_msg("pfn 0x%x in the hole is not reserved (link 0x%x)", pfn,
				 mem_map[pfn].link);
	assert_int_equal(pmm.max_pfn, SIM_PAGES);
	uint32_t map_pages = PG_ROUND_UP(pmm.max_pfn * (uint32_t)(sizeof(struct page) +
								   sizeof(uint32_t))) / PGSIZE;
	assert_int_equal(pmm.total, usable - map_pages);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rounding_keeps_64_bits),
		cmocka_unit_test(test_rounding_32_bits_unchanged),
		cmocka_unit_test(test_ram_above_4g_frees_nothing_below),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
