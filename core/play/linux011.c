/*
 * linux011.c - "show linux011": what Linux 0.11 would do, next to us.
 *
 * 0.11 has one page directory (at physical 0) for every task and uses
 * segmentation to keep tasks apart: task nr's LDT segments start at
 * nr * 64 MiB with a 64 MiB limit, so a logical address becomes a linear
 * one in that task's slot, and the slot's 16 PDEs are the task's share of
 * the one directory. RAM tops out at 16 MiB; mem_map keeps one byte per
 * page above 1 MiB (3840 of them) and get_free_page() scans it from the top.
 */
#include "core/play/interp.h"

#include <arch/mmu_ops.h>

#include "core/task/task.h"
#include <stddef.h>

#define SLOT_SIZE LINUX011_SLOT
#define LOW_MEM_PFN 256u     /* 0.11's mem_map starts at 1 MiB */
#define HIGH_MEM_PFN 4096u   /* ... and ends at 16 MiB */
#define USED 100u            /* 0.11's "reserved" count */

uint32_t linux011_nr(const struct play *p, const struct ptask *t)
{
	return (uint32_t)(t - p->tasks) + 1;
}

int linux011_linear(const struct play *p, const struct ptask *t, uint32_t va, uint32_t *linear)
{
	uint32_t base = linux011_nr(p, t) * SLOT_SIZE;

	*linear = va < SLOT_SIZE ? base + va : base;
	return va < SLOT_SIZE ? 0 : -1;
}

/* Entries 0.11's get_free_page would look at, from the top down, before
 * it meets a free page, were this machine's low 16 MiB its mem_map. */
uint32_t linux011_scan(void)
{
	uint32_t top = pmm.max_pfn < HIGH_MEM_PFN ? pmm.max_pfn : HIGH_MEM_PFN, n = 0;

	for (pfn_t pfn = top; pfn-- > LOW_MEM_PFN; n++)
		if (PAGE_IS_FREE(&mem_map[pfn]))
			return n + 1;
	return n;
}

int show_linux011(struct play *p, char *name, char *addr_word)
{
	struct ptask *t;
	uint32_t va;
	struct aspace *as = task_space_addr(p, name, addr_word, &t, &va);
	uint32_t base, linear;

	if (!as)
		return -1;
	uint32_t nr = linux011_nr(p, t);
	linux011_linear(p, t, 0, &base);
	struct walk w;
	vmm_walk(as, va, &w);
	play_say("Linux 0.11: %s would be task[%u]: LDT segments at base 0x%08x, limit 64 MiB",
		 t->name, nr, base);
	if (linux011_linear(p, t, va, &linear))
		play_say("  0x%08x is past the 64 MiB limit: a #GP in 0.11 (its programs are "
			 "linked at 0, ours at 0x08048000)", va);
	else
		play_say("  linear 0x%08x + 0x%08x = 0x%08x: PDE[%u] of the one shared directory "
			 "at physical 0 (task[%u] owns PDEs %u..%u)", base, va, linear, PDX(linear),
			 nr, PDX(base), PDX(base) + SLOT_SIZE / PTSPAN - 1);
	play_say("ours: flat segments, linear = 0x%08x, PDE[%u] of %s's own directory at 0x%08x",
		 va, PDX(va), t->name, PFN_TO_PADDR(as->pd_pfn));
	if (w.ok) {
		uint32_t refs = page_refs(PADDR_TO_PFN(w.pa));
		play_say("count of its page: %u here (32 bits); 0.11 keeps one byte and reserves "
			 "%u for 'used by the kernel', so at most 99 sharers", refs, USED);
	}
	uint32_t scan = linux011_scan();
	play_say("allocating the next page: 0.11 scans mem_map from the top and looks at %u "
		 "entr%s now; our free list takes its head in one step", scan, scan == 1 ? "y" : "ies");
	if (pmm.max_pfn > HIGH_MEM_PFN)
		play_say("0.11 stops at 16 MiB of RAM: it could not use %u of our %u MiB",
			 (pmm.max_pfn - HIGH_MEM_PFN) / 256, pmm.max_pfn / 256);
	return 0;
}
