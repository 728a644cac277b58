/*
 * mm_tests.c - the memory core on the real CPU.
 *
 * The init thread borrows an address space of its own (and an LDT with
 * flat segments, which the user copies check pointers against) and
 * touches it through the kernel's user-copy routines, so every fault below is a real
 * page fault taken by the CPU in ring 0 on a user address, served by
 * page_fault() exactly as for a task (and, for writes to shared pages,
 * raised only because CR0.WP is on). Out of memory and double frees are
 * provoked directly on the allocator.
 */
#include <layout.h>

#include <arch/mmu_ops.h>
#include <arch/segment.h>

#include "core/kernel.h"
#include "core/log.h"
#include "core/mm/internal.h"
#include "core/tap.h"
#include "core/task/task.h"
#include "test/kernel/ktests.h"

#define VA 0x10000000u
#define PAGES 16

static struct mm_counters before;

static void snap(void)
{
	before = current->as->counters;
}

static uint32_t delta(enum fault_kind k)
{
	return current->as->counters.faults[k] - before.faults[k];
}

static pfn_t pfn_at(struct aspace *as, vaddr_t va)
{
	struct walk w;

	vmm_walk(as, va, &w);
	return w.ok ? PADDR_TO_PFN(w.pa) : 0;
}

static void demand_zero_and_zero_page(void)
{
	uint32_t v = 0x1234, free0 = pmm_free_pages();

	snap();
	tap_eq(copy_to_user(VA, &v, 4), 0, "mm: write to an untouched page succeeds");
	tap_eq(delta(FAULT_DEMAND_ZERO), 1, "mm: ... by one demand-zero fault");
	tap_eq(free0 - pmm_free_pages(), 2, "mm: ... which took a page table and a page");
	v = 0xFFFF;
	copy_from_user(&v, VA + 4, 4);
	tap_eq(v, 0, "mm: the rest of the new page reads zero");
	snap();
	copy_from_user(&v, VA + PGSIZE, 4);
	tap_ok(delta(FAULT_ZERO_PAGE) == 1 && v == 0, "mm: reading an untouched page maps the zero page");
	tap_eq(pfn_at(current->as, VA + PGSIZE), pmm.zero_pfn, "mm: ... shared, read-only");
	tap_eq(free0 - pmm_free_pages(), 2, "mm: ... and costs no memory");
	snap();
	v = 5;
	copy_to_user(VA + PGSIZE, &v, 4);
	tap_eq(delta(FAULT_ZERO_COW), 1, "mm: writing it then takes a private zeroed page");
	tap_ok(pfn_at(current->as, VA + PGSIZE) != pmm.zero_pfn, "mm: ... no longer the zero page");
}

static void copy_on_write(void)
{
	uint32_t v = 0xAAAA0000u, got = 0;

	copy_to_user(VA + 2 * PGSIZE, &v, 4);
	struct aspace *child = vmm_fork(current->as);
	tap_ok(child != NULL, "mm: fork copy of the address space");
	pfn_t shared = pfn_at(current->as, VA + 2 * PGSIZE);
	tap_eq(pfn_at(child, VA + 2 * PGSIZE), shared, "mm: parent and child map the same page");
	snap();
	v = 0xBBBB0000u;
	copy_to_user(VA + 2 * PGSIZE, &v, 4); /* ring 0 write: faults only because of CR0.WP */
	tap_eq(delta(FAULT_COW_COPY), 1, "mm: writing a shared page copies it (cow-copy)");
	tap_ok(pfn_at(current->as, VA + 2 * PGSIZE) != shared, "mm: ... into a new page");
	vmm_peek(child, VA + 2 * PGSIZE, &got, 4);
	tap_eq(got, 0xAAAA0000u, "mm: the child still reads the old value");
	vmm_destroy(child);
	snap();
	v = 7;
	copy_to_user(VA, &v, 4); /* shared at fork, now ours alone */
	tap_eq(delta(FAULT_COW_REUSE), 1, "mm: after the child is gone, a write reuses the page");
	tap_eq(delta(FAULT_COW_COPY), 0, "mm: ... and copies nothing");
}

static void bad_frees(void)
{
	pfn_t p = pmm_alloc_page(PMM_USER, PAGE_MAPPED);
	uint32_t errors = pmm.errors;

	page_ref_dec(p);
	uint32_t free0 = pmm_free_pages();
	tap_ok(page_ref_dec(p) == -1, "mm: freeing a free page is refused");
	tap_ok(page_ref_dec(pmm.max_pfn + 10) == -1, "mm: freeing outside mem_map is refused");
	tap_ok(page_ref_dec(0) == -1, "mm: freeing page 0 is refused");
	tap_eq(pmm.errors - errors, 3, "mm: ... each reported and counted");
	tap_eq(pmm_free_pages(), free0, "mm: ... and the free count is untouched");
	pmm.errors = errors; /* they were provoked */
}

/* Low pages held on a list threaded through themselves (direct-mapped). */
static pfn_t eat_low_memory(uint32_t *n)
{
	pfn_t head = 0, p;

	*n = 0;
	while ((p = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL)) != 0) {
		*(pfn_t *)phys_to_virt(PFN_TO_PADDR(p)) = head;
		head = p;
		(*n)++;
	}
	return head;
}

static void give_back(pfn_t head)
{
	while (head) {
		pfn_t next = *(pfn_t *)phys_to_virt(PFN_TO_PADDR(head));
		page_ref_dec(head);
		head = next;
	}
}

/*
 * With RAM past the direct map, user pages come from highmem, and page
 * tables go there once low memory is gone: the kernel reaches both through
 * kmap slots. The test eats every low page, then faults in a new table.
 */
