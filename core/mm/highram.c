/*
 * highram.c - the arithmetic of the high-RAM swap backend (highram.h):
 * chunks from the firmware memory map, slots to chunks. No hardware here;
 * arch/x86/highram.c maps the chunks and copies the pages.
 */
#include "core/mm/highram.h"

#include <layout.h>

#include "core/memmap.h"

static int touches_keep(uint64_t start, uint64_t end, const struct bi_keep *keep, uint32_t nkeep)
{
	for (uint32_t i = 0; i < nkeep; i++)
		if (keep[i].size && keep[i].base < end && start < keep[i].base + keep[i].size)
			return 1;
	return 0;
}

/* The usable range starting lowest at or after `from`, grown over every
 * usable range that touches or overlaps it: [*start, *end). 0 if none. */
static int next_run(const struct bi_mem_range *r, uint32_t n, uint64_t from, uint64_t *start,
		    uint64_t *end)
{
	int found = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t s = r[i].base, e = s + r[i].pages * PAGE_SIZE;
		if (s < from)
			s = from;
		if (!memmap_is_usable(&r[i]) || e <= from || (found && s >= *start))
			continue;
		*start = s;
		*end = e;
		found = 1;
	}
	if (!found)
		return 0;
	for (int grew = 1; grew;) { /* join neighbours, whatever the order */
		grew = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t s = r[i].base, e = s + r[i].pages * PAGE_SIZE;
			if (memmap_is_usable(&r[i]) && s <= *end && e > *end) {
				*end = e;
				grew = 1;
			}
		}
	}
	return 1;
}

uint32_t highram_find(const struct bi_mem_range *r, uint32_t n, const struct bi_keep *keep,
		      uint32_t nkeep, uint32_t phys_bits, struct highram_map *m)
{
	uint64_t limit, from = FOUR_GIB, start = 0, end = 0;

	if (phys_bits > HIGHRAM_MAX_PHYS_BITS)
		phys_bits = HIGHRAM_MAX_PHYS_BITS;
	limit = phys_bits > 32 ? 1ull << phys_bits : FOUR_GIB;
	m->nchunks = 0;
	m->skipped = 0;
	while (next_run(r, n, from, &start, &end)) {
		from = end;
		for (uint64_t c = (start + HIGHRAM_CHUNK_SIZE - 1) >> HIGHRAM_CHUNK_SHIFT;
		     (c + 1) << HIGHRAM_CHUNK_SHIFT <= end; c++) {
			uint64_t cs = c << HIGHRAM_CHUNK_SHIFT, ce = cs + HIGHRAM_CHUNK_SIZE;
			if (ce > limit || m->nchunks == HIGHRAM_MAX_CHUNKS ||
			    touches_keep(cs, ce, keep, nkeep))
				continue;
			m->chunk[m->nchunks++] = (uint32_t)c;
		}
	}
	/* What was usable above 4 GiB but not taken, for the log. */
	struct memmap_totals t;
	memmap_totals(r, n, &t);
	uint64_t taken = (uint64_t)m->nchunks * HIGHRAM_CHUNK_SIZE;
	m->skipped = t.usable_above_4g > taken ? t.usable_above_4g - taken : 0;
	return m->nchunks;
}

uint32_t highram_nslots(const struct highram_map *m)
{
	return m->nchunks ? m->nchunks * HIGHRAM_CHUNK_PAGES + 1 : 0;
}

int highram_place(const struct highram_map *m, uint32_t slot, uint32_t *chunk, uint32_t *offset)
{
	if (slot == 0 || slot >= highram_nslots(m))
		return -1;
	*chunk = (slot - 1) / HIGHRAM_CHUNK_PAGES;
	*offset = (slot - 1) % HIGHRAM_CHUNK_PAGES * PAGE_SIZE;
	return 0;
}
