/*
 * remap.c - the page change of the TLB experiment (core/play/tlb.c).
 *
 * The CPU may keep using a translation after the page tables change,
 * until the entry is invalidated (Intel SDM vol. 3, 4.10.4): a read may
 * see the old page or the new one, and the architecture promises neither.
 * To let a task watch it happen:
 *
 *   vmm_remap_begin()  points va's PTE at a copy of its page, with the
 *                      word at va inverted, and invalidates nothing
 *   (the task reads va: the old word through a stale entry, or the new)
 *   vmm_remap_end()    invlpg of va, or a CR3 reload; then the read must
 *                      see the new word. Only then is the old page let go.
 *
 * The old page keeps the reference the PTE had, held by struct remap, so
 * it stays allocated and unchanged for as long as a stale entry can reach
 * it: nothing else can be put there meanwhile. In between, its count is
 * one more than the entries pointing at it (mm_check would say so; the
 * interpreter does not run it in between).
 */
#include "core/log.h"
#include "core/mm/internal.h"

#include "lib/string.h"

int vmm_remap_begin(struct aspace *as, vaddr_t va, struct remap *r)
{
	struct area *a = vmm_find_area(as, va);
	pde_t before = as->pd[PDX(va)];

	if (!a || PGOFF(va) > PGSIZE - sizeof(uint32_t) || !(before & PTE_P))
		return -EFAULT;
	pte_t *pte = table_for_write(as, va); /* a fork-shared table: ours first */
	if (!pte)
		return -ENOMEM;
	if (table_is_shared(before))
		flush_page(as, va, "table un-shared"); /* before the experiment, not in it */
	if (!(*pte & PTE_P))
		return -EFAULT;
	pfn_t new = pmm_alloc_page(PMM_USER, PAGE_MAPPED);
	if (!new)
		return -ENOMEM;
	r->as = as;
	r->va = va;
	r->old = PTE_PFN(*pte);
	r->new = new;
	char *page = page_address(new, KMAP_DST);
	page_copy(page, page_address(r->old, KMAP_SRC));
	memcpy(&r->old_word, page + PGOFF(va), sizeof r->old_word);
	r->new_word = ~r->old_word;
	memcpy(page + PGOFF(va), &r->new_word, sizeof r->new_word);
	/* The same rights; only the page changes. No invalidation: that is
	 * the experiment. The PTE's reference to the old page is now r's. */
	*pte = PFN_TO_PADDR(new) | (*pte & PTE_FLAGS_MASK);
	return 0;
}

void vmm_remap_end(struct remap *r, enum remap_end how)
{
	if (how == REMAP_INVLPG)
		flush_page(r->as, r->va, "tlb experiment");
	else if (how == REMAP_CR3)
		flush_all(r->as, "tlb experiment");
	/* REMAP_GONE: the space was destroyed, which reloaded CR3 or flushed
	 * (vmm_destroy, linux011_release): no entry can reach the page. */
	page_ref_dec(r->old);
}