static void highmem(void)
{
	uint32_t free0 = pmm_free_pages(), eaten, v = 0x5EED, got = 0;

	if (!pmm.managed[ZONE_HIGH]) {
		tap_skip("mm: user pages come from highmem", "no RAM past the direct map");
		tap_skip("mm: a page table in highmem works", "no RAM past the direct map");
		return;
	}
	struct aspace *as = vmm_create();
	vmm_map(as, VA, 2 * PTSPAN, AREA_WRITE, "anon");
	vmm_fault(as, VA, PF_U | PF_W);
	struct walk w;
	vmm_walk(as, VA, &w);
	tap_ok(PADDR_TO_PFN(w.pa) >= lowmem_end_pfn, "mm: user pages come from highmem (0x%08x)",
	       w.pa);
	pfn_t low = eat_low_memory(&eaten);
	vmm_load(as, VA + PTSPAN, &v, sizeof v); /* a new table, a new page */
	vmm_peek(as, VA + PTSPAN, &got, sizeof got);
	pfn_t table = PTE_PFN(as->pd[PDX(VA + PTSPAN)]);
	tap_ok(table >= lowmem_end_pfn && got == v,
	       "mm: a page table in highmem works (table 0x%08x, %u low pages held)",
	       PFN_TO_PADDR(table), eaten);
	give_back(low);
	vmm_destroy(as);
	tap_eq(pmm_free_pages(), free0, "mm: highmem test: every page back");
}

/* Fault in every page of a fresh 3 GiB area; the last outcome. */
static enum fault_kind fill_space(struct aspace *as, uint32_t *n)
{
	enum fault_kind k = FAULT_DEMAND_ZERO;

	vmm_map(as, VA, USER_TOP - VA - PGSIZE, AREA_WRITE, "anon");
	for (vaddr_t va = VA; va < USER_TOP - PGSIZE && k == FAULT_DEMAND_ZERO; va += PGSIZE) {
		k = vmm_fault(as, va, PF_U | PF_W);
		*n += k == FAULT_DEMAND_ZERO;
	}
	return k;
}

/* One address space holds at most 3 GiB, less than a big machine has
 * below 4 GiB: keep filling new ones until memory, not space, runs out. */
static void out_of_memory(void)
{
	struct aspace *spaces[4];
	uint32_t free0 = pmm_free_pages(), n = 0, nspaces = 0, faulted_oom = 1;
	struct mm_counters c0 = mm_counters;
	enum fault_kind k = FAULT_DEMAND_ZERO;

	while (k == FAULT_DEMAND_ZERO && nspaces < ARRAY_SIZE(spaces)) {
		struct aspace *as = vmm_create();
		if (!as) {
			k = FAULT_OOM; /* not even a page directory left */
			faulted_oom = 0;
			break;
		}
		spaces[nspaces++] = as;
		k = fill_space(as, &n);
	}
	tap_eq(k, FAULT_OOM, "mm: touching pages until none is left ends in oom");
	tap_ok(n > free0 / 2, "mm: ... after %u pages in %u address space%s", n, nspaces,
	       nspaces == 1 ? "" : "s");
	/* Each fault counted once, by its kind: the pages, and the one oom
	 * (none when the space, not a fault, could not be had). */
	tap_eq(mm_counters.faults[FAULT_DEMAND_ZERO] - c0.faults[FAULT_DEMAND_ZERO], n,
	       "mm: ... counted as %u demand-zero faults", n);
	tap_eq(mm_counters.faults[FAULT_OOM] - c0.faults[FAULT_OOM], faulted_oom,
	       "mm: ... and %u oom fault", faulted_oom);
	tap_eq(faulted_oom ? spaces[nspaces - 1]->counters.faults[FAULT_OOM] : 0, faulted_oom,
	       "mm: ... in the space that ran out");
	pfn_t extra = pmm_alloc_page(PMM_USER, PAGE_MAPPED);
	tap_ok(extra == 0, "mm: no user page is left");
	if (extra)
		page_ref_dec(extra);
	pfn_t k0 = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL);
	tap_ok(k0 != 0, "mm: the kernel's reserve is still there");
	page_ref_dec(k0);
	while (nspaces)
		vmm_destroy(spaces[--nspaces]);
	tap_eq(pmm_free_pages(), free0, "mm: destroying the spaces gives every page back");
}

void ktest_mm(void)
{
	uint32_t baseline = pmm_free_pages();

	tap_suite("mm");
	current->as = vmm_create();
	vmm_map(current->as, VA, PAGES * PGSIZE, AREA_WRITE, "anon");
	vmm_activate(current->as);
	int ldt = ldt_alloc(0, USER_SEG_LIMIT);
	tap_ok(ldt > 0, "mm: an LDT for init's borrowed space (selector 0x%x)", ldt);
	current->ldt_sel = ldt > 0 ? (uint16_t)ldt : 0;
	demand_zero_and_zero_page();
	copy_on_write();
	tap_eq(mm_check(), 0, "mm: invariant checker after the fault tests");
	struct aspace *as = current->as;
	current->as = NULL;
	vmm_destroy(as);
	if (current->ldt_sel)
		ldt_free(current->ldt_sel);
	current->ldt_sel = 0;
	tap_eq(pmm_free_pages(), baseline, "mm: teardown: free pages back to the baseline (%u)",
	       baseline);
	bad_frees();
	highmem();
	out_of_memory();
	tap_eq(mm_check(), 0, "mm: invariant checker after out-of-memory");
}
