/*
 * test_mm_random.c - long random sequences of create / write / read (from
 * ring 3 and from the kernel) / fork / unmap (pages, runs, whole tables) /
 * remap / brk / destroy over a small simulated RAM (so that out of memory
 * happens too), the invariant checker after every step, and the free
 * count back at its baseline at the end of each sequence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm/mm.h"
#include "test/host/mm_ops.h"
#include "test/host/sim/sim.h"

#define SEQUENCES 40
#define OPS 3000

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static struct mm_counters total;

static void run_seeds(uint32_t pages, uint32_t low)
{
	static uint8_t bytes[OPS * 3];

	memset(&total, 0, sizeof total);
	memset(&mm_ops_stats, 0, sizeof mm_ops_stats);
	for (uint32_t seed = 1; seed <= SEQUENCES; seed++) {
		uint32_t s = seed * 2654435761u;
		for (size_t i = 0; i < sizeof bytes; i++)
			bytes[i] = (uint8_t)xorshift(&s);
		sim_boot(pages, low);
		mm_ops_run(bytes, sizeof bytes, 1);
		for (int k = 0; k < FAULT_NKINDS; k++)
			total.faults[k] += mm_counters.faults[k];
		total.table_copies += mm_counters.table_copies;
		total.table_reuses += mm_counters.table_reuses;
	}
}

/* The sequences must reach every path they claim to test. */
static void assert_paths_taken(int expect_oom)
{
	static const enum fault_kind kinds[] = { FAULT_DEMAND_ZERO, FAULT_ZERO_PAGE,
						 FAULT_ZERO_COW,    FAULT_COW_COPY,
						 FAULT_COW_REUSE,   FAULT_SEGV };
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		assert_true(total.faults[kinds[i]] > 0);
	assert_true(total.table_copies > 0);
	assert_true(total.table_reuses > 0);
	assert_true((total.faults[FAULT_OOM] > 0) == expect_oom);
	if (getenv("MM_OPS_STATS"))
		fprintf(stderr, "shared-table drops %u, brk shrinks %u (%u un-sharing), kernel faults %u, "
			"table copies %u, oom %u, 0.11 spaces %u (forks %u)\n",
			mm_ops_stats.shared_table_drops, mm_ops_stats.brk_shrinks,
			mm_ops_stats.brk_unshares, mm_ops_stats.kernel_faults, total.table_copies,
			total.faults[FAULT_OOM], mm_ops_stats.linux011_spaces,
			mm_ops_stats.linux011_forks);
	assert_true(mm_ops_stats.shared_table_drops > 0);
	assert_true(mm_ops_stats.brk_shrinks > 0);
	assert_true(mm_ops_stats.brk_unshares > 0);
	assert_true(mm_ops_stats.kernel_faults > 0);
	assert_true(mm_ops_stats.linux011_spaces > 0);
	assert_true(mm_ops_stats.linux011_forks > 0);
}

/* Roomy: the operations mostly succeed. */
static void test_random_roomy(void **state)
{
	(void)state;
	run_seeds(1024, 512);
	assert_paths_taken(0);
}

/* Tight (64 pages, 24 of them low): out of memory, highmem tables. */
static void test_random_tight(void **state)
{
	(void)state;
	run_seeds(64, 24);
	assert_paths_taken(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_roomy),
		cmocka_unit_test(test_random_tight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
