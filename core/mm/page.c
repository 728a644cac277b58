/*
 * page.c - physical pages: mem_map, the free lists, reference counts.
 *
 * Linux 0.11 keeps one byte per page (mem_map[]) and finds a free page by
 * scanning the whole array from the top (get_free_page's "repne scasb").
 * We keep a 32-bit count per page, so sharing never overflows it, and
 * thread the free pages into a list through their mem_map entries, so
 * allocation and freeing are O(1) whatever the size of RAM. The list lives
 * in mem_map, not in the free pages themselves, because a page beyond the
 * direct map (highmem) cannot be written without a kmap first.
 *
 * Two zones, as in Linux's ZONE_NORMAL and ZONE_HIGHMEM:
 *   low:  pfn < lowmem_end_pfn, reachable through the direct map;
 *   high: the rest below 4 GiB, reached through kmap slots.
 * User pages prefer high memory, page tables and kernel data low memory.
 * A few low pages are held back for the kernel (PMM_KERNEL), so a task
 * eating all memory cannot stop the kernel from creating or reaping tasks.
 */
#include "core/log.h"
#include "core/mm/mm.h"

#include <arch/mmu_ops.h>
#include <layout.h>

#include "core/memmap.h"
#include "lib/string.h"

#define CANDIDATE 0xFFFFFFF8u /* init only: usable, not yet on a free list */
#define LOW_RESERVE_MAX 64u

struct page *mem_map;
struct pmm_info pmm;
uint32_t *mm_check_counts; /* scratch for the checker, one count per page */
static pfn_t free_head[NZONES];

static enum zone zone_of(pfn_t pfn)
{
	return pfn < lowmem_end_pfn ? ZONE_LOW : ZONE_HIGH;
}

static void report(const char *action, const char *kind, pfn_t pfn)
{
	pmm.errors++;
	kprintf("mm: error: %s %s page 0x%08llx (pfn %u)\n", action, kind,
		(unsigned long long)pfn << PGSHIFT, pfn);
}

#ifndef MM_SCAN_ALLOC
static void push_free(pfn_t pfn)
{
	enum zone z = zone_of(pfn);

	mem_map[pfn].refs = 0;
	mem_map[pfn].link = free_head[z];
	free_head[z] = pfn;
	pmm.free[z]++;
}

static pfn_t take(enum zone z, uint32_t keep_back)
{
	pfn_t pfn = free_head[z];

	if (!pfn || pmm.free[z] <= keep_back)
		return 0;
	free_head[z] = mem_map[pfn].link;
	pmm.free[z]--;
	return pfn;
}

/* What take() would return, leaving the list as it is. */
static pfn_t peek(enum zone z, uint32_t keep_back)
{
	return pmm.free[z] > keep_back ? free_head[z] : 0;
}
#else
/*
 * The comparison build (make MM_SCAN_ALLOC=1; docs/bench.md, "Scale"):
 * Linux 0.11's get_free_page, which finds a free page by looking at the
 * mem_map entries one after the other ("std; repne scasb" from the top;
 * here from the bottom of the zone, the order our list hands pages out).
 * Free pages are on no list, so finding one costs a step for every page
 * in use below it. Never the default.
 */
#define SCAN_FREE 0u /* free, and on no list */

static void push_free(pfn_t pfn)
{
	mem_map[pfn] = (struct page){ 0, SCAN_FREE };
	pmm.free[zone_of(pfn)]++;
}

/* The lowest free page of zone z above pfn `after` (0: from the zone's
 * first page). */
static pfn_t scan_after(enum zone z, uint32_t keep_back, pfn_t after)
{
	pfn_t first = z == ZONE_LOW ? 1 : lowmem_end_pfn;
	pfn_t end = z == ZONE_LOW && lowmem_end_pfn < pmm.max_pfn ? lowmem_end_pfn : pmm.max_pfn;

	if (pmm.free[z] <= keep_back)
		return 0;
	for (pfn_t pfn = after >= first && after < end ? after + 1 : first; pfn < end; pfn++) {
		if (PAGE_IS_FREE(&mem_map[pfn])) {
			pmm.free[z]--;
			return pfn;
		}
	}
	return 0;
}

static pfn_t take(enum zone z, uint32_t keep_back)
{
	return scan_after(z, keep_back, 0);
}

static pfn_t peek(enum zone z, uint32_t keep_back)
{
	pfn_t pfn = scan_after(z, keep_back, 0);

	if (pfn)
		pmm.free[z]++; /* found, not taken */
	return pfn;
}
#endif

