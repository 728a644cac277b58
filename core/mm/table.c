/*
 * table.c - page tables: finding, creating and un-sharing them, and
 * reading a translation entry by entry.
 *
 * After a fork (fork.c) a page table may be shared by several address
 * spaces; its PDEs are then read-only (PTE_W clear in the PDE), which
 * write-protects all 4 MiB it maps. Before anything changes an entry of
 * such a table, the space that wants to change it takes a private copy
 * (or, if it is the last user, simply takes the table back).
 */
#include "core/log.h"
#include "core/mm/internal.h"

#include <layout.h>

#include "lib/string.h"

/* The next entry not zero, for loops run by run: never inline (internal.h). */
__attribute__((noinline)) uint32_t entry_next_used(const uint32_t *e, uint32_t i, uint32_t end)
{
	if (i >= end)
		return end;
	const uint32_t *p = e + i;
	unsigned long n = end - i;

	/* The kernel and the host tests are both x86. Upwards (the ABI keeps
	 * DF clear); the "m" says all 1024 are read. */
	__asm__("repe scasl"
		: "+D"(p), "+c"(n)
		: "a"(0), "m"(*(const uint32_t(*)[NPTENTRIES])e)
		: "cc");
	/* It stops one past the first entry not zero, or at end. */
	return p[-1] ? (uint32_t)(p - e) - 1 : end;
}

/* A copy that failed at entry n: its first n entries' counts go back.
 * None reaches zero: src still points at each page. */
static void table_copy_undo(const pte_t *dst, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (dst[i] & PTE_P)
			page_ref_dec(PTE_PFN(dst[i]));
}

/*
 * Copy a page table into a new one, write-protecting every present entry
 * in both and counting each present page once more: from now on two
 * tables point at it, so a write through either will copy-on-write.
 * A count at its ceiling refuses the reference: then every count taken
 * is given back and -ENOMEM returned, dst to be thrown away. The entries
 * of src stay write-protected, which is always safe (a write reuses the
 * page); the caller invalidates them as it would have. Run by run (see
 * entry_next_used): a run of empty entries is found by one scan and
 * cleared by one rep stosl (a stack's table holds a few pages among 1024
 * entries); a run of used ones is copied entry by entry, each stored
 * once, as the loop is tightest that way (a COW benchmark's full table).
 */
int table_copy_protected(pte_t *dst, pte_t *src)
{
	uint32_t i = 0;

	while (i < NPTENTRIES) {
		uint32_t used = table_next_used(src, i);
		if (used > i)
			memset(&dst[i], 0, (used - i) * sizeof *dst);
		for (i = used; i < NPTENTRIES; i++) {
			pte_t e = src[i];
			if (e & PTE_P) {
				src[i] = dst[i] = e & ~PTE_W;
				if (page_ref_inc(PTE_PFN(e))) {
					table_copy_undo(dst, i);
					return -ENOMEM;
				}
			} else if (e) {
				dst[i] = e;
			} else {
				break; /* an empty run again */
			}
		}
	}
	return 0;
}

pfn_t table_copy_new(pde_t src)
{
	pfn_t new = pmm_alloc_page(PMM_TABLE, PAGE_PGTABLE);

	if (new && table_copy_protected(page_address(new, KMAP_PT1), table_map(src, KMAP_PT0))) {
		page_ref_dec(new); /* a count at its ceiling: the copy took none */
		return 0;
	}
	return new;
}

/*
 * Give as a table of its own at pdx, a write-protected copy of the shared
 * one. The other sharers' PDEs are read-only, so their TLBs hold no
 * writable entry that the protection could leave stale.
 */
int table_make_private(struct aspace *as, uint32_t pdx)
{
	pde_t pde = as->pd[pdx];
	pfn_t old = PTE_PFN(pde);

	if (page_refs(old) == 1) { /* the last sharer: take it back */
		as->pd[pdx] = pde | PTE_W;
		mm_counters.table_reuses++;
		as->counters.table_reuses++;
		return 0;
	}
	pfn_t new = pmm_alloc_page(PMM_TABLE, PAGE_PGTABLE);
	if (!new)
		return -ENOMEM;
	if (table_copy_protected(page_address(new, KMAP_PT1), table_map(pde, KMAP_PT0))) {
		page_ref_dec(new); /* nothing else changed: the PDE still shares the old table */
		return -ENOMEM;
	}
	page_ref_dec(old);
	as->pd[pdx] = PFN_TO_PADDR(new) | PDE_USER_TABLE;
	mm_counters.table_copies++;
	as->counters.table_copies++;
	return 0;
}

