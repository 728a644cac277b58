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
/* Areas come from one pool, but each space may hold only its share, so a
 * task mapping page after page runs out alone: the pool holds every
 * space's share, and nobody else's fork or mmap fails for it. */
#define MAX_AREAS (MAX_ASPACES * AREAS_PER_SPACE)

static struct aspace aspace_pool[MAX_ASPACES];
static struct area area_pool[MAX_AREAS];
static struct aspace *aspace_free_list, *all_spaces;
static struct area *area_free_list;
static uint32_t next_id = 1;
struct aspace *vmm_current;
uint32_t vmm_cr3_loads;

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
	linux011_init();
}

static int area_available(const struct aspace *as)
{
	return area_free_list && as->nareas < AREAS_PER_SPACE;
}

struct area *area_alloc(struct aspace *as)
{
	struct area *a = area_free_list;

	if (!area_available(as))
		return NULL;
	area_free_list = a->next;
	as->nareas++;
	return a;
}

/* The child's share is the parent's count, within the limit by
 * construction: only the pool can run dry, so one check per area. */
int areas_copy(const struct aspace *parent, struct aspace *child)
{
	struct area **tail = &child->areas;
	uint32_t n = 0;
	int rc = 0;

	for (const struct area *a = parent->areas; a; a = a->next, n++) {
		struct area *c = area_free_list;
		if (!c) {
			rc = -ENOMEM;
			break;
		}
		area_free_list = c->next;
		*c = *a;
		c->next = NULL;
		*tail = c;
		tail = &c->next;
	}
	child->nareas = n; /* what vmm_destroy will give back */
	return rc;
}

void area_free(struct aspace *as, struct area *a)
{
	a->next = area_free_list;
	area_free_list = a;
	as->nareas--;
}

struct aspace *vmm_first(void)
{
	return all_spaces;
}

/* The two halves of vmm_create, shared with the 0.11 mode's spaces
 * (linux011.c) but inlined into vmm_create: fork runs it every time. */
static inline __attribute__((always_inline)) pfn_t pgdir_alloc(void)
{
	pfn_t pd = pmm_alloc_page(PMM_DIR, PAGE_PGDIR); /* not zeroed: written whole below */
	pde_t *e;

	if (!pd)
		return 0;
	e = phys_to_virt(PFN_TO_PADDR(pd));
	/* An empty user half, and the kernel's half: each entry written once. */
	memset(e, 0, KERNEL_PDX * sizeof(pde_t));
	memcpy(&e[KERNEL_PDX], &paging_kernel_pd()[KERNEL_PDX],
	       (NPDENTRIES - KERNEL_PDX) * sizeof(pde_t));
	return pd;
}

static inline __attribute__((always_inline)) struct aspace *space_take(pfn_t pd)
{
	struct aspace *as = aspace_free_list;

	if (!as)
		return NULL;
	aspace_free_list = as->next_all;
	memset(as, 0, sizeof *as);
	as->pd_pfn = pd;
	as->pd = phys_to_virt(PFN_TO_PADDR(pd));
	as->end = USER_TOP;
	as->id = next_id++;
	as->next_all = all_spaces;
	all_spaces = as;
	return as;
}

pfn_t vmm_pgdir_alloc(void)
{
	return pgdir_alloc();
}

struct aspace *aspace_new(pfn_t pd)
{
	return space_take(pd);
}

struct aspace *vmm_create(void)
{
	if (!aspace_free_list)
		return NULL; /* before the directory: nothing to undo */
	pfn_t pd = pgdir_alloc();
	return pd ? space_take(pd) : NULL;
}

/* 32-bit indices throughout: user PDEs end at KERNEL_PDX, so next cannot
 * wrap, and 64-bit ones cost a pair of instructions each on i386. */
void for_each_table(struct aspace *as, pdx_fn fn, void *ctx)
{
	uint32_t next = 0; /* the first PDE no area visited yet */

	for (struct area *a = as->areas; a; a = a->next) {
		if (a->start == a->end)
			continue;
		uint32_t last = PDX(a->end - 1);
		for (uint32_t i = PDX(a->start) > next ? PDX(a->start) : next; i <= last; i++)
			if (as->pd[i] & PTE_P)
				fn(as, i, ctx);
		if (last >= next)
			next = last + 1;
	}
}

uint32_t table_drop(struct aspace *as, uint32_t pdx)
{
	pde_t pde = as->pd[pdx];
	pte_t *pt = table_map(pde, KMAP_PT0);
	int shared = page_refs(PTE_PFN(pde)) > 1; /* with a fork relative: pages stay */
	uint32_t present = 0;

	for (uint32_t i = 0; (i = table_next_used(pt, i)) < NPTENTRIES;) {
		for (; i < NPTENTRIES; i++) {
			pte_t e = pt[i];
			if (!(e & PTE_P)) {
				if (!e)
					break; /* an empty run: scanned */
				continue;
			}
			present++;
			if (!shared)
				page_ref_dec(PTE_PFN(e));
		}
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
		area_free(as, a);
	}
	if (as->slot)
		linux011_release(as); /* the shared directory stays for the others */
	else
		page_ref_dec(as->pd_pfn);
	struct aspace **pp = &all_spaces;
	while (*pp != as)
		pp = &(*pp)->next_all;
	*pp = as->next_all;
	as->pd = NULL;
	as->next_all = aspace_free_list;
	aspace_free_list = as;
}

