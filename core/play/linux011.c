/*
 * linux011.c - the playground's view of Linux 0.11 mode: "show linux011",
 * "show pd" of a 0.11-mode task, and the helpers of the linux011 terms.
 *
 * A 0.11-mode task (core/mm/linux011.c) runs in slot nr of one page
 * directory shared by all of them: its LDT's code and data segments
 * start at nr * 64 MiB with a 64 MiB limit, so a logical address becomes
 * a linear one in its slot, and the slot's 16 PDEs are its share of the
 * directory. Everything printed here is read from the tables the CPU
 * uses: the task's LDT, the GDT entry naming it, the shared directory.
 * What 0.11 itself did differently (one-byte counts, 16 MiB of RAM, a
 * scan for free pages) is said beside it.
 */
#include "core/play/interp.h"

#include <arch/mmu_ops.h>
#include <arch/segment.h>
#include <layout.h>

#include "core/task/task.h"
#include "lib/string.h"

#define LOW_MEM_PFN 256u   /* 0.11's mem_map starts at 1 MiB */
#define HIGH_MEM_PFN 4096u /* ... and ends at 16 MiB */
#define USED 100u          /* 0.11's "reserved" count */
#define PDES_PER_SLOT (LINUX011_SLOT_SIZE / PTSPAN)

int parse_task_mode(const char *w)
{
	if (!strcmp(w, "linux011"))
		return TASK_MODE_LINUX011;
	return strcmp(w, "flat") ? -1 : TASK_MODE_FLAT;
}

const char *mode_words(int mode)
{
	return mode == TASK_MODE_LINUX011 ? "Linux 0.11 mode (a 64 MiB slot of one shared "
					    "directory)"
					  : "flat (its own page directory, segments at 0)";
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

struct aspace *linux011_space(struct play *p, const char *name, struct ptask **t)
{
	struct ptask *pt;
	struct aspace *as = task_space(p, name, &pt);

	if (t)
		*t = pt;
	if (as && !as->slot) {
		play_error(p, "task '%s' runs flat, not in Linux 0.11 mode (start one with 'task "
			   "<name> linux011')", name);
		return NULL;
	}
	return as;
}

/* The named 0.11-mode task owning slot nr, or its pid. */
static void slot_owner_name(struct play *p, uint32_t nr, char *buf, unsigned size)
{
	struct aspace *as = linux011_owner(nr);
	struct ptask *t = NULL;

	for (int i = 0; as && i < MAX_PTASKS && !t; i++) {
		struct task *k = ptask_task(&p->tasks[i]);
		if (k && k->as == as)
			t = &p->tasks[i];
	}
	if (t)
		strlcpy(buf, t->name, size);
	else
		strlcpy(buf, as ? "(unnamed task)" : "(free)", size);
}

static void say_ldt(struct task *k)
{
	const struct seg_desc *ldt = ldt_entries(k->ldt_sel);

	if (!ldt)
		return;
	play_say("  its LDT (GDT[%u], lldt 0x%04x): code 0x%04x base 0x%08x limit 0x%08x, "
		 "data 0x%04x base 0x%08x limit 0x%08x", SEL_INDEX(k->ldt_sel), k->ldt_sel, USER_CS,
		 seg_base(&ldt[LDT_CODE]), seg_limit(&ldt[LDT_CODE]), USER_DS,
		 seg_base(&ldt[LDT_DATA]), seg_limit(&ldt[LDT_DATA]));
}

/* What 0.11 would have made of the page, the allocator and the RAM. */
static void say_011_differences(struct aspace *as, vaddr_t va)
{
	struct walk w;

	vmm_walk(as, va, &w);
	if (w.ok)
		play_say("  count of its page: %u here (32 bits); 0.11 keeps one byte and reserves "
			 "%u for 'used by the kernel', so at most 99 sharers",
			 page_refs(PADDR_TO_PFN(w.pa)), USED);
	uint32_t scan = linux011_scan();
	play_say("  allocating the next page: 0.11 scans mem_map from the top and looks at %u "
		 "entr%s now; our free list takes its head in one step", scan,
		 scan == 1 ? "y" : "ies");
	if (pmm.max_pfn > HIGH_MEM_PFN)
		play_say("  0.11 stops at 16 MiB of RAM: it could not use %u of our %u MiB",
			 (pmm.max_pfn - HIGH_MEM_PFN) / 256, pmm.max_pfn / 256);
}

int show_linux011(struct play *p, char *name, char *addr_word)
{
	struct ptask *t;
	uint32_t off, limit, base;

	if (!task_space(p, name, &t) || arg_number(p, addr_word, &off))
		return -1;
	struct task *k = ptask_task(t);
	struct aspace *as = k->as;
	user_segment(k, &base, &limit);
	if (!as->slot) {
		play_say("%s runs flat: LDT segments at base 0x%08x, limit 0x%08x, and a page "
			 "directory of its own at 0x%08x", t->name, base, limit,
			 PFN_TO_PADDR(as->pd_pfn));
		play_say("  in Linux 0.11 mode ('task <name> linux011') a task gets slot nr of one "
			 "shared directory: segments at nr * 64 MiB, limit 64 MiB");
		if (off <= limit)
			say_011_differences(as, base + off);
		return 0;
	}
	play_say("%s is task[%u] in Linux 0.11 mode: pid %d, slot %u = linear 0x%08x-0x%08x",
		 t->name, as->slot, k->pid, as->slot, as->base, as->end - 1);
	say_ldt(k);
	play_say("  the shared directory at 0x%08x is CR3 for every 0.11-mode task (%u now; "
		 "%u slots fit below our 3 GiB kernel, 0.11 had 63 in 4 GiB); slot %u owns PDEs "
		 "%u..%u", PFN_TO_PADDR(as->pd_pfn), linux011_slots_used(), LINUX011_SLOTS,
		 as->slot, PDX(as->base), PDX(as->end - 1));
	if (off > limit) {
		play_say("  0x%08x is past the limit 0x%08x: a #GP where the CPU checks limits; %s",
			 off, limit, seg_limits_checked ? "this CPU does"
			 : "this one does not, and goes on to linear base + offset, in another slot");
		return 0;
	}
	play_say("  offset 0x%08x -> linear 0x%08x + 0x%08x = 0x%08x: PDE[%u] of the shared "
		 "directory", off, base, off, base + off, PDX(base + off));
	say_011_differences(as, base + off);
	return 0;
}

int show_linux011_pd(struct play *p, struct ptask *t, struct aspace *as)
{
	char owner[PT_NAME + 16], f[16];

	play_say("the shared Linux 0.11 directory at 0x%08x (CR3 while any 0.11-mode task "
		 "runs; %s's slot is %u)", PFN_TO_PADDR(as->pd_pfn), t->name, as->slot);
	for (uint32_t i = 0; i < KERNEL_PDX; i++) {
		pde_t e = as->pd[i];
		if (!(e & PTE_P))
			continue;
		uint32_t nr = i / PDES_PER_SLOT;
		slot_owner_name(p, nr, owner, sizeof owner);
		uint32_t n = present_in_table(e);
		play_say("PDE[%3u] 0x%08x-0x%08x slot %2u %-8s -> table 0x%08x %s %u page%s", i,
			 PGADDR(i, 0), PGADDR(i, 0) + PTSPAN - 1, nr, owner, PTE_ADDR(e),
			 entry_flags(e, f), n, n == 1 ? "" : "s");
	}
	play_say("PDE[768..1023] the kernel half: the same in every directory, supervisor only");
	return 0;
}
