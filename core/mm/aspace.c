/*
 * aspace.c - address spaces: a page directory and a sorted list of areas.
 *
 * An area is a promise, not memory: vmm_map() only records [start, end)
 * and its rights; pages arrive one fault at a time (fault.c). This is
 * Linux's vm_area_struct list on mm->mmap, minus files and merging.
 *
 * Address spaces and areas come from fixed pools, so creating and
 * destroying them never changes the free-page count the tests compare.
 */
#include "core/log.h"
#include "core/mm/internal.h"

#include <layout.h>

#include "lib/string.h"

#define MAX_ASPACES 160
#define MAX_AREAS 4096

static struct aspace aspace_pool[MAX_ASPACES];
static struct area area_pool[MAX_AREAS];
static struct aspace *aspace_free_list, *all_spaces;
static struct area *area_free_list;
static uint32_t next_id = 1;
struct aspace *vmm_current;

void vmm_init(void)
{
	for (int i = MAX_ASPACES - 1; i >= 0; i--) {
		aspace_pool[i].next_all = aspace_free_list;
		aspace_free_list = &aspace_pool[i];
	}
	for (int i = MAX_AREAS - 1; i >= 0; i--) {
		area_pool[i].next = area_free_list;
		area_free_list = &area_pool[i];
	}
	all_spaces = NULL;
	vmm_current = NULL;
}

struct area *area_alloc(void)
{
	struct area *a = area_free_list;

	if (a)
		area_free_list = a->next;
	return a;
}

void area_free(struct area *a)
{
	a->next = area_free_list;
	area_free_list = a;
}

struct aspace *vmm_first(void)
{
	return all_spaces;
}

struct aspace *vmm_create(void)
{
	struct aspace *as = aspace_free_list;

	if (!as)
		return NULL;
	pfn_t pd = pmm_alloc_page(PMM_DIR, PAGE_PGDIR); /* not zeroed: written whole below */
	if (!pd)
		return NULL;
	aspace_free_list = as->next_all;
	memset(as, 0, sizeof *as);
	as->pd_pfn = pd;
	as->pd = phys_to_virt(PFN_TO_PADDR(pd));
	as->id = next_id++;
	/* An empty user half, and the kernel's half: each entry written once. */
	memset(as->pd, 0, KERNEL_PDX * sizeof(pde_t));
	memcpy(&as->pd[KERNEL_PDX], &paging_kernel_pd()[KERNEL_PDX],
	       (NPDENTRIES - KERNEL_PDX) * sizeof(pde_t));
	as->next_all = all_spaces;
	all_spaces = as;
	return as;
}

void for_each_table(struct aspace *as, pdx_fn fn, void *ctx)
{
	int64_t last = -1;

	for (struct area *a = as->areas; a; a = a->next) {
		if (a->start == a->end)
			continue;
		int64_t i = PDX(a->start) > last ? PDX(a->start) : last + 1;
		for (; i <= PDX(a->end - 1); i++)
			if (as->pd[i] & PTE_P)
				fn(as, (uint32_t)i, ctx);
		if (PDX(a->end - 1) > last)
			last = PDX(a->end - 1);
	}
}

uint32_t table_drop(struct aspace *as, uint32_t pdx)
{
	pde_t pde = as->pd[pdx];
	pte_t *pt = table_map(pde, KMAP_PT0);
	int shared = page_refs(PTE_PFN(pde)) > 1; /* with a fork relative: pages stay */
	uint32_t present = 0;

	for (uint32_t i = 0; i < NPTENTRIES; i++) {
		if (!(pt[i] & PTE_P))
			continue;
		present++;
		if (!shared)
			page_ref_dec(PTE_PFN(pt[i]));
	}
	as->pd[pdx] = 0;
	as->rss -= present;
	page_ref_dec(PTE_PFN(pde));
	return present;
}

/* The whole space goes, so its rss no longer matters: a table shared with
 * a fork relative only loses our reference, without the 1024 reads that
 * would count what it maps. */
static void destroy_table(struct aspace *as, uint32_t pdx, void *ctx)
{
	pfn_t table = PTE_PFN(as->pd[pdx]);

	(void)ctx;
	if (page_refs(table) > 1) {
		as->pd[pdx] = 0;
		page_ref_dec(table);
	} else {
		table_drop(as, pdx);
	}
}