/* Two 0.11-mode spaces share a directory: switching between them writes
 * no CR3, so their TLB entries stay (each slot's addresses are its own). */
void vmm_activate(struct aspace *as)
{
	struct aspace *was = vmm_current;

	vmm_current = as;
	if (was && as && was->pd_pfn == as->pd_pfn)
		return;
	vmm_cr3_loads++;
	load_page_directory(as ? PFN_TO_PADDR(as->pd_pfn) : virt_to_phys(paging_kernel_pd()));
}

void flush_page(struct aspace *as, vaddr_t va, const char *why)
{
	if (!vmm_is_live(as))
		return; /* its entries left the TLB when CR3 last changed */
	tlb_flush_page(va);
	mm_counters.tlb_invlpg++;
	as->counters.tlb_invlpg++;
	log_verbose("tlb: invlpg 0x%08x (%s)\n", va, why);
}

void flush_all(struct aspace *as, const char *why)
{
	if (!vmm_is_live(as))
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

/* Inside as's window: all of user space, or its 0.11 slot. */
static int range_ok(const struct aspace *as, vaddr_t start, uint32_t len)
{
	return !PGOFF(start) && !PGOFF(len) && len && start >= as->base + USER_BASE &&
	       start + len > start && start + len <= as->end;
}

int vmm_map(struct aspace *as, vaddr_t start, uint32_t len, uint32_t flags, const char *name)
{
	struct area **pp = &as->areas;

	/* Each cause its own code, so that a caller can say which. */
	if (PGOFF(start) || PGOFF(len) || !len)
		return -EINVAL;
	if (!range_ok(as, start, len))
		return -EFAULT; /* outside user space (or the 0.11 slot) */
	while (*pp && (*pp)->end <= start)
		pp = &(*pp)->next;
	if (*pp && (*pp)->start < start + len)
		return -EEXIST; /* overlaps an area (Linux's MAP_FIXED_NOREPLACE) */
	struct area *a = area_alloc(as);
	if (!a)
		return -ENOMEM; /* AREAS_PER_SPACE already (Linux's max_map_count) */
	a->start = start;
	a->end = start + len;
	a->flags = flags;
	strlcpy(a->name, name, sizeof a->name);
	a->next = *pp;
	*pp = a;
	return 0;
}

/*
 * The invalidations an unmap needs, counted before any is made: one for
 * each page it clears, and one for each table whose PDE changed (freed,
 * or un-shared) without a page of it cleared -- an invlpg of any address
 * in those 4 MiB also drops the CPU's cached PDE. Past TLB_FLUSH_CEILING
 * of them, or when a whole table that mapped pages goes (its addresses
 * are not collected), one CR3 reload does instead. They are made when the
 * range is done: nothing is allocated meanwhile, so no page or table
 * freed here is reused while the TLB may still reach it.
 */
struct flush_batch {
	struct aspace *as;
	uint32_t n;                    /* invalidations wanted */
	vaddr_t va[TLB_FLUSH_CEILING]; /* the first of them */
	uint32_t unshare_bits;         /* bit i: va[i] stands for a table un-shared */
	uint32_t edges;                /* EDGE_FIRST, EDGE_LAST: privatize_edges() un-shared */
	int full;                      /* a CR3 reload, whatever n says */
};

#define EDGE_FIRST 0x1u /* the table of the range's first page */
#define EDGE_LAST 0x2u  /* the table of its last page */

static void batch_add(struct flush_batch *b, vaddr_t va, int unshared)
{
	if (b->n < TLB_FLUSH_CEILING) {
		b->va[b->n] = va;
		b->unshare_bits |= (uint32_t)unshared << b->n;
	}
	b->n++;
}

static void batch_finish(struct flush_batch *b)
{
	if (!vmm_is_live(b->as))
		return; /* its entries left the TLB when CR3 last changed */
	if (b->full || b->n > TLB_FLUSH_CEILING) {
		flush_all(b->as, "unmap");
		return;
	}
	for (uint32_t i = 0; i < b->n; i++)
		flush_page(b->as, b->va[i],
			   b->unshare_bits & (1u << i) ? "table un-shared" : "unmap");
}

/* Whether an entry in [i, end) of table pt is present. */
static int any_present(const pte_t *pt, uint32_t i, uint32_t end)
{
	for (; (i = entry_next_used(pt, i, end)) < end; i++)
		if (pt[i] & PTE_P)
			return 1;
	return 0;
}

/* Clear [start, end) within one table; drop the table when it empties.
 * Returns 1 when it did (the PDE changed). */
static int zap_in_table(struct aspace *as, uint32_t pdx, vaddr_t start, vaddr_t end,
			struct flush_batch *b)
{
	pte_t *pt = table_map(as->pd[pdx], KMAP_PT0);
	uint32_t first = PTX(start), stop = first + (end - start) / PGSIZE, i;

	for (i = first; (i = entry_next_used(pt, i, stop)) < stop;) {
		for (; i < stop; i++) {
			if (!(pt[i] & PTE_P)) {
				if (!pt[i])
					break; /* an empty run: scanned */
				continue;
			}
			page_ref_dec(PTE_PFN(pt[i]));
			pt[i] = 0;
			as->rss--;
			batch_add(b, PGADDR(pdx, i), 0);
		}
	}
	/* The table stays while an entry outside the range is present. */
	if (any_present(pt, 0, first) || any_present(pt, stop, NPTENTRIES))
		return 0;
	page_ref_dec(PTE_PFN(as->pd[pdx]));
	as->pd[pdx] = 0;
	return 1;
}

/* Free every page and emptied table in [start, end) of one table; what
 * the TLB must forget goes into b. unshared: privatize_edges() gave this
 * table a new PDE. */
static void zap_table(struct aspace *as, uint32_t pdx, vaddr_t start, vaddr_t end,
		      int unshared, struct flush_batch *b)
{
	uint32_t before = b->n;
	int freed;

	if (start == PGADDR(pdx, 0) && end - start == PTSPAN) {
		if (table_drop(as, pdx))
			b->full = 1;
		freed = 1;
	} else {
		freed = zap_in_table(as, pdx, start, end, b);
	}
	if ((freed || unshared) && b->n == before)
		batch_add(b, start, !freed);
}

/* Free every page and emptied table in [start, end). Partially covered
 * shared tables must already be private (privatize_edges, which recorded
 * them in b). */
static void zap_range(struct aspace *as, vaddr_t start, vaddr_t end, struct flush_batch *b)
{
	for (vaddr_t va = start; va < end;) {
		uint32_t pdx = PDX(va);
		vaddr_t table_end = PGADDR(pdx + 1, 0), stop = end < table_end ? end : table_end;
		if (!table_end)
			stop = end; /* the last table: PGADDR wrapped to 0 */
		int unshared = ((b->edges & EDGE_FIRST) && pdx == PDX(start)) ||
			       ((b->edges & EDGE_LAST) && pdx == PDX(end - 1));
		if (as->pd[pdx] & PTE_P)
			zap_table(as, pdx, va, stop, unshared, b);
		va = stop;
	}
	batch_finish(b);
}

/* The tables at both ends of [start, end), when only partly covered,
 * must be private before the unmap changes them. The PDE then points at
 * a new table (or gained PTE_W) and the CPU may cache the old one: b
 * notes it, for zap_range to invalidate an address of that 4 MiB even if
 * the range holds no page there. */
static int privatize_edges(struct aspace *as, vaddr_t start, vaddr_t end, struct flush_batch *b)
{
	static const uint32_t edge_bits[2] = { EDGE_FIRST, EDGE_LAST };
	uint32_t edges[2] = { PDX(start), PDX(end - 1) };

	for (int i = 0; i < 2; i++) {
		uint32_t pdx = edges[i];
		int whole = start <= PGADDR(pdx, 0) && end - 1 >= PGADDR(pdx, NPTENTRIES - 1);
		if (whole || !table_is_shared(as->pd[pdx]))
			continue;
		if (table_make_private(as, pdx))
			return -ENOMEM;
		b->edges |= edge_bits[i];
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
			struct area *tail = area_alloc(as);
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
			area_free(as, a);
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

/* A range's tables privatized, then its pages and tables freed, then the
 * TLB told; on -ENOMEM nothing but an un-shared edge changed (and is
 * invalidated). */
static int unmap_range(struct aspace *as, vaddr_t start, vaddr_t end, struct area *shrink)
{
	struct flush_batch b = { .as = as };

	if (privatize_edges(as, start, end, &b)) {
		if (b.edges) /* only the first edge can have been un-shared */
			batch_add(&b, PGADDR(PDX(start), 0), 1);
		batch_finish(&b);
		return -ENOMEM;
	}
	if (shrink) {
		shrink->end = start;
	} else {
		carve_areas(as, start, end);
		as->cache = NULL; /* it may have been freed */
	}
	zap_range(as, start, end, &b);
	return 0;
}

int vmm_unmap(struct aspace *as, vaddr_t start, uint32_t len)
{
	vaddr_t end = start + len;

	if (!range_ok(as, start, len))
		return -EINVAL;
	/* Everything that can fail happens before anything changes. */
	if (split_needed(as, start, end) && !area_available(as))
		return -ENOMEM;
	return unmap_range(as, start, end, NULL);
}

int vmm_resize(struct aspace *as, struct area *a, vaddr_t new_end)
{
	if (PGOFF(new_end) || new_end < a->start || new_end > as->end)
		return -EINVAL;
	if (new_end > a->end) {
		if (a->next && new_end > a->next->start)
			return -ENOMEM; /* would run into the next area */
		a->end = new_end;
		return 0;
	}
	if (new_end < a->end)
		return unmap_range(as, new_end, a->end, a);
	return 0;
}