static int overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/* A spot of `bytes` in usable low memory clear of every kept region. */
static paddr_t find_bootmem(const struct bi_mem_range *map, uint32_t n,
			    const struct bi_keep *keep, uint32_t nkeep, uint32_t bytes)
{
	uint64_t low_end = PFN_TO_PADDR(lowmem_end_pfn);

	for (uint32_t i = 0; i < n; i++) {
		if (!memmap_is_usable(&map[i]))
			continue;
		uint64_t c = map[i].base < PGSIZE ? PGSIZE : map[i].base;
		uint64_t end = map[i].base + map[i].pages * PGSIZE;
		if (end > low_end)
			end = low_end;
		for (uint32_t k = 0; k < nkeep && c + bytes <= end; k++) {
			if (overlaps(c, c + bytes, keep[k].base, keep[k].base + keep[k].size)) {
				c = PG_ROUND_UP(keep[k].base + keep[k].size);
				k = (uint32_t)-1; /* moved: check every region again */
			}
		}
		if (c + bytes <= end)
			return (paddr_t)c;
	}
	return 0;
}

static void mark(uint64_t start, uint64_t end, uint32_t tag)
{
	pfn_t first = PADDR_TO_PFN(PG_ROUND_DOWN(start));
	uint64_t last = (end + PGSIZE - 1) >> PGSHIFT;

	for (uint64_t pfn = first; pfn < last && pfn < pmm.max_pfn; pfn++)
		mem_map[pfn].link = tag;
}

int pmm_init(const struct bi_mem_range *map, uint32_t n, const struct bi_keep *keep,
	     uint32_t nkeep)
{
	struct memmap_totals t;

	memmap_totals(map, n, &t);
	memset(&pmm, 0, sizeof pmm);
	pmm.max_pfn = (uint32_t)(t.highest_usable_below_4g >> PGSHIFT);
	uint32_t bytes = PG_ROUND_UP(pmm.max_pfn * (sizeof(struct page) + sizeof(uint32_t)));
	paddr_t base = find_bootmem(map, n, keep, nkeep, bytes);
	if (!base)
		return -1;
	mem_map = phys_to_virt(base);
	mm_check_counts = (uint32_t *)(mem_map + pmm.max_pfn);

	for (pfn_t pfn = 0; pfn < pmm.max_pfn; pfn++)
		mem_map[pfn] = (struct page){ .refs = 0, .link = PAGE_RESERVED };
	for (uint32_t i = 0; i < n; i++) {
		if (!memmap_is_usable(&map[i]))
			continue;
		/* Only whole pages: a partial page at either end stays reserved. */
		uint64_t s = PG_ROUND_UP(map[i].base), e = map[i].base + map[i].pages * PGSIZE;
		mark(s, e & ~(uint64_t)(PGSIZE - 1), CANDIDATE);
	}
	for (uint32_t k = 0; k < nkeep; k++)
		mark(keep[k].base, keep[k].base + keep[k].size, PAGE_RESERVED);
	mark(base, base + bytes, PAGE_RESERVED);
	mem_map[0].link = PAGE_RESERVED; /* pfn 0 means "no page" */

	/* Push from the top so the lists hand out low addresses first. */
	free_head[ZONE_LOW] = free_head[ZONE_HIGH] = 0;
	for (pfn_t pfn = pmm.max_pfn; pfn-- > 1;)
		if (mem_map[pfn].link == CANDIDATE)
			push_free(pfn);
	for (int z = 0; z < NZONES; z++) {
		pmm.managed[z] = pmm.free[z];
		pmm.total += pmm.free[z];
	}
	pmm.low_reserve = pmm.managed[ZONE_LOW] / 8 < LOW_RESERVE_MAX ? pmm.managed[ZONE_LOW] / 8
								       : LOW_RESERVE_MAX;
	log_normal("mm: mem_map at 0x%08x, %u KiB for %u pages; managed %u pages "
		   "(low %u, high %u), low reserve %u\n",
		   base, bytes / 1024, pmm.max_pfn, pmm.total, pmm.managed[ZONE_LOW],
		   pmm.managed[ZONE_HIGH], pmm.low_reserve);
	return 0;
}

pfn_t pmm_alloc_page(unsigned flags, uint32_t use)
{
	pfn_t pfn;

	if (flags & PMM_USER) {
		pfn = take(ZONE_HIGH, 0);
		if (!pfn)
			pfn = take(ZONE_LOW, pmm.low_reserve);
	} else if (flags & PMM_TABLE) {
		pfn = take(ZONE_LOW, pmm.low_reserve);
		if (!pfn)
			pfn = take(ZONE_HIGH, 0);
	} else if (flags & PMM_DIR) {
		pfn = take(ZONE_LOW, pmm.low_reserve);
	} else {
		pfn = take(ZONE_LOW, 0);
	}
	if (!pfn)
		return 0;
	/* Only the common words: each owner sets up its own fields. */
	mem_map[pfn].refs = 1;
	mem_map[pfn].link = use;
	mem_map[pfn].flags = 0;
	if (flags & PMM_ZERO)
		page_zero(page_address(pfn, KMAP_ZERO));
	return pfn;
}

