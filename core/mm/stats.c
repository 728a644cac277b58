/*
 * stats.c - calc_mem, which Linux 0.11 wrote and never called: free and
 * total pages, what each address space holds and shares, and what the
 * fault handler has done.
 */
#include "core/log.h"
#include "core/mm/internal.h"

void mm_print_counters(const struct mm_counters *c, const char *prefix)
{
	const uint32_t *f = c->faults;

	kprintf("%sdemand-zero=%u zero-page=%u zero-cow=%u cow-copy=%u cow-reuse=%u spurious=%u "
		"segv=%u oom=%u table-copy=%u table-reuse=%u invlpg=%u cr3-reload=%u\n",
		prefix, f[FAULT_DEMAND_ZERO], f[FAULT_ZERO_PAGE], f[FAULT_ZERO_COW],
		f[FAULT_COW_COPY], f[FAULT_COW_REUSE], f[FAULT_SPURIOUS], f[FAULT_SEGV],
		f[FAULT_OOM], c->table_copies, c->table_reuses, c->tlb_invlpg, c->tlb_full);
}

struct share_count {
	uint32_t shared, tables, shared_tables;
};

static void count_shared(struct aspace *as, uint32_t pdx, void *p)
{
	struct share_count *c = p;
	pde_t pde = as->pd[pdx];
	int table_shared = page_refs(PTE_PFN(pde)) > 1;
	pte_t *pt = table_map(pde, KMAP_PT0);

	c->tables++;
	c->shared_tables += table_shared;
	for (uint32_t i = 0; i < NPTENTRIES; i++)
		if ((pt[i] & PTE_P) && (table_shared || page_refs(PTE_PFN(pt[i])) > 1))
			c->shared++;
}

/* One line per address space: what it holds, and how much of it it
 * shares with fork relatives (one pass over its tables). */
static void print_space(struct aspace *as)
{
	struct share_count c = { 0, 0, 0 };

	for_each_table(as, count_shared, &c);
	kprintf("mem: space %u: rss %u pages (%u shared), %u tables (%u shared)\n", as->id,
		as->rss, c.shared, c.tables, c.shared_tables);
}

/* calc_mem: the totals, each address space, the fault counters. */
void mm_print_stats(void)
{
	kprintf("mem: free %u of %u pages (%u KiB free): low %u of %u, high %u of %u; "
		"zero page mapped %u times; errors %u\n",
		pmm_free_pages(), pmm.total, pmm_free_pages() * 4, pmm.free[ZONE_LOW],
		pmm.managed[ZONE_LOW], pmm.free[ZONE_HIGH], pmm.managed[ZONE_HIGH],
		page_refs(pmm.zero_pfn) - 1, pmm.errors);
	for (struct aspace *as = vmm_first(); as; as = as->next_all)
		print_space(as);
	mm_print_counters(&mm_counters, "faults: ");
}

uint32_t vmm_shared_pages(struct aspace *as)
{
	struct share_count c = { 0, 0, 0 };

	for_each_table(as, count_shared, &c);
	return c.shared;
}

uint32_t vmm_table_pages(struct aspace *as)
{
	struct share_count c = { 0, 0, 0 };

	for_each_table(as, count_shared, &c);
	return c.tables;
}
