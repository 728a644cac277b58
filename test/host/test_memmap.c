/* test_memmap.c - which firmware ranges are RAM, and the totals around 4 GiB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/memmap.h"

#define MIB (1024ull * 1024)

static void test_usable_types(void **state)
{
	(void)state;
	struct bi_mem_range r = { 0, 1, EFI_MEM_ATTR_WB, 0, 0 };
	int usable[EFI_MEM_NTYPES] = { 0 };
	usable[EFI_MEM_CONVENTIONAL] = usable[EFI_MEM_BS_CODE] = usable[EFI_MEM_BS_DATA] = 1;
	usable[EFI_MEM_LOADER_CODE] = usable[EFI_MEM_LOADER_DATA] = 1;
	for (uint32_t t = 0; t < EFI_MEM_NTYPES; t++) {
		r.type = t;
		assert_int_equal(memmap_is_usable(&r), usable[t]);
	}
	r.type = EFI_MEM_CONVENTIONAL;
	r.attr = EFI_MEM_ATTR_WB | EFI_MEM_ATTR_RUNTIME;
	assert_false(memmap_is_usable(&r)); /* runtime services own it */
	r.attr = 0x1;                       /* uncached only */
	assert_false(memmap_is_usable(&r));
}

static void test_sort_and_totals(void **state)
{
	(void)state;
	struct bi_mem_range r[] = {
		{ 0x100000000ull, 1024 * MIB / 4096, EFI_MEM_ATTR_WB, EFI_MEM_CONVENTIONAL, 0 },
		{ 0xB0000000ull, 256 * MIB / 4096, 0, EFI_MEM_RESERVED, 0 },
		{ 0x100000, 15 * MIB / 4096, EFI_MEM_ATTR_WB, EFI_MEM_CONVENTIONAL, 0 },
		{ 0x1000, 159, EFI_MEM_ATTR_WB, EFI_MEM_BS_DATA, 0 },
		{ 0xFFF00000ull, 512, EFI_MEM_ATTR_WB, EFI_MEM_CONVENTIONAL, 0 }, /* crosses 4G */
	};
	struct memmap_totals t;
	memmap_sort(r, 5);
	for (int i = 1; i < 5; i++)
		assert_true(r[i - 1].base < r[i].base);
	memmap_totals(r, 5, &t);
	assert_int_equal(t.usable_below_4g, 15 * MIB + 159 * 4096 + MIB);
	assert_int_equal(t.usable_above_4g, 1024 * MIB + MIB);
	assert_int_equal(t.highest_usable_below_4g, 0x100000000ull);
	char line[128];
	memmap_totals_line(r, 5, line, sizeof line);
	assert_string_equal(line, "mem: 5 ranges, usable 16 MiB below 4 GiB, 1025 MiB above 4 GiB "
				  "(out of reach: 32-bit paging without PAE)");
	memmap_totals_line(r, 3, line, sizeof line); /* the three below 4 GiB */
	assert_string_equal(line, "mem: 3 ranges, usable 15 MiB below 4 GiB, 0 MiB above 4 GiB");
	assert_string_equal(memmap_type_name(EFI_MEM_ACPI_NVS), "acpi-nvs");
	assert_string_equal(memmap_type_name(99), "unknown");
}

/* The boot log's normal-level map: adjacent ranges of one use merged,
 * whatever their firmware types; a gap, a change of use, or 4 GiB cuts. */
static void test_runs(void **state)
{
	(void)state;
	struct bi_mem_range r[] = {
		{ 0x0, 160, EFI_MEM_ATTR_WB, EFI_MEM_CONVENTIONAL, 0 },
		{ 0x100000, 16, EFI_MEM_ATTR_WB, EFI_MEM_BS_DATA, 0 },
		{ 0x110000, 16, EFI_MEM_ATTR_WB, EFI_MEM_BS_CODE, 0 },
		{ 0x120000, 16, EFI_MEM_ATTR_WB, EFI_MEM_LOADER_DATA, 0 },
		{ 0x130000, 16, EFI_MEM_ATTR_WB | EFI_MEM_ATTR_RUNTIME, EFI_MEM_RT_DATA, 0 },
		{ 0x140000, 16, EFI_MEM_ATTR_WB, EFI_MEM_CONVENTIONAL, 0 },
		{ 0x150000, 16, EFI_MEM_ATTR_WB, EFI_MEM_ACPI_NVS, 0 },
		{ 0x160000, 16, EFI_MEM_ATTR_WB, EFI_MEM_ACPI_RECLAIM, 0 },
		{ 0x170000, 16, 0x1, EFI_MEM_CONVENTIONAL, 0 }, /* uncached: not RAM */
		{ 0x180000, 16, 0, EFI_MEM_UNUSABLE, 0 },
		{ 0xFFF00000ull, 512, EFI_MEM_ATTR_WB, EFI_MEM_CONVENTIONAL, 0 }, /* crosses 4G */
		{ 0x100100000ull, 256, EFI_MEM_ATTR_WB, EFI_MEM_BS_DATA, 0 },
		{ 0x200000000ull, 1, 0, EFI_MEM_MMIO, 0 },
	};
	const struct {
		uint64_t base, end;
		const char *use;
	} want[] = {
		{ 0x0, 0xA0000, "ram" }, /* a gap after it */
		{ 0x100000, 0x130000, "ram" }, /* three types, one use */
		{ 0x130000, 0x140000, "firmware" },
		{ 0x140000, 0x150000, "ram" },
		{ 0x150000, 0x160000, "acpi-nvs" },
		{ 0x160000, 0x170000, "acpi" },
		{ 0x170000, 0x190000, "reserved" }, /* uncached and unusable, merged */
		{ 0xFFF00000ull, 0x100000000ull, "ram" },
		{ 0x100000000ull, 0x100200000ull, "out-of-reach" }, /* its rest, and the next */
		{ 0x200000000ull, 0x200001000ull, "mmio" },
	};
	uint32_t n = sizeof r / sizeof r[0], k = 0;
	struct memmap_cursor c = { 0, 0 };
	struct memmap_run run;

	while (memmap_next_run(r, n, &c, &run)) {
		assert_true(k < sizeof want / sizeof want[0]);
		assert_int_equal(run.base, want[k].base);
		assert_int_equal(run.end, want[k].end);
		assert_string_equal(run.use, want[k].use);
		k++;
	}
	assert_int_equal(k, sizeof want / sizeof want[0]);
	assert_false(memmap_next_run(r, n, &c, &run)); /* and stays done */
	c.i = c.at = 0;
	assert_false(memmap_next_run(r, 0, &c, &run)); /* an empty map: no run */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usable_types),
		cmocka_unit_test(test_sort_and_totals),
		cmocka_unit_test(test_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
