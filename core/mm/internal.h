/* internal.h - shared by the files of core/mm, not part of its interface. */
#ifndef CORE_MM_INTERNAL_H
#define CORE_MM_INTERNAL_H

#include <arch/mmu_ops.h>
#include <errnum.h>

#include "core/mm/mm.h"


/* Entries of a user PDE pointing at a page table we may modify. */
#define PDE_USER_TABLE (PTE_P | PTE_W | PTE_U)

/* More single-page invalidations than this: reload CR3 instead (Linux
 * uses 33: past that, refilling the TLB is cheaper than invlpg each). */
#define TLB_FLUSH_CEILING 32u

extern uint32_t *mm_check_counts;
pfn_t pmm_free_head(enum zone z);

/*
 * The first index in [i, end) of entries e (a page table or a directory)
 * whose entry is not zero, or end (table.c). Most tables hold a few
 * entries among a thousand zeroes: `repe scasl` skips them at one
 * iteration per entry, which -icount counts as one instruction (a C loop
 * takes about seven). Callers test PTE_P on what it finds; an entry not
 * present need not be zero for them to stay exact. The loops over a
 * table go run by run:
 *
 *	for (i = 0; (i = table_next_used(pt, i)) < NPTENTRIES;)
 *		for (; i < NPTENTRIES; i++)    up to the next zero entry
 *
 * so that a dense table costs what a plain loop costs. It is a call, not
 * inline: the scan's fixed registers would crowd the inner loop's.
 */
uint32_t entry_next_used(const uint32_t *e, uint32_t i, uint32_t end);

static inline uint32_t table_next_used(const pte_t *pt, uint32_t i)
{
	return entry_next_used(pt, i, NPTENTRIES);
}

/* A page table given its PDE, mapped at a kmap slot when in highmem. */
static inline pte_t *table_map(pde_t pde, enum kmap_slot slot)
{
	return page_address(PTE_PFN(pde), slot);
}

/* A fork-shared table is write-protected in the PDE (see fork.c). */
static inline int table_is_shared(pde_t pde)
{
	return (pde & (PTE_P | PTE_W)) == PTE_P;
}

/* The PTE for va in a table as may modify: the table is created (zeroed)
 * or made private first. NULL when there is no memory for it. Un-sharing
 * changes the PDE, so the CPU may still cache the old one: the caller,
 * who knows what it does next, invalidates va (one invlpg then serves
 * both the PDE and the PTE it changes). table_is_shared(PDE before) says
 * whether it must. */
pte_t *table_prepare(struct aspace *as, vaddr_t va);

/* table_prepare(), with the common case inline: the table is there and
 * already ours (present and writable in the PDE). */
static inline pte_t *table_for_write(struct aspace *as, vaddr_t va)
{
	pde_t pde = as->pd[PDX(va)];

	if ((pde & (PTE_P | PTE_W)) == (PTE_P | PTE_W))
		return &table_map(pde, KMAP_PT0)[PTX(va)];
	return table_prepare(as, va);
}

int table_make_private(struct aspace *as, uint32_t pdx);
/* dst = src with every present entry read-only in both, each page counted
 * once more (fork's copy mode, and un-sharing a table). -ENOMEM, and no
 * count changed, when a page's count is at its ceiling. */
int table_copy_protected(pte_t *dst, pte_t *src);
/* A new table holding table_copy_protected() of the one src points at:
 * its pfn (count 1, for the caller's PDE), or 0 with nothing changed but
 * src's entries write-protected (no page, or a count at its ceiling). */
pfn_t table_copy_new(pde_t src);

/* Invalidate one page of as if as is live in the TLB; logs at verbose. */
void flush_page(struct aspace *as, vaddr_t va, const char *why);
void flush_all(struct aspace *as, const char *why);

/* A space from the pool, on the list of all spaces, using directory pd
 * (the caller's reference to it becomes the space's). NULL when the pool
 * is empty: the caller still holds pd. */
struct aspace *aspace_new(pfn_t pd);
/* linux011.c: fork into a new slot (NULL: no slot, no memory), and what
 * vmm_destroy leaves to it once the slot's tables are gone: the TLB, the
 * slot, the shared directory's reference. */
void linux011_init(void);
struct aspace *linux011_fork(struct aspace *parent);
void linux011_release(struct aspace *as);

/* An area for as; NULL when as holds AREAS_PER_SPACE (or the pool,
 * sized for every space's share, is empty). */
struct area *area_alloc(struct aspace *as);
void area_free(struct aspace *as, struct area *a);
/* Copy parent's areas into child's empty list; -ENOMEM if the pool ran
 * dry (child then holds those copied, for vmm_destroy). */
int areas_copy(const struct aspace *parent, struct aspace *child);

/* Iterate each present user PDE index of as once, in order: tables only
 * exist inside areas, and areas are sorted. */
typedef void (*pdx_fn)(struct aspace *as, uint32_t pdx, void *ctx);
void for_each_table(struct aspace *as, pdx_fn fn, void *ctx);

/* Give back one PDE's table: a shared table loses one reference, a private
 * one its pages and then itself. Returns the present entries it had. */
uint32_t table_drop(struct aspace *as, uint32_t pdx);

#endif