/* A new table needs no invalidation: x86 never caches a not-present PDE.
 * An un-shared one does, and the caller makes it (internal.h). */
pte_t *table_prepare(struct aspace *as, vaddr_t va)
{
	uint32_t pdx = PDX(va);
	pde_t pde = as->pd[pdx];

	if (!(pde & PTE_P)) {
		pfn_t pt = pmm_alloc_page(PMM_TABLE | PMM_ZERO, PAGE_PGTABLE);
		if (!pt)
			return NULL;
		as->pd[pdx] = PFN_TO_PADDR(pt) | PDE_USER_TABLE;
	} else if (!(pde & PTE_W) && table_make_private(as, pdx)) {
		return NULL;
	}
	return &table_map(as->pd[pdx], KMAP_PT0)[PTX(va)];
}

void vmm_walk(struct aspace *as, vaddr_t va, struct walk *w)
{
	memset(w, 0, sizeof *w);
	w->pde = as->pd[PDX(va)];
	if (!(w->pde & PTE_P))
		return;
	if (w->pde & PTE_PS) { /* a 4 MiB kernel page: no table */
		w->pa = PTE_ADDR(w->pde) + (va & (PTSPAN - 1));
		w->ok = 1;
		return;
	}
	w->table_pfn = PTE_PFN(w->pde);
	w->pte = table_map(w->pde, KMAP_PT0)[PTX(va)];
	w->ok = (w->pte & PTE_P) != 0;
	w->pa = w->ok ? PTE_ADDR(w->pte) + PGOFF(va) : 0;
}

/* Copy between the kernel and pages of as (which need not be running).
 * Writing needs an area: a page or table outside every area would never
 * be found again, not even by vmm_destroy. */
static int copy_page_part(struct aspace *as, vaddr_t va, void *buf, uint32_t n, int to_user)
{
	pte_t *pte;

	if (to_user) {
		struct area *a = vmm_find_area(as, va);
		if (!a)
			return -EFAULT;
		pde_t before = as->pd[PDX(va)];
		pte = table_for_write(as, va);
		if (!pte)
			return -ENOMEM;
		if (table_is_shared(before))
			flush_page(as, va, "table un-shared");
		if (!(*pte & PTE_P)) {
			pfn_t pfn = pmm_alloc_page(PMM_USER | PMM_ZERO, PAGE_MAPPED);
			if (!pfn)
				return -ENOMEM;
			*pte = PFN_TO_PADDR(pfn) | PTE_P | PTE_U | (a->flags & AREA_WRITE ? PTE_W : 0);
			as->rss++;
		} else if (page_refs(PTE_PFN(*pte)) > 1) {
			return -EFAULT; /* shared: vmm_load is for fresh spaces only */
		}
		memcpy((char *)page_address(PTE_PFN(*pte), KMAP_DST) + PGOFF(va), buf, n);
		return 0;
	}
	struct walk w;
	vmm_walk(as, va, &w);
	if (!w.ok)
		return -EFAULT;
	memcpy(buf, (char *)page_address(PADDR_TO_PFN(w.pa), KMAP_PEEK) + PGOFF(va), n);
	return 0;
}

static int copy_range(struct aspace *as, vaddr_t va, void *buf, uint32_t len, int to_user)
{
	char *p = buf;

	if (va + len < va || va + len > USER_TOP)
		return -EFAULT;
	while (len) {
		uint32_t n = PGSIZE - PGOFF(va);
		if (n > len)
			n = len;
		int rc = copy_page_part(as, va, p, n, to_user);
		if (rc)
			return rc;
		va += n;
		p += n;
		len -= n;
	}
	return 0;
}

int vmm_load(struct aspace *as, vaddr_t va, const void *src, uint32_t len)
{
	return copy_range(as, va, (void *)src, len, 1);
}

int vmm_peek(struct aspace *as, vaddr_t va, void *dst, uint32_t len)
{
	return copy_range(as, va, dst, len, 0);
}
