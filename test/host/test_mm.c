/*
 * test_mm.c - the memory core on a simulated machine: the page allocator,
 * address spaces, the fault handler, fork in both modes, teardown, and the
 * invariant checker. Every test ends with the checker finding nothing and,
 * where everything was destroyed, the free count back at its baseline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <arch/mmu_ops.h>

#include "core/log.h"
#include "core/mm/internal.h"
#include "core/mm/mm.h"
#include "test/host/sim/sim.h"

#define PAGES 2048 /* 8 MiB of simulated RAM */
#define LOW 1024   /* the first 4 MiB direct-mapped, the rest highmem */
#define BASE 0x08000000u

static uint32_t baseline;

static int setup(void **state)
{
	(void)state;
	sim_boot(PAGES, LOW);
	mm_fork_mode = FORK_SHARE_TABLES;
	baseline = pmm_free_pages();
	return 0;
}

static void assert_clean(void)
{
	assert_int_equal(mm_check(), 0);
	assert_int_equal(pmm.errors, 0);
}

static struct aspace *space_with_area(uint32_t pages, uint32_t flags)
{
	struct aspace *as = vmm_create();

	assert_non_null(as);
	assert_int_equal(vmm_map(as, BASE, pages * PGSIZE, flags, "anon"), 0);
	return as;
}

