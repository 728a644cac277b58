/*
 * swapdev_tests.c - round trips through the swap backend the boot chose
 * (core/swap_choose.c), part of the disk suite.
 *
 * A few slots spread over the backend -- the first, the second, one in
 * each of the first three 4 MiB chunks (high RAM has two windows, so the
 * third chunk moves one), the middle and the last -- are saved, each
 * written with a pattern of its own, then all read back and compared
 * (a slot that aliases another shows as the other's pattern), then put
 * back as they were. Slots 0 and nslots are refused. The pages come from
 * the user allocator, so in highmem they go through a kmap slot.
 */
#include <arch/highram.h>
#include <arch/mmu_ops.h>
#include <errnum.h>

#include "core/mm/mm.h"
#include "core/swap_choose.h"
#include "core/tap.h"
#include "lib/string.h"
#include "test/kernel/ktests.h"

#define NTRY 8

static uint32_t word_of(uint32_t slot, uint32_t i)
{
	return slot * 0x9E3779B1u ^ i * 0x85EBCA77u ^ 0x5EED5EEDu;
}

static void fill(pfn_t pfn, uint32_t slot)
{
	uint32_t *w = page_address(pfn, KMAP_PEEK);

	for (uint32_t i = 0; i < PGSIZE / 4; i++)
		w[i] = word_of(slot, i);
}

/* Words of pfn that differ from slot's pattern. */
static uint32_t differs(pfn_t pfn, uint32_t slot)
{
	const uint32_t *w = page_address(pfn, KMAP_PEEK);
	uint32_t bad = 0;

	for (uint32_t i = 0; i < PGSIZE / 4; i++)
		bad += w[i] != word_of(slot, i);
	return bad;
}

/* The slots to try, distinct and in range; returns how many. */
static uint32_t pick_slots(const struct swap_backend *b, uint32_t *slot)
{
	uint32_t want[NTRY] = { 1, 2, 1024 + 7, 2048 + 9, 3072 - 1, b->nslots / 2,
				b->nslots - 2, b->nslots - 1 };
	uint32_t n = 0;

	for (uint32_t i = 0; i < NTRY; i++) {
		int dup = want[i] == 0 || want[i] >= b->nslots;
		for (uint32_t j = 0; j < n && !dup; j++)
			dup = slot[j] == want[i];
		if (!dup)
			slot[n++] = want[i];
	}
	return n;
}

static void round_trips(const struct swap_backend *b)
{
	pfn_t saved[NTRY] = { 0 }, work = pmm_alloc_page(PMM_USER, PAGE_KERNEL);
	uint32_t slot[NTRY], n = pick_slots(b, slot), errors = 0, bad = 0, alloc_fail = !work;

	for (uint32_t i = 0; i < n && !alloc_fail; i++) {
		saved[i] = pmm_alloc_page(PMM_USER, PAGE_KERNEL);
		alloc_fail = !saved[i];
	}
	if (alloc_fail) {
		tap_ok(0, "swap backend %s: pages for the round trips", b->name);
		goto out;
	}
	for (uint32_t i = 0; i < n; i++)
		errors += b->read(b, slot[i], saved[i]) != 0;
	for (uint32_t i = 0; i < n; i++) {
		fill(work, slot[i]);
		errors += b->write(b, slot[i], work) != 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		memset(page_address(work, KMAP_PEEK), 0, PGSIZE);
		errors += b->read(b, slot[i], work) != 0;
		bad += differs(work, slot[i]);
	}
	tap_eq(errors, 0, "swap backend %s: %u slots saved, written and read back, no error",
	       b->name, n);
	tap_eq(bad, 0, "swap backend %s: each slot read back holds its own pattern "
	       "(slots %u..%u of %u)", b->name, slot[0], slot[n - 1], b->nslots);
	errors = 0;
	for (uint32_t i = 0; i < n; i++)
		errors += b->write(b, slot[i], saved[i]) != 0;
	tap_eq(errors, 0, "swap backend %s: the slots' old contents put back", b->name);
out:
	for (uint32_t i = 0; i < n; i++)
		if (saved[i])
			page_ref_dec(saved[i]);
	if (work)
		page_ref_dec(work);
}

static void highram_checks(const struct swap_backend *b)
{
	pfn_t page = pmm_alloc_page(PMM_USER, PAGE_KERNEL);
	uint32_t moves = highram_info.pde_writes;

	tap_ok(page && b->read(b, 0, page) == -EINVAL && b->read(b, b->nslots, page) == -EINVAL &&
		       b->write(b, b->nslots, page) == -EINVAL,
	       "swap backend highram: slots 0 and %u are refused (-EINVAL)", b->nslots);
	if (page && b->nslots > 1025) {
		/* Two slots of one chunk: the second needs no PDE write. */
		b->read(b, 1025, page);
		moves = highram_info.pde_writes;
		b->read(b, 1026, page);
		tap_eq(highram_info.pde_writes - moves, 0,
		       "swap backend highram: a slot in the chunk a window maps moves no window");
	}
	if (page)
		page_ref_dec(page);
}

void ktest_swap_backend(void)
{
	const struct swap_backend *b = swap_chosen();
	uint32_t baseline = pmm_free_pages();

	if (!b) {
		tap_skip("swap backend: round trips", "swap is off (see the boot log's swap: lines)");
		return;
	}
	round_trips(b);
	if (!strcmp(b->name, "highram"))
		highram_checks(b);
	tap_eq(pmm_free_pages(), baseline, "swap backend %s: free pages back to the baseline",
	       b->name);
}