/* pmm_alloc_page()'s choice of zones, step for step, with peek() for
 * take(): kept beside it so that the two agree. */
pfn_t pmm_next_free(unsigned flags)
{
	pfn_t pfn;

	if (flags & PMM_USER) {
		pfn = peek(ZONE_HIGH, 0);
		if (!pfn)
			pfn = peek(ZONE_LOW, pmm.low_reserve);
	} else if (flags & PMM_TABLE) {
		pfn = peek(ZONE_LOW, pmm.low_reserve);
		if (!pfn)
			pfn = peek(ZONE_HIGH, 0);
	} else if (flags & PMM_DIR) {
		pfn = peek(ZONE_LOW, pmm.low_reserve);
	} else {
		pfn = peek(ZONE_LOW, 0);
	}
	return pfn;
}

/* What is wrong with changing pfn's count ("a free" page...), or NULL. */
static const char *uncountable(pfn_t pfn)
{
	if (pfn >= pmm.max_pfn)
		return "an out-of-range";
	if (pfn == 0)
		return "the null";
	if (mem_map[pfn].link == PAGE_RESERVED)
		return "a reserved";
	if (PAGE_IS_FREE(&mem_map[pfn]))
		return "a free";
	return NULL;
}

/* page_ref_inc/dec (mm.h) found a bad call: say what was wrong, obey
 * nothing. Returns -1 for them to return. */
int page_ref_bad(pfn_t pfn, const char *action)
{
	const char *bad = uncountable(pfn);

	if (bad)
		report(action, bad, pfn);
	else
		report("count at its ceiling: refused a reference to", "a", pfn);
	return -1;
}

/* The last reference went (page_ref_dec). */
void page_free(pfn_t pfn)
{
	push_free(pfn);
}

uint32_t pmm_free_pages(void)
{
	return pmm.free[ZONE_LOW] + pmm.free[ZONE_HIGH];
}

const char *pmm_use_name(pfn_t pfn)
{
	if (pfn >= pmm.max_pfn)
		return "outside";
	switch (mem_map[pfn].link) {
	case PAGE_MAPPED:
		return "mapped";
	case PAGE_KERNEL:
		return pfn == pmm.zero_pfn ? "zero-page" : "kernel";
	case PAGE_PGDIR:
		return "page-directory";
	case PAGE_PGTABLE:
		return "page-table";
	case PAGE_RESERVED:
		return "reserved";
	default:
		return "free";
	}
}

/* One switch on the tag, then the count: called once per page when a
 * picture of all memory is drawn, so it stays a few compares. */
enum page_use pmm_page_use(pfn_t pfn)
{
	if (pfn >= pmm.max_pfn)
		return PAGE_USE_RESERVED;
	const struct page *p = &mem_map[pfn];
	switch (p->link) {
	case PAGE_MAPPED:
		return p->refs > 1 ? PAGE_USE_SHARED : PAGE_USE_USER;
	case PAGE_PGTABLE:
		return p->refs > 1 ? PAGE_USE_PGTABLE_SHARED : PAGE_USE_PGTABLE;
	case PAGE_KERNEL:
		return pfn == pmm.zero_pfn ? PAGE_USE_ZERO : PAGE_USE_KERNEL;
	case PAGE_PGDIR:
		return PAGE_USE_PGDIR;
	case PAGE_RESERVED:
		return PAGE_USE_RESERVED;
	default:
		/* A tag this switch does not know yet is some kernel use. */
		return PAGE_IS_FREE(p) ? PAGE_USE_FREE : PAGE_USE_KERNEL;
	}
}

void mm_init_zero_page(void)
{
	pmm.zero_pfn = pmm_alloc_page(PMM_KERNEL | PMM_ZERO, PAGE_KERNEL);
}

pfn_t pmm_free_head(enum zone z)
{
	return free_head[z];
}

/*
 * Ballast for the benchmark: one user page held by the kernel, as
 * pmm_alloc_page(PMM_USER, PAGE_KERNEL) would give it. `after` is the
 * page the previous call returned: the scan build resumes there, so
 * holding n pages costs one sweep instead of n scans (n*n/2 steps),
 * and leaves the same pages in use as n allocations in a row.
 */
pfn_t pmm_hold_page(pfn_t after)
{
#ifdef MM_SCAN_ALLOC
	pfn_t pfn = scan_after(ZONE_HIGH, 0, after);

	if (!pfn)
		pfn = scan_after(ZONE_LOW, pmm.low_reserve, after);
	if (pfn)
		mem_map[pfn] = (struct page){ 1, PAGE_KERNEL };
	return pfn;
#else
	(void)after;
	return pmm_alloc_page(PMM_USER, PAGE_KERNEL);
#endif
}