void vmm_destroy(struct aspace *as)
{
	if (as == vmm_current)
		vmm_activate(NULL); /* never free the directory CR3 points at */
	for_each_table(as, destroy_table, NULL);
	while (as->areas) {
		struct area *a = as->areas;
		as->areas = a->next;
		area_free(a);
	}
	page_ref_dec(as->pd_pfn);
	struct aspace **pp = &all_spaces;
	while (*pp != as)
		pp = &(*pp)->next_all;
	*pp = as->next_all;
	as->pd = NULL;
	as->next_all = aspace_free_list;
	aspace_free_list = as;
}

void vmm_activate(struct aspace *as)
{
	vmm_current = as;
	load_page_directory(as ? PFN_TO_PADDR(as->pd_pfn) : virt_to_phys(paging_kernel_pd()));
}

void flush_page(struct aspace *as, vaddr_t va, const char *why)
{
	if (as != vmm_current)
		return; /* its entries left the TLB when CR3 last changed */
	tlb_flush_page(va);
	mm_counters.tlb_invlpg++;
	as->counters.tlb_invlpg++;
	log_verbose("tlb: invlpg 0x%08x (%s)\n", va, why);
}

void flush_all(struct aspace *as, const char *why)
{
	if (as != vmm_current)
		return;
	tlb_flush_all();
	mm_counters.tlb_full++;
	as->counters.tlb_full++;
	log_verbose("tlb: cr3 reload (%s)\n", why);
}

/* vmm_find_area() (mm.h) when its last answer does not hold va. */
struct area *vmm_find_area_walk(struct aspace *as, vaddr_t va)
{
	for (struct area *a = as->areas; a && a->start <= va; a = a->next) {
		if (va < a->end) {
			as->cache = a;
			return a;
		}
	}
	return NULL;
}

static int range_ok(vaddr_t start, uint32_t len)
{
	return !PGOFF(start) && !PGOFF(len) && len && start >= USER_BASE &&
	       start + len > start && start + len <= USER_TOP;
}

int vmm_map(struct aspace *as, vaddr_t start, uint32_t len, uint32_t flags, const char *name)
{
	struct area **pp = &as->areas;

	if (!range_ok(start, len))
		return -EINVAL;
	while (*pp && (*pp)->end <= start)
		pp = &(*pp)->next;
	if (*pp && (*pp)->start < start + len)
		return -EINVAL; /* overlaps an area */
	struct area *a = area_alloc();
	if (!a)
		return -ENOMEM;
	a->start = start;
	a->end = start + len;
	a->flags = flags;
	strlcpy(a->name, name, sizeof a->name);
	a->next = *pp;
	*pp = a;
	return 0;
}

/* Invalidations for a range: one invlpg per page up to the ceiling, one
 * CR3 reload past it or when a whole table went. */
struct flush_batch {
	struct aspace *as;
	uint32_t pages;
	int full;
};

static void batch_page(struct flush_batch *b, vaddr_t va)
{
	if (++b->pages <= TLB_FLUSH_CEILING)
		flush_page(b->as, va, "unmap");
	else
		b->full = 1;
}

static void batch_finish(struct flush_batch *b)
{
	if (b->full)
		flush_all(b->as, "unmap");
}

/* Clear [start, end) within one table; drop the table when it empties. */
static void zap_in_table(struct aspace *as, uint32_t pdx, vaddr_t start, vaddr_t end,
			 struct flush_batch *b)
{
	pte_t *pt = table_map(as->pd[pdx], KMAP_PT0);
	uint32_t left = 0;

	for (vaddr_t va = start; va < end; va += PGSIZE) {
		pte_t *pte = &pt[PTX(va)];
		if (!(*pte & PTE_P))
			continue;
		page_ref_dec(PTE_PFN(*pte));
		*pte = 0;
		as->rss--;
		batch_page(b, va);
	}
	for (uint32_t i = 0; i < NPTENTRIES; i++)
		left += pt[i] & PTE_P;
	if (!left) {
		page_ref_dec(PTE_PFN(as->pd[pdx]));
		as->pd[pdx] = 0;
		b->full = 1; /* the CPU may cache the PDE itself */
	}
}

