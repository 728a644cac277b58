/*
 * check.c - the invariant checker.
 *
 * For every physical page, its count must equal the number of things that
 * point at it: page-table entries (user pages), directory entries (page
 * tables), its address space (a page directory), or its kernel owner. The
 * checker recounts all of them from scratch, by walking every address
 * space, and compares with mem_map; then it walks the free lists. It also
 * checks what copy-on-write relies on: a writable PDE or PTE grants
 * writes only to a table or page nobody else holds. It can run at any
 * time: the tests run it after every scenario.
 */
#include <stdarg.h>

#include "core/log.h"
#include "core/mm/internal.h"

#include "lib/fmt.h"
#include "lib/string.h"

#define MAX_REPORTS 16

static uint32_t problems;

static void problem(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (++problems > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	kprintf("check: %s\n", line);
}

static int valid_pfn(pfn_t pfn, uint32_t want_tag, const char *what, vaddr_t where)
{
	if (pfn >= pmm.max_pfn || mem_map[pfn].link != want_tag) {
		problem("%s at 0x%08x points at page 0x%08x (%s)", what, where, PFN_TO_PADDR(pfn),
			pmm_use_name(pfn));
		return 0;
	}
	return 1;
}

/*
 * Copy-on-write safety of one writable entry: through a writable PDE it
 * lets the task write the page, so nobody else may hold the page (count
 * 1). The zero page is never writable, whatever the PDE: a shared table
 * taken back by its last user (table_make_private) would make it so.
 */
static void check_writable(struct aspace *as, pde_t pde, pte_t e, vaddr_t va)
{
	pfn_t pfn = PTE_PFN(e);

	if (pfn == pmm.zero_pfn)
		problem("space %u: the zero page is writable at 0x%08x", as->id, va);
	else if ((pde & PTE_W) && page_refs(pfn) != 1)
		problem("space %u: writable entry at 0x%08x maps page 0x%08x of count %u", as->id,
			va, PFN_TO_PADDR(pfn), page_refs(pfn));
}

/* Entries of one table as seen from as; counts pages on the first visit. */
static uint32_t check_table(struct aspace *as, uint32_t pdx, int first_visit)
{
	pde_t pde = as->pd[pdx];
	pte_t *pt = table_map(pde, KMAP_PT0);
	uint32_t present = 0;

	for (uint32_t i = 0; i < NPTENTRIES; i++) {
		pte_t e = pt[i];
		vaddr_t va = PGADDR(pdx, i);
		if (!(e & PTE_P))
			continue;
		present++;
		struct area *a = vmm_find_area(as, va);
		if (!a)
			problem("space %u: page at 0x%08x outside every area", as->id, va);
		else if ((e & PTE_W) && !(a->flags & AREA_WRITE))
			problem("space %u: writable entry at 0x%08x in read-only area %s", as->id,
				va, a->name);
		if (!(e & PTE_U))
			problem("space %u: user page 0x%08x without PTE_U", as->id, va);
		if (e & PTE_W)
			check_writable(as, pde, e, va);
		uint32_t tag = PTE_PFN(e) == pmm.zero_pfn ? PAGE_KERNEL : PAGE_MAPPED;
		if (first_visit && valid_pfn(PTE_PFN(e), tag, "entry", va))
			mm_check_counts[PTE_PFN(e)]++;
	}
	return present;
}

static void check_space(struct aspace *as, const pde_t *kernel_pd)
{
	uint32_t present = 0;

	if (valid_pfn(as->pd_pfn, PAGE_PGDIR, "space", 0))
		mm_check_counts[as->pd_pfn]++;
	/* The CPU may still set A or D in a copy: only the rest must match.
	 * The high-RAM windows are each directory's scratch (layout.h). */
	for (uint32_t pdx = KERNEL_PDX; pdx < NPDENTRIES; pdx++)
		if ((pdx < PDX(HIGHRAM_WINDOW_BASE) ||
		     pdx >= PDX(HIGHRAM_WINDOW_BASE) + HIGHRAM_WINDOWS) &&
		    ((as->pd[pdx] ^ kernel_pd[pdx]) & ~(PTE_A | PTE_D))) {
			problem("space %u: kernel PDE %u is 0x%08x, the kernel's 0x%08x", as->id,
				pdx, as->pd[pdx], kernel_pd[pdx]);
			break;
		}
	/* Its own user PDEs: all of them, or its slot's of the 0.11 directory. */
	for (uint32_t pdx = PDX(as->base); pdx < PDX(as->end - 1) + 1; pdx++) {
		pde_t pde = as->pd[pdx];
		if (!(pde & PTE_P))
			continue;
		if ((pde & (PTE_PS | PTE_U)) != PTE_U) {
			problem("space %u: bad user PDE %u: 0x%08x", as->id, pdx, pde);
			continue;
		}
		if (!valid_pfn(PTE_PFN(pde), PAGE_PGTABLE, "directory entry", PGADDR(pdx, 0)))
			continue;
		/* A table shared by fork must be write-protected in every PDE. */
		if ((pde & PTE_W) && page_refs(PTE_PFN(pde)) != 1)
			problem("space %u: writable PDE at 0x%08x points at page table 0x%08x of "
				"count %u", as->id, PGADDR(pdx, 0), PTE_ADDR(pde),
				page_refs(PTE_PFN(pde)));
		int first = mm_check_counts[PTE_PFN(pde)]++ == 0;
		present += check_table(as, pdx, first);
	}
	if (present != as->rss)
		problem("space %u: rss says %u pages, its tables map %u", as->id, as->rss, present);
}

static void check_pages(uint32_t *used)
{
	for (pfn_t pfn = 1; pfn < pmm.max_pfn; pfn++) {
		struct page *p = &mem_map[pfn];
		uint32_t found = mm_check_counts[pfn];
		if (p->link == PAGE_RESERVED)
			continue; /* a mapping of one was reported while counting */
		if (PAGE_IS_FREE(p)) {
			if (p->refs || found)
				problem("free page 0x%08x: count %u, %u references found",
					PFN_TO_PADDR(pfn), p->refs, found);
			continue;
		}
		(*used)++;
		uint32_t want = found + (p->link == PAGE_KERNEL);
		if (p->refs != want)
			problem("page 0x%08x (%s): count %u, but %u references found",
				PFN_TO_PADDR(pfn), pmm_use_name(pfn), p->refs, want);
	}
}

#ifndef MM_SCAN_ALLOC
static uint32_t walk_free_list(pfn_t head, enum zone z)
{
	uint32_t n = 0;

	for (pfn_t pfn = head; pfn; pfn = mem_map[pfn].link) {
		int wrong_zone = (pfn < lowmem_end_pfn) != (z == ZONE_LOW);
		if (pfn >= pmm.max_pfn || !PAGE_IS_FREE(&mem_map[pfn]) || wrong_zone) {
			problem("free list %d: bad entry page 0x%08x", z, PFN_TO_PADDR(pfn));
			break;
		}
		if (++n > pmm.total) {
			problem("free list %d: loops", z);
			break;
		}
	}
	return n;
}

static void check_free_lists(void)
{
	for (int z = 0; z < NZONES; z++) {
		uint32_t n = walk_free_list(pmm_free_head(z), z);
		if (n != pmm.free[z])
			problem("zone %d: %u pages on the free list, counter says %u", z, n,
				pmm.free[z]);
	}
}
#else
static void check_free_lists(void)
{
	/* The scan build keeps no free lists (page.c): the totals below are all. */
}
#endif

/* The shared 0.11 directory: a table outside every live slot would be
 * counted by nobody (and found by nobody: a leak). */
static void check_linux011(void)
{
	pfn_t pd = linux011_pgdir();
	const pde_t *e = pd ? page_address(pd, KMAP_PEEK) : NULL;

	for (uint32_t pdx = 0; e && pdx < KERNEL_PDX; pdx++) {
		uint32_t nr = pdx / (LINUX011_SLOT_SIZE / PTSPAN);
		if ((e[pdx] & PTE_P) && !linux011_owner(nr))
			problem("0.11 directory: PDE %u (slot %u, no task's) is 0x%08x", pdx, nr,
				e[pdx]);
	}
	if (!pd && linux011_slots_used())
		problem("0.11 mode: %u slots in use, no directory", linux011_slots_used());
}

uint32_t mm_check(void)
{
	uint32_t used = 0;

	problems = 0;
	memset(mm_check_counts, 0, pmm.max_pfn * sizeof(uint32_t));
	for (struct aspace *as = vmm_first(); as; as = as->next_all)
		check_space(as, paging_kernel_pd());
	check_linux011();
	check_pages(&used);
	check_free_lists();
	if (pmm_free_pages() + used != pmm.total)
		problem("free %u + used %u != total %u", pmm_free_pages(), used, pmm.total);
	if (problems > MAX_REPORTS)
		kprintf("check: ... %u problems in all\n", problems);
	return problems;
}
