/*
 * linux011.c - Linux 0.11's address-space model, as a mode of our own.
 *
 * 0.11 has one page directory for all tasks and keeps them apart with
 * segments: task nr's LDT code and data segments start at nr * 64 MiB,
 * with a 64 MiB limit, so its logical addresses become linear ones in its
 * own slot, and the slot's 16 PDEs are its share of the one directory. A
 * task switch loads another LDT and never touches CR3.
 *
 * Here a 0.11-mode address space is an ordinary struct aspace whose
 * directory is the shared one and whose window [base, end) is its slot.
 * Its areas, tables and pages are the usual ones, at linear addresses
 * inside the slot, so the fault path (fault.c) serves it unchanged: CR2
 * is linear, and a write to a shared page is do_wp_page, with
 * un_wp_page's reuse when the count is 1. What differs is here:
 *
 *   vmm_create_linux011()  a free slot; the shared directory is made by
 *                          vmm_pgdir_alloc() for the first space and holds
 *                          one reference per space
 *   linux011_fork()        0.11's copy_page_tables(): each page table of
 *                          the parent's slot copied into the child's slot,
 *                          every present page write-protected in both and
 *                          counted once more, then one CR3 reload
 *                          (0.11's invalidate())
 *   linux011_release()     what free_page_tables() finishes: vmm_destroy
 *                          has dropped the slot's tables; the TLB is told,
 *                          the slot is free again, and the last space
 *                          frees the directory
 *
 * Slots: 0.11 had 64 slots of 64 MiB in 4 GiB, slot 0 its kernel's. Our
 * kernel owns the top GiB, so 48 slots lie below 3 GiB; slot 0 stays
 * empty as in 0.11 (a base of 0 is a flat task's), which leaves nr 1..47
 * (LINUX011_SLOTS), each with 0.11's 64 MiB limit.
 *
 * Called from exec, fork and exit (task context); interrupts are off in
 * the kernel, so no locks.
 */
#include "core/log.h"
#include "core/mm/internal.h"

#include <layout.h>

_Static_assert((LINUX011_SLOTS + 1) * LINUX011_SLOT_SIZE == USER_TOP,
	       "the slots and slot 0 fill the user half exactly");
_Static_assert(LINUX011_SLOT_SIZE % PTSPAN == 0, "a slot is whole page tables");

static pfn_t shared_pd;
static struct aspace *owners[LINUX011_SLOTS + 1]; /* [0] never used */

void linux011_init(void)
{
	shared_pd = 0;
	for (uint32_t nr = 0; nr <= LINUX011_SLOTS; nr++)
		owners[nr] = NULL;
}

pfn_t linux011_pgdir(void)
{
	return shared_pd;
}

uint32_t linux011_slots_used(void)
{
	uint32_t n = 0;

	for (uint32_t nr = 1; nr <= LINUX011_SLOTS; nr++)
		n += owners[nr] != NULL;
	return n;
}

struct aspace *linux011_owner(uint32_t nr)
{
	return nr <= LINUX011_SLOTS ? owners[nr] : NULL;
}

static uint32_t free_slot(void)
{
	for (uint32_t nr = 1; nr <= LINUX011_SLOTS; nr++)
		if (!owners[nr])
			return nr;
	return 0;
}

/* One reference to the shared directory, made if there is none. */
static pfn_t get_pgdir(void)
{
	if (!shared_pd)
		return shared_pd = vmm_pgdir_alloc();
	return page_ref_inc(shared_pd) ? 0 : shared_pd;
}

static void put_pgdir(void)
{
	if (page_refs(shared_pd) == 1) {
		page_ref_dec(shared_pd);
		shared_pd = 0;
	} else {
		page_ref_dec(shared_pd);
	}
}

int vmm_create_linux011(struct aspace **out)
{
	uint32_t nr = free_slot();

	if (!nr)
		return -EAGAIN;
	pfn_t pd = get_pgdir();
	if (!pd)
		return -ENOMEM;
	struct aspace *as = aspace_new(pd);
	if (!as) {
		put_pgdir();
		return -ENOMEM;
	}
	as->slot = nr;
	as->base = nr * LINUX011_SLOT_SIZE;
	as->end = as->base + LINUX011_SLOT_SIZE;
	owners[nr] = as;
	*out = as;
	return 0;
}

struct copy_ctx {
	struct aspace *child;
	uint32_t pdx_shift; /* child's PDE index - parent's, mod 1024 */
	int failed;
};

/* One table of the parent's slot into the child's: copy_page_tables'
 * inner loop, each present entry read-only in both and its page counted. */
static void copy_slot_table(struct aspace *parent, uint32_t pdx, void *p)
{
	struct copy_ctx *ctx = p;

	pfn_t new = ctx->failed ? 0 : table_copy_new(parent->pd[pdx]);

	if (!new) {
		ctx->failed = 1;
		return;
	}
	ctx->child->pd[(pdx + ctx->pdx_shift) % NPDENTRIES] = PFN_TO_PADDR(new) | PDE_USER_TABLE;
}

struct aspace *linux011_fork(struct aspace *parent)
{
	struct aspace *child;

	if (vmm_create_linux011(&child))
		return NULL;
	vaddr_t shift = child->base - parent->base; /* mod 2^32: the child may be below */
	struct copy_ctx ctx = { child, PDX(shift), 0 };

	if (areas_copy(parent, child)) {
		vmm_destroy(child);
		return NULL;
	}
	for (struct area *a = child->areas; a; a = a->next) {
		a->start += shift;
		a->end += shift;
	}
	for_each_table(parent, copy_slot_table, &ctx);
	child->rss = parent->rss;
	/* The parent's entries lost PTE_W, and its TLB may hold them
	 * writable: 0.11's invalidate(), a CR3 reload. */
	flush_all(parent, "fork (copy_page_tables)");
	if (ctx.failed) {
		vmm_destroy(child); /* the tables copied hold their references */
		return NULL;
	}
	return child;
}

void linux011_release(struct aspace *as)
{
	/* Another 0.11 task may be running on this directory: the slot's
	 * entries may still be in its TLB (free_page_tables' invalidate()). */
	flush_all(as, "exit (free_page_tables)");
	owners[as->slot] = NULL;
	put_pgdir();
}