/* Free every page and emptied table in [start, end). Partially covered
 * shared tables must already be private (vmm_unmap sees to it). */
static void zap_range(struct aspace *as, vaddr_t start, vaddr_t end)
{
	struct flush_batch b = { as, 0, 0 };

	for (vaddr_t va = start; va < end;) {
		uint32_t pdx = PDX(va);
		vaddr_t table_end = PGADDR(pdx + 1, 0), stop = end < table_end ? end : table_end;
		if (!table_end)
			stop = end; /* the last table: PGADDR wrapped to 0 */
		if (as->pd[pdx] & PTE_P) {
			if (va == PGADDR(pdx, 0) && stop == table_end) {
				b.pages += table_drop(as, pdx);
				b.full = 1;
			} else {
				zap_in_table(as, pdx, va, stop, &b);
			}
		}
		va = stop;
	}
	batch_finish(&b);
}

/* The tables at both ends of [start, end), when only partly covered,
 * must be private before the unmap changes them. The PDE then points at
 * a new table (or gained PTE_W): the CPU may cache the old one, and the
 * range may hold no page whose invalidation would drop it, so invalidate
 * an address of that 4 MiB now (INVLPG drops its PDE-cache entry too). */
static int privatize_edges(struct aspace *as, vaddr_t start, vaddr_t end)
{
	uint32_t edges[2] = { PDX(start), PDX(end - 1) };

	for (int i = 0; i < 2; i++) {
		uint32_t pdx = edges[i];
		int whole = start <= PGADDR(pdx, 0) && end - 1 >= PGADDR(pdx, NPTENTRIES - 1);
		if (whole || !table_is_shared(as->pd[pdx]))
			continue;
		if (table_make_private(as, pdx))
			return -ENOMEM;
		flush_page(as, PGADDR(pdx, 0), "table un-shared");
	}
	return 0;
}

/* Cut [start, end) out of the area list; one area may split in two. */
static int carve_areas(struct aspace *as, vaddr_t start, vaddr_t end)
{
	struct area **pp = &as->areas;

	while (*pp) {
		struct area *a = *pp;
		if (a->end <= start || a->start >= end || a->start == a->end) {
			pp = &a->next;
			continue;
		}
		if (a->start < start && a->end > end) { /* a hole in the middle */
			struct area *tail = area_alloc();
			if (!tail)
				return -ENOMEM;
			*tail = *a;
			tail->start = end;
			a->end = start;
			a->next = tail;
			return 0;
		}
		if (a->start < start) {
			a->end = start;
			pp = &a->next;
		} else if (a->end > end) {
			a->start = end;
			pp = &a->next;
		} else {
			*pp = a->next;
			area_free(a);
		}
	}
	return 0;
}

static int split_needed(struct aspace *as, vaddr_t start, vaddr_t end)
{
	for (struct area *a = as->areas; a; a = a->next)
		if (a->start < start && a->end > end)
			return 1;
	return 0;
}

int vmm_unmap(struct aspace *as, vaddr_t start, uint32_t len)
{
	vaddr_t end = start + len;

	if (!range_ok(start, len))
		return -EINVAL;
	/* Everything that can fail happens before anything changes. */
	if (split_needed(as, start, end) && !area_free_list)
		return -ENOMEM;
	if (privatize_edges(as, start, end))
		return -ENOMEM;
	carve_areas(as, start, end);
	as->cache = NULL;
	zap_range(as, start, end);
	return 0;
}

int vmm_resize(struct aspace *as, struct area *a, vaddr_t new_end)
{
	if (PGOFF(new_end) || new_end < a->start || new_end > USER_TOP)
		return -EINVAL;
	if (new_end > a->end) {
		if (a->next && new_end > a->next->start)
			return -ENOMEM; /* would run into the next area */
		a->end = new_end;
		return 0;
	}
	if (new_end < a->end) {
		if (privatize_edges(as, new_end, a->end))
			return -ENOMEM;
		vaddr_t old_end = a->end;
		a->end = new_end;
		zap_range(as, new_end, old_end);
	}
	return 0;
}
