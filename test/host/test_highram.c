/*
 * test_highram.c - the high-RAM backend's arithmetic (core/mm/highram.c):
 * which 4 MiB chunks of a firmware memory map it takes, where a slot
 * lives, and the PSE-36 PDE that maps a chunk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arch/mmu.h>

#include "core/mm/highram.h"

#define MIB (1024ull * 1024)
#define GIB (1024 * MIB)

static struct bi_mem_range ram(uint64_t base, uint64_t bytes, uint32_t type)
{
	return (struct bi_mem_range){ base, bytes / 4096, EFI_MEM_ATTR_WB, type, 0 };
}

/* QEMU q35 -m 6G: 2 GiB low, 4 GiB from 4 GiB up (given out of order). */
static void test_q35_6g(void **state)
{
	(void)state;
	static struct highram_map m;
	struct bi_mem_range r[] = {
		ram(4 * GIB, 4 * GIB, EFI_MEM_CONVENTIONAL),
		ram(0x100000, 2 * GIB - 0x100000, EFI_MEM_CONVENTIONAL),
		ram(0xB0000000, 256 * MIB, EFI_MEM_RESERVED),
	};
	assert_int_equal(highram_find(r, 3, NULL, 0, 40, &m), HIGHRAM_MAX_CHUNKS);
	assert_int_equal(m.chunk[0], (4 * GIB) >> 22);
	assert_int_equal(m.chunk[255], ((4 * GIB) >> 22) + 255);
	assert_int_equal(m.skipped, 3 * GIB); /* beyond the 1 GiB cap */
	assert_int_equal(highram_nslots(&m), 256 * 1024 + 1);
}

/* Unaligned ends, a split by type, a hole, a reserved range, keep. */
static void test_alignment_and_joins(void **state)
{
	(void)state;
	static struct highram_map m;
	struct bi_mem_range r[] = {
		/* 4G+1M .. 4G+9M: only the chunk at 4G+4M fits whole */
		ram(4 * GIB + MIB, 8 * MIB, EFI_MEM_CONVENTIONAL),
		/* 5G .. 5G+6M conventional, then bs-data to 5G+8M: two chunks */
		ram(5 * GIB, 6 * MIB, EFI_MEM_CONVENTIONAL),
		ram(5 * GIB + 6 * MIB, 2 * MIB, EFI_MEM_BS_DATA),
		/* reserved and runtime ranges are not RAM to take */
		ram(6 * GIB, 8 * MIB, EFI_MEM_RESERVED),
		ram(7 * GIB, 8 * MIB, EFI_MEM_RT_DATA),
		/* 8G .. 8G+12M, with a loader keep range in its middle chunk */
		ram(8 * GIB, 12 * MIB, EFI_MEM_LOADER_DATA),
		/* below 4 GiB and crossing it: only what is above counts */
		ram(4 * GIB - 8 * MIB, 9 * MIB, EFI_MEM_CONVENTIONAL),
	};
	struct bi_keep keep[] = { { 8 * GIB + 5 * MIB, 4096, BI_KEEP_FILE, 0 } };
	assert_int_equal(highram_find(r, 7, keep, 1, 36, &m), 6);
	uint32_t want[] = { 1024, 1025, 1280, 1281, 2048, 2050 };
	for (int i = 0; i < 6; i++)
		assert_int_equal(m.chunk[i], want[i]);
	/* The range crossing 4 GiB joined the one from 4G+1M: 4G..4G+9M
	 * holds two chunks (4G, 4G+4M). Usable above 4 GiB: 1 + 8 + 8 + 12
	 * MiB; 24 taken; the 1 MiB tail and the kept chunk not. */
	assert_int_equal(m.skipped, (1 + 8 + 8 + 12) * MIB - 6 * 4 * MIB);
}

/* The CPU's physical address bits bound what may be taken. */
static void test_phys_bits(void **state)
{
	(void)state;
	static struct highram_map m;
	struct bi_mem_range r[] = {
		ram(63 * GIB, 2 * GIB, EFI_MEM_CONVENTIONAL), /* crosses 64 GiB */
		ram(2048 * GIB, 8 * MIB, EFI_MEM_CONVENTIONAL), /* 2 TiB: past 40 bits */
	};
	assert_int_equal(highram_find(r, 2, NULL, 0, 36, &m), 256); /* 63G..64G */
	assert_int_equal(m.chunk[255], (64 * GIB >> 22) - 1);
	assert_int_equal(highram_find(r, 2, NULL, 0, 40, &m), 256); /* capped at 1 GiB */
	assert_int_equal(highram_find(r + 1, 1, NULL, 0, 52, &m), 0); /* 52 bits: still 40 */
	assert_int_equal(highram_find(r, 1, NULL, 0, 32, &m), 0);
	assert_int_equal(highram_nslots(&m), 0);
	assert_int_equal(highram_find(r, 0, NULL, 0, 40, &m), 0);
}

static void test_place(void **state)
{
	(void)state;
	static struct highram_map m = { .nchunks = 3, .chunk = { 1024, 1025, 2000 } };
	uint32_t c = 99, off = 99;
	assert_int_equal(highram_nslots(&m), 3 * 1024 + 1);
	assert_int_equal(highram_place(&m, 0, &c, &off), -1);
	assert_int_equal(c, 99);
	assert_int_equal(highram_place(&m, 1, &c, &off), 0);
	assert_int_equal(c, 0);
	assert_int_equal(off, 0);
	assert_int_equal(highram_place(&m, 1024, &c, &off), 0);
	assert_int_equal(c, 0);
	assert_int_equal(off, 1023 * 4096);
	assert_int_equal(highram_place(&m, 1025, &c, &off), 0);
	assert_int_equal(c, 1);
	assert_int_equal(off, 0);
	assert_int_equal(highram_place(&m, 3 * 1024, &c, &off), 0);
	assert_int_equal(c, 2);
	assert_int_equal(off, 1023 * 4096);
	assert_int_equal(highram_place(&m, 3 * 1024 + 1, &c, &off), -1);
}

/* The PDEs the research note saw QEMU map (q35 -m 10G): 4G+4M and 8G+12M. */
static void test_pde(void **state)
{
	(void)state;
	uint32_t f = PTE_P | PTE_W | PTE_PS;
	assert_int_equal(highram_pde((4 * GIB + 4 * MIB) >> 22, f), 0x00402083u);
	assert_int_equal(highram_pde((8 * GIB + 12 * MIB) >> 22, f), 0x00C04083u);
	/* 1 TiB - 4 MiB: physical 39..32 all ones in bits 20..13; 21 stays 0 */
	assert_int_equal(highram_pde(((1ull << 40) - 4 * MIB) >> 22, 0), 0xFFDFE000u);
	assert_int_equal(highram_pde(1023, 0), 0xFFC00000u); /* below 4 GiB: as a plain PDE */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q35_6g),
		cmocka_unit_test(test_alignment_and_joins),
		cmocka_unit_test(test_phys_bits),
		cmocka_unit_test(test_place),
		cmocka_unit_test(test_pde),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