static void test_allocator_round_trip(void **state)
{
	(void)state;
	/* All pages but page 0 and mem_map's own: a struct page and a check
	 * count per page. */
	uint32_t map_pages = PG_ROUND_UP(PAGES * (uint32_t)(sizeof(struct page) +
							    sizeof(uint32_t))) / PGSIZE;
	assert_int_equal(pmm.total, PAGES - 1 - map_pages);
	assert_int_equal(baseline, pmm.total - 1); /* the zero page is taken */
	pfn_t a = pmm_alloc_page(PMM_USER | PMM_ZERO, PAGE_MAPPED);
	pfn_t b = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL);
	assert_true(a >= LOW);  /* user pages prefer highmem */
	assert_true(b < LOW);   /* kernel pages are direct-mapped */
	unsigned char *p = sim_ram + PFN_TO_PADDR(a);
	for (unsigned i = 0; i < PGSIZE; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(pmm_free_pages(), baseline - 2);
	assert_int_equal(page_refs(a), 1);
	assert_int_equal(page_ref_inc(a), 0);
	assert_int_equal(page_refs(a), 2);
	assert_int_equal(page_ref_dec(a), 0);
	assert_int_equal(pmm_free_pages(), baseline - 2); /* still one reference */
	assert_int_equal(page_ref_dec(a), 0);
	assert_int_equal(page_ref_dec(b), 0);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void test_bad_frees_are_reported(void **state)
{
	(void)state;
	pfn_t a = pmm_alloc_page(PMM_USER, PAGE_MAPPED);
	assert_int_equal(page_ref_dec(a), 0);
	uint32_t free_before = pmm_free_pages();
	sim_clear_log();
	assert_int_equal(page_ref_dec(a), -1); /* double free */
	assert_non_null(strstr(sim_log, "mm: error: free of a free page"));
	char addr[64];
	snprintf(addr, sizeof addr, "0x%08x", PFN_TO_PADDR(a));
	assert_non_null(strstr(sim_log, addr));
	assert_int_equal(page_ref_dec(0), -1);            /* the null page */
	assert_int_equal(page_ref_dec(PAGES + 5), -1);    /* outside mem_map */
	assert_int_equal(page_ref_inc(a), -1);            /* a free page */
	assert_non_null(strstr(sim_log, "free of an out-of-range page"));
	assert_non_null(strstr(sim_log, "free of the null page"));
	/* A reserved page (here mem_map's own): refused, its tag and count kept. */
	pfn_t r = 1;
	while (mem_map[r].link != PAGE_RESERVED)
		r++;
	struct page before = mem_map[r];
	assert_int_equal(page_ref_dec(r), -1);
	assert_int_equal(page_ref_inc(r), -1);
	snprintf(addr, sizeof addr, "free of a reserved page 0x%08x", PFN_TO_PADDR(r));
	assert_non_null(strstr(sim_log, addr));
	snprintf(addr, sizeof addr, "reference to a reserved page 0x%08x", PFN_TO_PADDR(r));
	assert_non_null(strstr(sim_log, addr));
	assert_int_equal(mem_map[r].link, before.link);
	assert_int_equal(mem_map[r].refs, before.refs);
	assert_int_equal(pmm.errors, 6);
	assert_int_equal(pmm_free_pages(), free_before); /* nothing changed */
	pmm.errors = 0;
	assert_clean();
}

static void test_refcount_ceiling(void **state)
{
	(void)state;
	pfn_t a = pmm_alloc_page(PMM_USER, PAGE_MAPPED);
	mem_map[a].refs = PAGE_REFS_MAX;
	assert_int_equal(page_ref_inc(a), -1);
	assert_int_equal(mem_map[a].refs, PAGE_REFS_MAX); /* refused, not wrapped */
	assert_non_null(strstr(sim_log, "ceiling"));
	mem_map[a].refs = 1;
	page_ref_dec(a);
	pmm.errors = 0;
	assert_int_equal(pmm_free_pages(), baseline);
}

static void test_demand_zero(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(4, AREA_WRITE);
	unsigned char v = 0xFF;

	assert_int_equal(pmm_free_pages(), baseline - 1); /* just the directory */
	assert_int_equal(sim_write(as, BASE + 10, 7), FAULT_DEMAND_ZERO);
	assert_int_equal(sim_read(as, BASE + 11, &v), -1); /* no fault: present */
	assert_int_equal(v, 0);                            /* the rest is zero */
	assert_int_equal(as->rss, 1);
	assert_int_equal(pmm_free_pages(), baseline - 3); /* directory, table, page */
	assert_int_equal(as->counters.faults[FAULT_DEMAND_ZERO], 1);
	assert_clean();
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void test_zero_page_then_write(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(4, AREA_WRITE);
	unsigned char v = 1;

	assert_int_equal(sim_read(as, BASE, &v), FAULT_ZERO_PAGE);
	assert_int_equal(v, 0);
	assert_int_equal(sim_read(as, BASE + PGSIZE, &v), FAULT_ZERO_PAGE);
	assert_int_equal(page_refs(pmm.zero_pfn), 3); /* kernel + two mappings */
	uint32_t free_now = pmm_free_pages();
	assert_int_equal(sim_write(as, BASE, 5), FAULT_ZERO_COW);
	assert_int_equal(page_refs(pmm.zero_pfn), 2);
	assert_int_equal(pmm_free_pages(), free_now - 1);
	assert_int_equal(sim_read(as, BASE, &v), -1);
	assert_int_equal(v, 5);
	assert_int_equal(sim_read(as, BASE + 1, &v), -1);
	assert_int_equal(v, 0);
	/* The zero page itself stays zero. */
	assert_int_equal(sim_ram[PFN_TO_PADDR(pmm.zero_pfn)], 0);
	assert_clean();
	vmm_destroy(as);
	assert_int_equal(page_refs(pmm.zero_pfn), 1);
	assert_int_equal(pmm_free_pages(), baseline);
}

static pfn_t pfn_at(struct aspace *as, vaddr_t va)
{
	struct walk w;

	vmm_walk(as, va, &w);
	return w.ok ? PADDR_TO_PFN(w.pa) : 0;
}

/*
 * A page whose count is at its ceiling cannot gain the reference a copied
 * table would hold: fork in copy mode fails whole, and un-sharing a table
 * for a write (a fault: oom) or an unmap (-ENOMEM) fails without changing
 * anything. The first page's count, taken before the refusal, comes back.
 */
static void test_table_copy_at_ceiling(void **state)
{
	(void)state;
	struct aspace *a = space_with_area(4, AREA_WRITE);
	unsigned char v;

	sim_write(a, BASE, 1);
	sim_write(a, BASE + PGSIZE, 2);
	pfn_t first = pfn_at(a, BASE), full = pfn_at(a, BASE + PGSIZE);
	uint32_t free0 = pmm_free_pages();
	mem_map[full].refs = PAGE_REFS_MAX;
	mm_fork_mode = FORK_COPY_TABLES;
	assert_null(vmm_fork(a));
	assert_int_equal(pmm.errors, 1);
	assert_non_null(strstr(sim_log, "count at its ceiling"));
	assert_int_equal(mem_map[full].refs, PAGE_REFS_MAX);
	assert_int_equal(page_refs(first), 1);
	assert_int_equal(pmm_free_pages(), free0); /* the child's directory and table back */

	mm_fork_mode = FORK_SHARE_TABLES;
	struct aspace *b = vmm_fork(a);
	assert_non_null(b);
	pfn_t table = PTE_PFN(a->pd[PDX(BASE)]);
	free0 = pmm_free_pages();
	assert_int_equal(sim_write(b, BASE, 3), -2 - FAULT_OOM);
	assert_int_equal(b->counters.faults[FAULT_OOM], 1);
	assert_int_equal(vmm_unmap(b, BASE + 2 * PGSIZE, PGSIZE), -12);
	assert_int_equal(pmm.errors, 3);
	assert_int_equal(PTE_PFN(b->pd[PDX(BASE)]), table); /* still the shared table */
	assert_int_equal(page_refs(table), 2);
	assert_int_equal(page_refs(first), 1);
	assert_int_equal(mem_map[full].refs, PAGE_REFS_MAX);
	assert_int_equal(pmm_free_pages(), free0);
	assert_int_equal(b->counters.table_copies, 0);

	mem_map[full].refs = 1;
	pmm.errors = 0;
	assert_clean();
	assert_int_equal(sim_write(b, BASE, 3), FAULT_COW_COPY); /* the count is fine again */
	assert_int_equal(sim_read(a, BASE, &v), -1);
	assert_int_equal(v, 1);
	assert_int_equal(sim_read(b, BASE + PGSIZE, &v), -1);
	assert_int_equal(v, 2);
	assert_clean();
	vmm_destroy(b);
	vmm_destroy(a);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void fork_round_trip(int mode)
{
	mm_fork_mode = mode;
	struct aspace *parent = space_with_area(8, AREA_WRITE);
	unsigned char v;

	for (int i = 0; i < 8; i++)
		sim_write(parent, BASE + i * PGSIZE, (unsigned char)(10 + i));
	pfn_t page0 = pfn_at(parent, BASE);
	struct aspace *child = vmm_fork(parent);
	assert_non_null(child);
	assert_int_equal(child->rss, 8);
	assert_int_equal(page_refs(page0), mode == FORK_COPY_TABLES ? 2 : 1);
	assert_clean();

	/* The child writes: it gets its own copy; the parent keeps its value. */
	int kind = sim_write(child, BASE, 99);
	assert_int_equal(kind, FAULT_COW_COPY);
	assert_int_equal(sim_read(parent, BASE, &v), -1);
	assert_int_equal(v, 10);
	assert_int_equal(sim_read(child, BASE, &v), -1);
	assert_int_equal(v, 99);
	assert_int_equal(page_refs(page0), 1); /* only the parent's entry now */
	if (mode == FORK_SHARE_TABLES)
		assert_int_equal(child->counters.table_copies, 1);
	/* The parent writes its page: it is the sole owner, so reuse. */
	assert_int_equal(sim_write(parent, BASE, 11), FAULT_COW_REUSE);
	/* Another page, still shared: the parent copies it. */
	assert_int_equal(sim_write(parent, BASE + PGSIZE, 50), FAULT_COW_COPY);
	assert_int_equal(sim_read(child, BASE + PGSIZE, &v), -1);
	assert_int_equal(v, 11);
	assert_clean();
	vmm_destroy(child);
	assert_clean();
	/* Sole owner again: every remaining write is a reuse, never a copy. */
	uint32_t copies = parent->counters.faults[FAULT_COW_COPY];
	for (int i = 2; i < 8; i++)
		assert_int_equal(sim_write(parent, BASE + i * PGSIZE, 1), FAULT_COW_REUSE);
	assert_int_equal(parent->counters.faults[FAULT_COW_COPY], copies);
	vmm_destroy(parent);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void test_fork_share_tables(void **state)
{
	(void)state;
	fork_round_trip(FORK_SHARE_TABLES);
}

static void test_fork_copy_tables(void **state)
{
	(void)state;
	fork_round_trip(FORK_COPY_TABLES);
}

/*
 * The use a picture gives each page (pmm_page_use): through a fork that
 * shares tables, then a write that un-shares the table and copies the
 * page. Every page's use follows its tag and count.
 */
static void test_page_use(void **state)
{
	(void)state;
	struct aspace *a = space_with_area(2, AREA_WRITE);
	unsigned char v;

	assert_int_equal(pmm_page_use(pmm.zero_pfn), PAGE_USE_ZERO);
	assert_int_equal(pmm_page_use(0), PAGE_USE_RESERVED);
	assert_int_equal(pmm_page_use(PAGES + 5), PAGE_USE_RESERVED); /* past mem_map */
	assert_int_equal(pmm_page_use(a->pd_pfn), PAGE_USE_PGDIR);
	assert_int_equal(pmm_page_use(pmm_next_free(PMM_USER)), PAGE_USE_FREE);
	sim_write(a, BASE, 1);
	sim_read(a, BASE + PGSIZE, &v); /* the zero page, mapped */
	pfn_t page = pfn_at(a, BASE), table = PTE_PFN(a->pd[PDX(BASE)]);
	assert_int_equal(pmm_page_use(page), PAGE_USE_USER);
	assert_int_equal(pmm_page_use(table), PAGE_USE_PGTABLE);
	assert_string_equal(pmm_use_name(table), "page-table");
	assert_string_equal(pmm_use_name(page), "mapped");
	struct aspace *b = vmm_fork(a);
	assert_int_equal(pmm_page_use(table), PAGE_USE_PGTABLE_SHARED);
	assert_int_equal(pmm_page_use(page), PAGE_USE_USER); /* counted once: in the table */
	assert_int_equal(sim_write(b, BASE, 2), FAULT_COW_COPY);
	/* b took its own copy of the table (every page in it counted once
	 * more), then its own copy of the page. */
	assert_int_equal(pmm_page_use(table), PAGE_USE_PGTABLE);
	assert_int_equal(pmm_page_use(pfn_at(b, BASE)), PAGE_USE_USER);
	assert_int_equal(pmm_page_use(page), PAGE_USE_USER);
	assert_int_equal(pmm_page_use(pmm.zero_pfn), PAGE_USE_ZERO);
	vmm_destroy(b);
	vmm_destroy(a);
	assert_int_equal(pmm_page_use(page), PAGE_USE_FREE);
	assert_int_equal(pmm_page_use(table), PAGE_USE_FREE);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

/*
 * The report's records (core/report.c): page_fault() calls report_fault()
 * for each fault served while log_trace says LOG_TRACE_REPORT, and never
 * otherwise; the verbose bit alone gives a log line and no record.
 */
static void test_fault_records_only_when_asked(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(4, AREA_WRITE);
	unsigned char v = 5;

	sim_reported_faults = 0;
	log_trace = 0;
	assert_int_equal(sim_kernel_access(as, BASE, 1, &v), FAULT_DEMAND_ZERO);
	assert_int_equal(sim_reported_faults, 0);
	log_trace = LOG_TRACE_REPORT;
	assert_int_equal(sim_kernel_access(as, BASE + PGSIZE, 0, &v), FAULT_ZERO_PAGE);
	assert_int_equal(sim_kernel_access(as, BASE + PGSIZE, 1, &v), FAULT_ZERO_COW);
	assert_int_equal(sim_reported_faults, 2);
	log_trace = LOG_TRACE_VERBOSE;
	sim_clear_log();
	assert_int_equal(sim_kernel_access(as, BASE + 2 * PGSIZE, 1, &v), FAULT_DEMAND_ZERO);
	assert_int_equal(sim_reported_faults, 2);
	assert_non_null(strstr(sim_log, "fault: demand-zero"));
	log_trace = 0;
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

/*
 * Three spaces share a page; each writes in turn; contents stay private.
 * Copy mode: the page's count goes 3 -> 2 -> 1. Share mode: one table is
 * shared three ways, so the table's count is 3 and the page's 1; each
 * writer first takes its own table (the page gains a count), then copies.
 */
static void three_way(int mode)
{
	mm_fork_mode = mode;
	struct aspace *a = space_with_area(1, AREA_WRITE);
	unsigned char v;
	int copy = mode == FORK_COPY_TABLES;

	sim_write(a, BASE, 1);
	struct aspace *b = vmm_fork(a);
	struct aspace *c = vmm_fork(b);
	pfn_t page = pfn_at(a, BASE), table = PTE_PFN(a->pd[PDX(BASE)]);
	assert_int_equal(page_refs(page), copy ? 3 : 1);
	assert_int_equal(page_refs(table), copy ? 1 : 3);
	assert_int_equal(sim_write(c, BASE, 3), FAULT_COW_COPY);
	assert_int_equal(page_refs(page), copy ? 2 : 1);
	assert_int_equal(page_refs(table), copy ? 1 : 2);
	assert_int_equal(sim_write(b, BASE, 2), FAULT_COW_COPY);
	assert_int_equal(page_refs(page), 1);
	assert_int_equal(page_refs(table), 1);
	assert_int_equal(sim_write(a, BASE, 4), FAULT_COW_REUSE);
	assert_int_equal(pfn_at(a, BASE), page); /* reused in place */
	sim_read(a, BASE, &v);
	assert_int_equal(v, 4);
	sim_read(b, BASE, &v);
	assert_int_equal(v, 2);
	sim_read(c, BASE, &v);
	assert_int_equal(v, 3);
	assert_clean();
	vmm_destroy(b);
	vmm_destroy(a);
	vmm_destroy(c);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void test_three_way_copy_tables(void **state)
{
	(void)state;
	three_way(FORK_COPY_TABLES);
}

static void test_three_way_share_tables(void **state)
{
	(void)state;
	three_way(FORK_SHARE_TABLES);
}

static void test_segv_cases(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(2, 0); /* read-only area */
	unsigned char v;

	assert_int_equal(sim_read(as, 0, &v), -2 - FAULT_SEGV);           /* null */
	assert_int_equal(sim_write(as, BASE, 1), -2 - FAULT_SEGV);        /* read-only */
	assert_int_equal(sim_read(as, BASE + 2 * PGSIZE, &v), -2 - FAULT_SEGV); /* past it */
	assert_int_equal(vmm_fault(as, 0xC0001000u, PF_U), FAULT_SEGV);   /* kernel */
	assert_string_equal(vmm_segv_reason(as, 0, PF_U), "null page");
	assert_string_equal(vmm_segv_reason(as, BASE, PF_U | PF_W), "write to a read-only area");
	assert_string_equal(vmm_segv_reason(as, 0xC0001000u, PF_U), "kernel address");
	assert_string_equal(vmm_segv_reason(as, BASE + 3 * PGSIZE, PF_U), "no area");
	assert_int_equal(sim_read(as, BASE, &v), FAULT_ZERO_PAGE); /* reading is fine */
	assert_int_equal(as->counters.faults[FAULT_SEGV], 4);
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void test_unmap_frees_pages_and_tables(void **state)
{
	(void)state;
	/* Three tables' worth: 0x08000000 .. 0x08C00000. */
	struct aspace *as = space_with_area(3 * NPTENTRIES, AREA_WRITE);

	for (uint32_t i = 0; i < 3 * NPTENTRIES; i += 256)
		sim_write(as, BASE + i * PGSIZE, 1);
	assert_int_equal(as->rss, 12);
	assert_int_equal(vmm_table_pages(as), 3);
	/* Cut out the middle table entirely and a page of the first. */
	assert_int_equal(vmm_unmap(as, BASE + PTSPAN, PTSPAN), 0);
	assert_int_equal(vmm_unmap(as, BASE, PGSIZE), 0);
	assert_int_equal(as->rss, 7);
	assert_int_equal(vmm_table_pages(as), 2);
	int n = 0;
	for (struct area *a = as->areas; a; a = a->next)
		n++;
	assert_int_equal(n, 2); /* split in two */
	unsigned char v;
	assert_int_equal(sim_read(as, BASE + PTSPAN, &v), -2 - FAULT_SEGV);
	assert_clean();
	/* Unmapping the rest frees every table. */
	assert_int_equal(vmm_unmap(as, BASE, 3 * PTSPAN), 0);
	assert_int_equal(vmm_table_pages(as), 0);
	assert_int_equal(pmm_free_pages(), baseline - 1);
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
}

static void test_unmap_in_shared_table(void **state)
{
	(void)state;
	struct aspace *a = space_with_area(4, AREA_WRITE);
	unsigned char v;

	for (int i = 0; i < 4; i++)
		sim_write(a, BASE + i * PGSIZE, (unsigned char)(i + 1));
	struct aspace *b = vmm_fork(a);
	assert_int_equal(vmm_unmap(b, BASE + PGSIZE, PGSIZE), 0);
	assert_int_equal(b->counters.table_copies, 1); /* b had to own the table */
	assert_int_equal(sim_read(a, BASE + PGSIZE, &v), -1);
	assert_int_equal(v, 2); /* a keeps its page */
	assert_int_equal(sim_read(b, BASE + PGSIZE, &v), -2 - FAULT_SEGV);
	assert_clean();
	vmm_destroy(a);
	vmm_destroy(b);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void test_out_of_memory(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(4 * NPTENTRIES, AREA_WRITE);
	uint32_t touched = 0;
	int kind = 0;

	while (touched < 4 * NPTENTRIES) {
		kind = sim_write(as, BASE + touched * PGSIZE, 1);
		if (kind < -1)
			break;
		touched++;
	}
	assert_int_equal(kind, -2 - FAULT_OOM);
	assert_true(touched > PAGES / 2);
	assert_int_equal(as->counters.faults[FAULT_OOM], 1);
	assert_clean();
	/* The kernel's reserve is still there for kernel allocations. */
	pfn_t k = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL);
	assert_true(k != 0);
	page_ref_dec(k);
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

/* pmm_next_free() names the page pmm_alloc_page() returns, for every
 * kind of allocation; a page freed is the next one out again; and it
 * follows the allocator across zones and the low reserve. */
static void test_next_free(void **state)
{
	static const unsigned kinds[] = { PMM_USER, PMM_TABLE, PMM_DIR, PMM_KERNEL };
	static pfn_t eaten[PAGES];
	uint32_t n = 0;

	(void)state;
	for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		pfn_t next = pmm_next_free(kinds[i]);
		pfn_t got = pmm_alloc_page(kinds[i], PAGE_KERNEL);
		assert_true(got != 0);
		assert_int_equal(got, next);
		assert_int_not_equal(pmm_next_free(kinds[i]), got);
		page_ref_dec(got);
		assert_int_equal(pmm_next_free(kinds[i]), got);
	}
	assert_true(pmm_next_free(PMM_USER) >= LOW); /* user pages: highmem first */
	while (pmm.free[ZONE_HIGH])
		eaten[n++] = pmm_alloc_page(PMM_USER, PAGE_KERNEL);
	pfn_t next = pmm_next_free(PMM_USER);
	assert_true(next != 0 && next < LOW); /* then low memory */
	assert_int_equal(pmm_next_free(PMM_TABLE), next);
	while (pmm.free[ZONE_LOW] > pmm.low_reserve)
		eaten[n++] = pmm_alloc_page(PMM_USER, PAGE_KERNEL);
	assert_int_equal(pmm_next_free(PMM_USER), 0); /* the reserve is not for users */
	assert_int_equal(pmm_alloc_page(PMM_USER, PAGE_KERNEL), 0);
	assert_int_equal(pmm_next_free(PMM_DIR), 0);
	next = pmm_next_free(PMM_KERNEL);
	assert_true(next != 0);
	assert_int_equal(pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL), next);
	eaten[n++] = next;
	while (n)
		page_ref_dec(eaten[--n]);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void test_tables_fall_back_to_highmem(void **state)
{
	(void)state;
	/* Eat all low memory the way kernel data would. */
	pfn_t eaten[LOW];
	uint32_t n = 0;
	pfn_t p;
	while ((p = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL)) != 0)
		eaten[n++] = p;
	assert_int_equal(pmm.free[ZONE_LOW], 0);
	/* Give back exactly one low page for a page directory. */
	page_ref_dec(eaten[--n]);
	pmm.low_reserve = 0;
	struct aspace *as = space_with_area(2, AREA_WRITE);
	uint32_t kmaps = sim_kmaps;
	assert_int_equal(sim_write(as, BASE, 42), FAULT_DEMAND_ZERO);
	assert_true(PTE_PFN(as->pd[PDX(BASE)]) >= LOW); /* the table is in highmem */
	assert_true(sim_kmaps > kmaps);
	unsigned char v;
	assert_int_equal(sim_read(as, BASE, &v), -1);
	assert_int_equal(v, 42);
	assert_clean();
	vmm_destroy(as);
	while (n)
		page_ref_dec(eaten[--n]);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void test_tlb_policy(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(64, AREA_WRITE);

	vmm_activate(as);
	uint32_t inv = sim_invlpg, full = sim_full_flush;
	sim_write(as, BASE, 1); /* demand-zero: the entry was not present */
	assert_int_equal(sim_invlpg, inv);
	struct aspace *child = vmm_fork(as);
	assert_int_equal(sim_full_flush, full + 1); /* fork: one CR3 reload */
	/* Table un-shared, then the cow: the cow's invlpg stands for both. */
	assert_int_equal(sim_write(as, BASE, 2), FAULT_COW_COPY);
	assert_int_equal(as->counters.table_copies, 1);
	assert_int_equal(sim_invlpg, inv + 1);
	vmm_destroy(child);
	for (int i = 0; i < 40; i++)
		sim_write(as, BASE + i * PGSIZE, 3);
	full = sim_full_flush;
	inv = sim_invlpg;
	assert_int_equal(vmm_unmap(as, BASE, 4 * PGSIZE), 0); /* small: invlpg each */
	assert_int_equal(sim_invlpg, inv + 4);
	assert_int_equal(sim_full_flush, full);
	/* Large: 36 pages, more than the ceiling: decided first, one CR3 reload
	 * and no invlpg at all. */
	assert_int_equal(vmm_unmap(as, BASE + 4 * PGSIZE, 36 * PGSIZE), 0);
	assert_int_equal(sim_full_flush, full + 1);
	assert_int_equal(sim_invlpg, inv + 4);
	vmm_activate(NULL);
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
}

/*
 * The TLB model itself: a translation cached before the tables change
 * behind the memory manager's back (no invalidation) is caught when used,
 * at both levels.
 */
static void test_tlb_model_catches_stale_entries(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(2, AREA_WRITE);
	unsigned char v = 2;

	sim_write(as, BASE, 1);
	assert_int_equal(vmm_load(as, BASE + PGSIZE, &v, 1), 0); /* present, not in the TLB */
	assert_int_equal(sim_read(as, BASE, &v), -1); /* cached: PDE and PTE */
	sim_tlb_tolerate = 1;
	pte_t *pt = page_address(PTE_PFN(as->pd[PDX(BASE)]), KMAP_PEEK);
	pte_t saved = pt[0];
	pt[0] &= ~PTE_W; /* write-protected without invlpg */
	assert_int_equal(sim_read(as, BASE, &v), -1);
	assert_int_equal(sim_tlb_stale, 1);
	pt[0] = saved;
	/* The PDE moved to a copy of the table: the cached PDE is stale. */
	assert_int_equal(sim_read(as, BASE, &v), -1);
	pfn_t copy = pmm_alloc_page(PMM_TABLE, PAGE_PGTABLE), old = PTE_PFN(as->pd[PDX(BASE)]);
	memcpy(page_address(copy, KMAP_PT1), pt, PGSIZE);
	as->pd[PDX(BASE)] = PFN_TO_PADDR(copy) | (as->pd[PDX(BASE)] & PTE_FLAGS_MASK);
	assert_int_equal(sim_read(as, BASE + PGSIZE, &v), -1); /* a TLB miss: the cached PDE */
	assert_int_equal(sim_tlb_stale, 2);
	assert_int_equal(v, 2);
	as->pd[PDX(BASE)] = PFN_TO_PADDR(old) | (as->pd[PDX(BASE)] & PTE_FLAGS_MASK);
	page_ref_dec(copy);
	sim_tlb_tolerate = 0;
	assert_clean();
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
}

/*
 * Un-sharing a fork-shared table for an unmap that finds no page points
 * the PDE at a new table: it must be invalidated even though no page is.
 * The read after the unmap would otherwise walk the old table through
 * the cached PDE (the TLB model aborts on it).
 */
static void test_unmap_unshare_invalidates_pde(void **state)
{
	(void)state;
	struct aspace *a = space_with_area(16, AREA_WRITE);
	unsigned char v;

	sim_write(a, BASE, 1);
	struct aspace *b = vmm_fork(a);
	assert_int_equal(sim_read(a, BASE, &v), -1); /* caches a's PDE: the shared table */
	uint32_t inv = sim_invlpg, full = sim_full_flush;
	assert_int_equal(vmm_unmap(a, BASE + 8 * PGSIZE, PGSIZE), 0); /* no page there */
	assert_int_equal(a->counters.table_copies, 1);
	assert_int_equal(sim_read(a, BASE + 4 * PGSIZE, &v), FAULT_ZERO_PAGE);
	assert_int_equal(sim_invlpg - inv, 1);
	assert_int_equal(sim_full_flush, full);
	/* The same for a brk shrink (vmm_resize). */
	sim_write(b, BASE + PGSIZE, 3);
	struct aspace *c = vmm_fork(b);
	assert_int_equal(sim_read(b, BASE, &v), -1);
	inv = sim_invlpg;
	assert_int_equal(vmm_resize(b, b->areas, BASE + 12 * PGSIZE), 0);
	assert_int_equal(b->counters.table_copies, 1);
	assert_int_equal(sim_read(b, BASE + 2 * PGSIZE, &v), FAULT_ZERO_PAGE);
	assert_int_equal(sim_invlpg - inv, 1);
	assert_int_equal(sim_read(b, BASE + PGSIZE, &v), -1);
	assert_int_equal(v, 3);
	assert_clean();
	vmm_destroy(c);
	vmm_destroy(b);
	vmm_destroy(a);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static pte_t *pte_of(struct aspace *as, vaddr_t va)
{
	return (pte_t *)page_address(PTE_PFN(as->pd[PDX(va)]), KMAP_PEEK) + PTX(va);
}

/* mm_check() finds exactly one problem, and its line names this text. */
static void assert_one_problem(const char *text)
{
	sim_clear_log();
	assert_int_equal(mm_check(), 1);
	if (!strstr(sim_log, text))
		fail_msg("no \"%s\" in: %s", text, sim_log);
}

/*
 * Copy-on-write safety, corrupted on purpose: a shared page writable in
 * one space (a copy-mode fork whose write-protection was lost), a shared
 * table writable in one PDE (share mode), the zero page writable.
 */
static void test_check_cow_invariants(void **state)
{
	(void)state;
	struct aspace *a = space_with_area(4, AREA_WRITE);
	char text[128];
	unsigned char v;

	sim_write(a, BASE, 1);
	mm_fork_mode = FORK_COPY_TABLES;
	struct aspace *b = vmm_fork(a);
	pte_t *pte = pte_of(b, BASE);
	assert_int_equal(page_refs(PTE_PFN(*pte)), 2);
	*pte |= PTE_W;
	snprintf(text, sizeof text, "check: space %u: writable entry at 0x%08x maps page 0x%08x of count 2",
		 b->id, BASE, PTE_ADDR(*pte));
	assert_one_problem(text);
	*pte &= ~PTE_W;
	assert_clean();

	mm_fork_mode = FORK_SHARE_TABLES;
	struct aspace *c = vmm_fork(a);
	c->pd[PDX(BASE)] |= PTE_W;
	snprintf(text, sizeof text,
		 "check: space %u: writable PDE at 0x%08x points at page table 0x%08x of count 2",
		 c->id, PGADDR(PDX(BASE), 0), PTE_ADDR(c->pd[PDX(BASE)]));
	assert_one_problem(text);
	c->pd[PDX(BASE)] &= ~PTE_W;
	assert_clean();

	assert_int_equal(sim_read(b, BASE + PGSIZE, &v), FAULT_ZERO_PAGE);
	pte = pte_of(b, BASE + PGSIZE);
	*pte |= PTE_W;
	snprintf(text, sizeof text, "check: space %u: the zero page is writable at 0x%08x", b->id,
		 BASE + PGSIZE);
	assert_one_problem(text);
	*pte &= ~PTE_W;
	assert_clean();
	vmm_destroy(c);
	vmm_destroy(b);
	vmm_destroy(a);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

/* Flushes made since the last call (invlpg, CR3 reloads). */
static uint32_t inv_seen, full_seen;

static void flushes_reset(void)
{
	inv_seen = sim_invlpg;
	full_seen = sim_full_flush;
}

/* A macro, so that a failure names the caller's line. */
#define assert_flushes(invlpg, reloads)                                   \
	do {                                                              \
		assert_int_equal(sim_invlpg - inv_seen, (invlpg));        \
		assert_int_equal(sim_full_flush - full_seen, (reloads));  \
		flushes_reset();                                          \
	} while (0)

/* What the verbose log says, one "tlb:" line. */
static void assert_tlb_line(const char *why, vaddr_t va)
{
	char line[80];

	snprintf(line, sizeof line, "tlb: invlpg 0x%08x (%s)\n", va, why);
	if (!strstr(sim_log, line))
		fail_msg("no \"%s\" in: %s", line, sim_log);
}

/* Take every user page but `leave`; returns how many were taken. */
static uint32_t hold_pages(pfn_t *held, uint32_t leave)
{
	uint32_t n = 0;
	pfn_t p;

	while ((p = pmm_alloc_page(PMM_USER, PAGE_MAPPED)))
		held[n++] = p;
	while (leave--)
		page_ref_dec(held[--n]);
	return n;
}

/*
 * One invalidation for each thing the TLB may hold, decided before any is
 * made: unmapping a table's last page is one invlpg (it also drops the
 * cached PDE), not an invlpg and a CR3 reload; a fault that un-shares a
 * table and then maps a page it never had invalidates once.
 */
static void test_tlb_one_flush_each(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(3 * NPTENTRIES, AREA_WRITE);
	unsigned char v;

	log_level = LOG_VERBOSE;
	sim_write(as, BASE, 1);
	flushes_reset();
	assert_int_equal(vmm_unmap(as, BASE, PGSIZE), 0); /* the table's last page */
	assert_int_equal(vmm_table_pages(as), 0);
	assert_flushes(1, 0);

	for (int i = 1; i < 4; i++) /* the area starts at BASE + PGSIZE now */
		sim_write(as, BASE + i * PGSIZE, (unsigned char)(i + 1));
	sim_write(as, BASE + PTSPAN, 9);
	sim_write(as, BASE + 2 * PTSPAN, 8);
	struct aspace *child = vmm_fork(as);
	vmm_activate(as);
	flushes_reset();
	sim_clear_log();
	/* A write where the shared table has no page: un-share, demand-zero. */
	assert_int_equal(sim_write(as, BASE + 8 * PGSIZE, 5), FAULT_DEMAND_ZERO);
	assert_flushes(1, 0);
	assert_tlb_line("table un-shared", BASE + 8 * PGSIZE);
	/* A read there: un-share, the zero page. */
	assert_int_equal(sim_read(as, BASE + 2 * PTSPAN + PGSIZE, &v), FAULT_ZERO_PAGE);
	assert_int_equal(as->counters.table_copies, 2);
	assert_flushes(1, 0);
	/* Unmapping a whole table the child shares: its pages stay for the
	 * child; this space's entries go, all at once. */
	pfn_t table = PTE_PFN(as->pd[PDX(BASE + PTSPAN)]);
	assert_int_equal(vmm_unmap(as, BASE + PTSPAN, PTSPAN), 0);
	assert_flushes(0, 1);
	assert_int_equal(page_refs(table), 1);
	assert_int_equal(as->rss, 6); /* 3 + 1 + 1, a demand-zero page, a zero page, less 1 */
	assert_int_equal(sim_read(child, BASE + PTSPAN, &v), -1);
	assert_int_equal(v, 9);
	/* Un-sharing edges that hold no page of the range: one invlpg each. */
	vmm_destroy(child);
	child = vmm_fork(as);
	assert_int_equal(vmm_map(as, BASE + PTSPAN, PTSPAN, AREA_WRITE, "anon"), 0);
	sim_write(as, BASE + PTSPAN + 100 * PGSIZE, 7);
	vmm_destroy(child);
	child = vmm_fork(as);
	vmm_activate(as);
	flushes_reset();
	sim_clear_log();
	assert_int_equal(vmm_unmap(as, BASE + 1000 * PGSIZE, 48 * PGSIZE), 0);
	assert_flushes(2, 0);
	assert_tlb_line("table un-shared", BASE + 1000 * PGSIZE);
	assert_tlb_line("table un-shared", BASE + PTSPAN);
	assert_int_equal(as->counters.table_copies, 4);
	/* ... and when the range holds pages there, their invlpg is enough. */
	vmm_destroy(child);
	child = vmm_fork(as);
	vmm_activate(as);
	flushes_reset();
	assert_int_equal(vmm_unmap(as, BASE + 2 * PGSIZE, 2 * PGSIZE), 0);
	assert_flushes(2, 0);
	assert_int_equal(sim_read(child, BASE + 3 * PGSIZE, &v), -1);
	assert_int_equal(v, 4);
	log_level = LOG_QUIET;
	assert_clean();
	vmm_destroy(child);
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

/*
 * A write fault that un-shares a table leaves the invalidation to the
 * copy's invlpg; when the copy finds no page (the table took the last),
 * the fault must still invalidate once: the PDE changed.
 */
static void test_tlb_unshare_then_oom(void **state)
{
	(void)state;
	struct aspace *a = space_with_area(4, AREA_WRITE);
	static pfn_t held[PAGES];
	unsigned char v;

	sim_write(a, BASE, 1);
	sim_write(a, BASE + PGSIZE, 2);
	struct aspace *b = vmm_fork(a);
	assert_int_equal(sim_read(b, BASE, &v), -1); /* b caches the shared table's PDE */
	uint32_t n = hold_pages(held, 1); /* one page left: the table copy takes it */
	flushes_reset();
	assert_int_equal(sim_write(b, BASE, 3), -2 - FAULT_OOM);
	assert_int_equal(b->counters.table_copies, 1);
	assert_flushes(1, 0);
	assert_int_equal(sim_read(b, BASE + PGSIZE, &v), -1); /* the TLB model checks */
	assert_int_equal(v, 2);
	/* Without a table to un-share, an oom copy changes nothing: no flush. */
	flushes_reset();
	assert_int_equal(sim_write(b, BASE + PGSIZE, 4), -2 - FAULT_OOM);
	assert_flushes(0, 0);
	while (n)
		page_ref_dec(held[--n]);
	assert_clean();
	vmm_destroy(b);
	vmm_destroy(a);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

/* calc_mem: the totals line, one line per address space, the counters. */
static void test_print_stats(void **state)
{
	(void)state;
	struct aspace *a = space_with_area(2 * NPTENTRIES, AREA_WRITE);
	unsigned char v;
	char line[128];

	sim_write(a, BASE, 1);
	sim_write(a, BASE + PGSIZE, 2);
	sim_write(a, BASE + PTSPAN, 3);
	struct aspace *b = vmm_fork(a);
	sim_write(b, BASE + PTSPAN, 4);     /* un-shares the second table, cow-copy */
	sim_read(b, BASE + 2 * PGSIZE, &v); /* un-shares the first, the zero page */
	sim_clear_log();
	mm_print_stats();
	snprintf(line, sizeof line, "mem: free %u of %u pages (%u KiB free)", pmm_free_pages(),
		 pmm.total, pmm_free_pages() * 4);
	assert_non_null(strstr(sim_log, line));
	/* a: 3 pages; the first table's two are also in b's copy of it (count
	 * 2), the third is a's alone since b's cow. b: the same two, the zero
	 * page (count > 1), its own copy of the third. No table is shared. */
	snprintf(line, sizeof line, "\nmem: space %u: rss 3 pages (2 shared), 2 tables (0 shared)\n",
		 a->id);
	assert_non_null(strstr(sim_log, line));
	snprintf(line, sizeof line, "\nmem: space %u: rss 4 pages (3 shared), 2 tables (0 shared)\n",
		 b->id);
	assert_non_null(strstr(sim_log, line));
	assert_non_null(strstr(sim_log, "\nfaults: demand-zero=3 zero-page=1 zero-cow=0 cow-copy=1 "));
	/* A third space sharing a's tables: counted as shared tables. */
	struct aspace *c = vmm_fork(a);
	sim_clear_log();
	mm_print_stats();
	snprintf(line, sizeof line, "\nmem: space %u: rss 3 pages (3 shared), 2 tables (2 shared)\n",
		 c->id);
	assert_non_null(strstr(sim_log, line));
	vmm_destroy(c);
	vmm_destroy(b);
	vmm_destroy(a);
	sim_clear_log();
	mm_print_stats();
	assert_null(strstr(sim_log, "mem: space"));
	assert_int_equal(pmm_free_pages(), baseline);
}

/*
 * A page table with no page in it (a fault got the table, then no page:
 * oom) still has a PDE the CPU may cache: freeing it by an unmap, in part
 * or whole, takes one invlpg, though no page is unmapped.
 */
static void test_tlb_empty_tables(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(2 * NPTENTRIES, AREA_WRITE);
	static pfn_t held[PAGES];
	uint32_t n;

	vmm_activate(as);
	n = hold_pages(held, 1);
	assert_int_equal(sim_write(as, BASE + 5 * PGSIZE, 1), -2 - FAULT_OOM);
	page_ref_dec(held[--n]);
	assert_int_equal(sim_write(as, BASE + PTSPAN, 1), -2 - FAULT_OOM);
	while (n)
		page_ref_dec(held[--n]);
	assert_int_equal(vmm_table_pages(as), 2);
	assert_int_equal(as->rss, 0);
	flushes_reset();
	assert_int_equal(vmm_unmap(as, BASE + 2 * PGSIZE, PGSIZE), 0);
	assert_flushes(1, 0);
	assert_int_equal(vmm_table_pages(as), 1);
	assert_int_equal(vmm_unmap(as, BASE + PTSPAN, PTSPAN), 0); /* the whole table */
	assert_flushes(1, 0);
	assert_int_equal(vmm_table_pages(as), 0);
	assert_clean();
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

/* entry_next_used against the plain loop it stands for. */
static uint32_t next_used_ref(const uint32_t *e, uint32_t i, uint32_t end)
{
	while (i < end && !e[i])
		i++;
	return i < end ? i : end;
}

/*
 * The scan behind the table loops: every start and bound around a few
 * fixed entries (the first, the last, a run's edges, one not present but
 * not zero), then random tables of every density against the plain loop.
 */
static void test_entry_next_used(void **state)
{
	static uint32_t e[NPTENTRIES];
	uint32_t rng = 12345;

	(void)state;
	memset(e, 0, sizeof e);
	assert_int_equal(entry_next_used(e, 0, NPTENTRIES), NPTENTRIES);
	assert_int_equal(entry_next_used(e, NPTENTRIES, NPTENTRIES), NPTENTRIES);
	assert_int_equal(entry_next_used(e, 7, 3), 3); /* an empty range: its end */
	e[0] = 0x1007;
	e[NPTENTRIES - 1] = 0x2007;
	e[300] = 0x3000; /* not present, not zero: found, the caller decides */
	e[301] = 0x4007;
	assert_int_equal(entry_next_used(e, 0, NPTENTRIES), 0);
	assert_int_equal(entry_next_used(e, 1, NPTENTRIES), 300);
	assert_int_equal(entry_next_used(e, 301, NPTENTRIES), 301);
	assert_int_equal(entry_next_used(e, 302, NPTENTRIES), NPTENTRIES - 1);
	assert_int_equal(entry_next_used(e, 1, 300), 300);  /* e[300] is past the bound */
	assert_int_equal(entry_next_used(e, 1, 301), 300);
	assert_int_equal(entry_next_used(e, 302, NPTENTRIES - 1), NPTENTRIES - 1);
	for (uint32_t i = 0; i <= NPTENTRIES; i++)
		for (uint32_t end = i; end <= NPTENTRIES; end += 97)
			assert_int_equal(entry_next_used(e, i, end), next_used_ref(e, i, end));
	for (int round = 0; round < 400; round++) {
		uint32_t percent = (uint32_t)round % 101;
		for (uint32_t i = 0; i < NPTENTRIES; i++) {
			rng = rng * 1103515245u + 12345u;
			e[i] = (rng >> 16) % 100 < percent ? (rng | 1) : 0;
		}
		rng = rng * 1103515245u + 12345u;
		uint32_t end = (rng >> 8) % (NPTENTRIES + 1);
		for (uint32_t i = 0; i <= end; i++)
			assert_int_equal(entry_next_used(e, i, end), next_used_ref(e, i, end));
	}
}

/* Fill a table page with pattern (1: page p mapped writable, 2: a value
 * that is not present, 0: empty), each present entry holding one count. */
static void fill_table(pte_t *t, const uint8_t *pattern, pfn_t p)
{
	for (uint32_t i = 0; i < NPTENTRIES; i++) {
		t[i] = 0;
		if (pattern[i] == 1) {
			t[i] = PFN_TO_PADDR(p) | PTE_P | PTE_W | PTE_U;
			assert_int_equal(page_ref_inc(p), 0);
		} else if (pattern[i] == 2) {
			t[i] = (i << PGSHIFT) | PTE_U; /* not present: copied as it is */
		}
	}
}

/*
 * table_copy_protected run by run: for each pattern (empty, full, the
 * first or last entry alone, a stack's few top pages, alternating, runs,
 * random) dst, filled with garbage first, must equal src entry for entry,
 * present entries write-protected in both, each present page counted
 * once more. Then the ceiling: a refusal late in the table gives back
 * every count taken before it.
 */
static void test_table_copy_patterns(void **state)
{
	static uint8_t pattern[NPTENTRIES];
	static pte_t want[NPTENTRIES];
	pfn_t src_pfn = pmm_alloc_page(PMM_TABLE, PAGE_PGTABLE);
	pfn_t dst_pfn = pmm_alloc_page(PMM_TABLE, PAGE_PGTABLE);
	pfn_t page = pmm_alloc_page(PMM_USER, PAGE_MAPPED), full = pmm_alloc_page(PMM_USER, PAGE_MAPPED);
	pte_t *src = page_address(src_pfn, KMAP_PT0), *dst = page_address(dst_pfn, KMAP_PT1);
	uint32_t rng = 777;

	(void)state;
	for (int kind = 0; kind < 9; kind++) {
		uint32_t present = 0;
		for (uint32_t i = 0; i < NPTENTRIES; i++) {
			rng = rng * 1103515245u + 12345u;
			uint8_t v = kind == 1 ? 1 : kind == 2 ? i == 0 : kind == 3 ? i == NPTENTRIES - 1
				  : kind == 4 ? i >= NPTENTRIES - 3 : kind == 5 ? i % 2
				  : kind == 6 ? (i / 37) % 2 : kind == 7 ? (uint8_t)((rng >> 16) % 3) : 0;
			if (kind == 8) /* a sparse table with not-present entries among empty runs */
				v = i % 211 == 5 ? 1 : i % 307 == 9 ? 2 : 0;
			pattern[i] = v;
			present += v == 1;
		}
		fill_table(src, pattern, page);
		for (uint32_t i = 0; i < NPTENTRIES; i++)
			want[i] = src[i] & PTE_P ? src[i] & ~PTE_W : src[i];
		memset(dst, 0xA5, PGSIZE);
		uint32_t refs = page_refs(page);
		assert_int_equal(table_copy_protected(dst, src), 0);
		assert_memory_equal(dst, want, PGSIZE);
		assert_memory_equal(src, want, PGSIZE);
		assert_int_equal(page_refs(page), refs + present);
		for (uint32_t i = 0; i < 2 * present; i++)
			page_ref_dec(page);
	}
	/* A count at its ceiling at entry 900, after runs of both kinds. */
	for (uint32_t i = 0; i < NPTENTRIES; i++)
		pattern[i] = i < 900 && (i / 50) % 2;
	fill_table(src, pattern, page);
	src[900] = PFN_TO_PADDR(full) | PTE_P | PTE_W | PTE_U;
	mem_map[full].refs = PAGE_REFS_MAX;
	uint32_t refs = page_refs(page);
	assert_int_equal(table_copy_protected(dst, src), -ENOMEM);
	assert_int_equal(page_refs(page), refs); /* every count taken came back */
	assert_int_equal(mem_map[full].refs, PAGE_REFS_MAX);
	assert_int_equal(pmm.errors, 1);
	pmm.errors = 0;
	mem_map[full].refs = 1;
	for (uint32_t i = 0; i < NPTENTRIES; i++)
		if (pattern[i])
			page_ref_dec(page);
	page_ref_dec(full);
	page_ref_dec(page);
	page_ref_dec(src_pfn);
	page_ref_dec(dst_pfn);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

/*
 * A table with pages only at both ends and one in the middle, as a stack
 * or a heap leaves it: un-shared by a write, unmapped in part (the table
 * stays while an entry is left) and then whole, and torn down by destroy.
 */
static void test_sparse_tables(void **state)
{
	static const uint32_t at[] = { 0, 1, 2, 500, NPTENTRIES - 3, NPTENTRIES - 1 };
	struct aspace *a = space_with_area(NPTENTRIES, AREA_WRITE);
	unsigned char v;

	(void)state;
	for (uint32_t k = 0; k < sizeof at / sizeof at[0]; k++)
		sim_write(a, BASE + at[k] * PGSIZE, (unsigned char)(k + 1));
	pfn_t last = pfn_at(a, BASE + (NPTENTRIES - 1) * PGSIZE);
	struct aspace *b = vmm_fork(a);
	assert_non_null(b);
	assert_int_equal(sim_write(a, BASE + 500 * PGSIZE, 9), FAULT_COW_COPY);
	assert_int_equal(a->counters.table_copies, 1);
	assert_int_equal(page_refs(last), 2); /* in a's copy and in b's table */
	for (uint32_t i = 0, k = 0; i < NPTENTRIES; i++) {
		pte_t e = table_map(a->pd[PDX(BASE)], KMAP_PT0)[i];
		if (k < sizeof at / sizeof at[0] && i == at[k]) {
			assert_true(e & PTE_P);
			assert_int_equal(!!(e & PTE_W), i == 500); /* only the page just copied */
			k++;
		} else {
			assert_int_equal(e, 0);
		}
	}
	assert_clean();
	/* Pages 1, 2 and 500 go; 0 and the top two keep the table. */
	assert_int_equal(vmm_unmap(a, BASE + PGSIZE, 600 * PGSIZE), 0);
	assert_int_equal(a->rss, 3);
	assert_int_equal(vmm_table_pages(a), 1);
	assert_int_equal(sim_read(a, BASE + (NPTENTRIES - 3) * PGSIZE, &v), -1);
	assert_int_equal(v, 5);
	assert_clean();
	assert_int_equal(vmm_unmap(a, BASE, PGSIZE), 0);
	assert_int_equal(vmm_unmap(a, BASE + (NPTENTRIES - 3) * PGSIZE, 3 * PGSIZE), 0);
	assert_int_equal(a->rss, 0);
	assert_int_equal(vmm_table_pages(a), 0); /* the last entry took the table */
	assert_int_equal(page_refs(last), 1);
	assert_clean();
	/* b's table is its own now: destroy frees the pages it maps. */
	assert_int_equal(sim_read(b, BASE + 500 * PGSIZE, &v), -1);
	assert_int_equal(v, 4);
	vmm_destroy(b);
	vmm_destroy(a);
	assert_int_equal(pmm_free_pages(), baseline);
	assert_clean();
}

static void test_load_and_peek(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(3, 0);
	char text[6000], back[6000];

	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (char)(i * 7);
	assert_int_equal(vmm_load(as, BASE + 100, text, sizeof text), 0);
	assert_int_equal(vmm_peek(as, BASE + 100, back, sizeof back), 0);
	assert_memory_equal(text, back, sizeof text);
	assert_int_equal(sim_write(as, BASE + 100, 1), -2 - FAULT_SEGV); /* still read-only */
	assert_int_equal(vmm_peek(as, BASE + 2 * PGSIZE + 10, back, 1), -14); /* not present */
	/* Loading where no area is: -EFAULT, and no page or table taken (they
	 * would leak: nothing walks memory outside the areas). */
	uint32_t free0 = pmm_free_pages();
	assert_int_equal(vmm_load(as, BASE + PTSPAN, text, 1), -14);
	assert_int_equal(as->pd[PDX(BASE + PTSPAN)], 0);
	assert_int_equal(as->rss, 2);
	assert_int_equal(pmm_free_pages(), free0);
	/* Running off the area's end: the part inside is loaded, then -EFAULT. */
	assert_int_equal(vmm_load(as, BASE + 3 * PGSIZE - 1, text, 2), -14);
	assert_int_equal(as->rss, 3);
	assert_int_equal(pmm_free_pages(), free0 - 1);
	assert_clean();
	vmm_destroy(as);
	assert_int_equal(pmm_free_pages(), baseline);
}

/* One space mapping page after page runs out of areas alone: its own
 * share, not the pool; a split counts; a fork copies the count. */
static void test_areas_per_space(void **state)
{
	(void)state;
	struct aspace *hog = vmm_create(), *other = vmm_create();
	uint32_t i;

	for (i = 0; i < AREAS_PER_SPACE; i++)
		assert_int_equal(vmm_map(hog, BASE + 2 * i * PGSIZE, PGSIZE, AREA_WRITE, "anon"), 0);
	assert_int_equal(vmm_map(hog, BASE + 2 * i * PGSIZE, PGSIZE, AREA_WRITE, "anon"), -12);
	assert_int_equal(hog->nareas, AREAS_PER_SPACE);
	for (i = 0; i < AREAS_PER_SPACE; i++) /* the others' shares are all there */
		assert_int_equal(vmm_map(other, BASE + 2 * i * PGSIZE, PGSIZE, AREA_WRITE, "o"), 0);
	assert_int_equal(vmm_unmap(other, BASE, 2 * PGSIZE), 0);
	assert_int_equal(other->nareas, AREAS_PER_SPACE - 1);
	struct aspace *child = vmm_fork(other);
	assert_non_null(child);
	assert_int_equal(child->nareas, AREAS_PER_SPACE - 1);
	vmm_destroy(child);
	vmm_destroy(other);
	/* A hole in the middle of an area splits it: one area more, refused
	 * at the limit, and the area is left whole. */
	const vaddr_t big = BASE + 200 * PGSIZE;
	assert_int_equal(vmm_unmap(hog, BASE, PGSIZE), 0);
	assert_int_equal(vmm_map(hog, big, 3 * PGSIZE, AREA_WRITE, "big"), 0);
	assert_int_equal(vmm_unmap(hog, big + PGSIZE, PGSIZE), -12);
	assert_non_null(vmm_find_area(hog, big + PGSIZE));
	assert_int_equal(hog->nareas, AREAS_PER_SPACE);
	assert_clean();
	vmm_destroy(hog);
	assert_int_equal(pmm_free_pages(), baseline);
}

/* A 0.11-mode space with an area of pages at offset off of its slot. */
static struct aspace *linux011_with_area(vaddr_t off, uint32_t pages)
{
	struct aspace *as = NULL;

	assert_int_equal(vmm_create_linux011(&as), 0);
	assert_int_equal(vmm_map(as, as->base + off, pages * PGSIZE, AREA_WRITE, "anon"), 0);
	return as;
}

#define OFF 0x00400000u /* where 0.11-mode areas go in these tests */

/*
 * Linux 0.11 mode: one directory for every such space, a 64 MiB slot
 * each; a switch between two of them loads no CR3, so the TLB keeps the
 * other slot's entries (the model would catch one used after a change).
 */
static void test_linux011_slots(void **state)
{
	(void)state;
	struct aspace *a = linux011_with_area(OFF, 4), *b = linux011_with_area(OFF, 4);
	unsigned char v;

	assert_int_equal(a->slot, 1);
	assert_int_equal(b->slot, 2);
	assert_int_equal(a->base, LINUX011_SLOT_SIZE);
	assert_int_equal(b->end, 3 * LINUX011_SLOT_SIZE);
	assert_int_equal(a->pd_pfn, b->pd_pfn);
	assert_int_equal(linux011_pgdir(), a->pd_pfn);
	assert_int_equal(page_refs(a->pd_pfn), 2); /* one reference per space */
	/* A space maps inside its slot only, page 0 of it never: each
	 * refusal says why (-EFAULT outside, -EINVAL unaligned, -EEXIST
	 * over an area). */
	assert_int_equal(vmm_map(a, b->base + OFF + 16 * PGSIZE, PGSIZE, AREA_WRITE, "x"), -EFAULT);
	assert_int_equal(vmm_map(a, a->base, PGSIZE, AREA_WRITE, "x"), -EFAULT);
	assert_int_equal(vmm_map(a, a->end - PGSIZE, 2 * PGSIZE, AREA_WRITE, "x"), -EFAULT);
	assert_int_equal(vmm_map(a, a->base + OFF + 0x800, PGSIZE, AREA_WRITE, "x"), -EINVAL);
	assert_int_equal(vmm_map(a, a->base + OFF + 16 * PGSIZE, 0, AREA_WRITE, "x"), -EINVAL);
	assert_int_equal(vmm_map(a, a->base + OFF, PGSIZE, AREA_WRITE, "x"), -EEXIST);
	uint32_t loads = vmm_cr3_loads;
	assert_int_equal(sim_write(a, a->base + OFF, 1), FAULT_DEMAND_ZERO);
	assert_int_equal(sim_write(b, b->base + OFF, 2), FAULT_DEMAND_ZERO);
	assert_int_equal(sim_read(a, a->base + OFF, &v), -1);
	assert_int_equal(v, 1);
	assert_int_equal(vmm_cr3_loads, loads + 1); /* the first switch only */
	/* Each slot's PDE of the one directory. */
	assert_true(a->pd[PDX(a->base + OFF)] & PTE_P);
	assert_true(a->pd[PDX(b->base + OFF)] & PTE_P);
	/* Past a's slot the fault finds no area of a's: a segv, said so. */
	assert_int_equal(vmm_fault(a, b->base + OFF, PF_U), FAULT_SEGV);
	assert_non_null(strstr(vmm_segv_reason(a, b->base + OFF, PF_U), "0.11 slot"));
	assert_clean();
	vmm_activate(NULL);
	vmm_destroy(a);
	assert_int_equal(page_refs(b->pd_pfn), 1);
	assert_clean();
	vmm_destroy(b);
	assert_int_equal(linux011_pgdir(), 0); /* the last one freed it */
	assert_int_equal(linux011_slots_used(), 0);
	assert_int_equal(pmm_free_pages(), baseline);
}

/*
 * fork is 0.11's copy_page_tables: the child's slot gets copies of the
 * parent's tables, every present page read-only in both and counted once
 * more, then one CR3 reload; a write is do_wp_page (a copy), and after
 * the child exits the parent's write reuses the page (count 1).
 */
static void test_linux011_fork(void **state)
{
	(void)state;
	struct aspace *a = linux011_with_area(OFF, 8);
	unsigned char v;

	for (int i = 0; i < 8; i++)
		sim_write(a, a->base + OFF + i * PGSIZE, (unsigned char)(10 + i));
	assert_int_equal(sim_read(a, a->base + OFF, &v), -1); /* writable entries cached */
	uint32_t full = sim_full_flush, tables_before = pmm_free_pages();
	struct aspace *c = vmm_fork(a);
	assert_non_null(c);
	assert_int_equal(c->slot, 2);
	assert_int_equal(c->pd_pfn, a->pd_pfn);
	assert_int_equal(sim_full_flush, full + 1); /* invalidate() */
	assert_int_equal(c->rss, a->rss);
	assert_int_equal(c->areas->start, c->base + OFF); /* the area moved with the slot */
	/* New tables for every one of the parent's, nothing else. */
	assert_int_equal(tables_before - pmm_free_pages(), vmm_table_pages(a));
	struct walk wa, wc;
	vmm_walk(a, a->base + OFF, &wa);
	vmm_walk(c, c->base + OFF, &wc);
	assert_int_equal(wa.pa, wc.pa);
	assert_int_equal(page_refs(PADDR_TO_PFN(wa.pa)), 2);
	assert_int_equal(page_refs(wa.table_pfn), 1); /* copied, not shared */
	assert_false(wa.pte & PTE_W);
	assert_false(wc.pte & PTE_W);
	assert_clean();
	/* The parent's cached writable entry went with the flush: its write
	 * faults (the model would abort on a stale one). */
	assert_int_equal(sim_write(c, c->base + OFF, 99), FAULT_COW_COPY);
	assert_int_equal(sim_read(a, a->base + OFF, &v), -1);
	assert_int_equal(v, 10);
	assert_int_equal(sim_write(a, a->base + OFF, 11), FAULT_COW_REUSE);
	assert_int_equal(sim_write(c, c->base + OFF + PGSIZE, 98), FAULT_COW_COPY);
	assert_clean();
	/* c exits while a runs on the same directory: its slot's entries
	 * must leave the TLB (free_page_tables' invalidate), or the next
	 * owner of slot 2 would be served c's pages. */
	assert_int_equal(sim_read(c, c->base + OFF + 2 * PGSIZE, &v), -1);
	assert_int_equal(sim_read(a, a->base + OFF + 2 * PGSIZE, &v), -1);
	vmm_destroy(c);
	struct aspace *d = linux011_with_area(OFF, 8);
	assert_int_equal(d->slot, 2);
	assert_int_equal(sim_read(d, d->base + OFF + 2 * PGSIZE, &v), FAULT_ZERO_PAGE);
	assert_int_equal(v, 0);
	assert_clean();
	vmm_activate(NULL);
	vmm_destroy(d);
	vmm_destroy(a);
	assert_int_equal(pmm_free_pages(), baseline);
}

/* The slots run out at 47 (the 48th would be the kernel's half). */
static void test_linux011_slots_run_out(void **state)
{
	(void)state;
	struct aspace *as[LINUX011_SLOTS], *extra = NULL;

	for (uint32_t i = 0; i < LINUX011_SLOTS; i++) {
		assert_int_equal(vmm_create_linux011(&as[i]), 0);
		assert_int_equal(as[i]->slot, i + 1);
	}
	assert_int_equal(as[LINUX011_SLOTS - 1]->end, USER_TOP);
	assert_int_equal(vmm_create_linux011(&extra), -EAGAIN);
	assert_null(extra);
	assert_int_equal(page_refs(linux011_pgdir()), LINUX011_SLOTS);
	assert_clean();
	for (uint32_t i = 0; i < LINUX011_SLOTS; i++)
		vmm_destroy(as[i]);
	assert_int_equal(linux011_pgdir(), 0);
	assert_int_equal(pmm_free_pages(), baseline);
}

/*
 * The TLB experiment's remap: the PTE points at a copy with the word
 * inverted and nothing is invalidated, so a read through the cached entry
 * is stale (the model counts it); after the invalidation the new page is
 * read, and only then is the old one let go.
 */
static void test_remap_without_invalidation(void **state)
{
	(void)state;
	struct aspace *as = space_with_area(2, AREA_WRITE);
	unsigned char v;
	struct remap r;

	sim_write(as, BASE + 8, 0x5A);
	assert_int_equal(sim_read(as, BASE + 8, &v), -1); /* in the TLB */
	assert_int_equal(vmm_remap_begin(as, BASE + PGSIZE, &r), -EFAULT); /* not present */
	assert_int_equal(vmm_remap_begin(as, BASE + PGSIZE - 2, &r), -EFAULT); /* crosses */
	uint32_t free_before = pmm_free_pages(), inv = sim_invlpg;
	assert_int_equal(vmm_remap_begin(as, BASE + 8, &r), 0);
	assert_int_equal(sim_invlpg, inv); /* none: that is the experiment */
	assert_int_equal(r.old_word & 0xFF, 0x5A);
	assert_int_equal(r.new_word, ~r.old_word);
	assert_int_equal(pmm_free_pages(), free_before - 1); /* the old page is held */
	assert_int_equal(page_refs(r.old), 1);
	sim_tlb_tolerate = 1;
	sim_read(as, BASE + 8, &v); /* the model: a stale entry would be used */
	assert_int_equal(sim_tlb_stale, 1);
	sim_tlb_tolerate = 0;
	vmm_remap_end(&r, REMAP_INVLPG);
	assert_int_equal(sim_invlpg, inv + 1);
	assert_int_equal(sim_read(as, BASE + 8, &v), -1);
	assert_int_equal(v, (unsigned char)~0x5A);
	assert_int_equal(pmm_free_pages(), free_before);
	assert_clean();
	/* The space gone before the end: the old page is still let go. */
	assert_int_equal(vmm_remap_begin(as, BASE + 8, &r), 0);
	vmm_activate(NULL);
	vmm_destroy(as);
	vmm_remap_end(&r, REMAP_GONE);
	assert_int_equal(pmm_free_pages(), baseline);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_allocator_round_trip, setup),
		cmocka_unit_test_setup(test_bad_frees_are_reported, setup),
		cmocka_unit_test_setup(test_refcount_ceiling, setup),
		cmocka_unit_test_setup(test_table_copy_at_ceiling, setup),
		cmocka_unit_test_setup(test_demand_zero, setup),
		cmocka_unit_test_setup(test_zero_page_then_write, setup),
		cmocka_unit_test_setup(test_fork_share_tables, setup),
		cmocka_unit_test_setup(test_fork_copy_tables, setup),
		cmocka_unit_test_setup(test_page_use, setup),
		cmocka_unit_test_setup(test_fault_records_only_when_asked, setup),
		cmocka_unit_test_setup(test_three_way_copy_tables, setup),
		cmocka_unit_test_setup(test_three_way_share_tables, setup),
		cmocka_unit_test_setup(test_segv_cases, setup),
		cmocka_unit_test_setup(test_unmap_frees_pages_and_tables, setup),
		cmocka_unit_test_setup(test_unmap_in_shared_table, setup),
		cmocka_unit_test_setup(test_out_of_memory, setup),
		cmocka_unit_test_setup(test_tables_fall_back_to_highmem, setup),
		cmocka_unit_test_setup(test_next_free, setup),
		cmocka_unit_test_setup(test_tlb_policy, setup),
		cmocka_unit_test_setup(test_tlb_one_flush_each, setup),
		cmocka_unit_test_setup(test_tlb_unshare_then_oom, setup),
		cmocka_unit_test_setup(test_tlb_empty_tables, setup),
		cmocka_unit_test_setup(test_load_and_peek, setup),
		cmocka_unit_test_setup(test_entry_next_used, setup),
		cmocka_unit_test_setup(test_table_copy_patterns, setup),
		cmocka_unit_test_setup(test_sparse_tables, setup),
		cmocka_unit_test_setup(test_tlb_model_catches_stale_entries, setup),
		cmocka_unit_test_setup(test_unmap_unshare_invalidates_pde, setup),
		cmocka_unit_test_setup(test_check_cow_invariants, setup),
		cmocka_unit_test_setup(test_print_stats, setup),
		cmocka_unit_test_setup(test_areas_per_space, setup),
		cmocka_unit_test_setup(test_linux011_slots, setup),
		cmocka_unit_test_setup(test_linux011_fork, setup),
		cmocka_unit_test_setup(test_linux011_slots_run_out, setup),
		cmocka_unit_test_setup(test_remap_without_invalidation, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
