/*
 * tlb.c - the TLB made visible: the playground's "tlb" command.
 *
 *   tlb remap <task> <addr> [invlpg|cr3]
 *	The task reads addr in ring 3 (its TLB entry is filled); the kernel
 *	points the PTE at a copy of the page with that word inverted and
 *	does not invalidate (core/mm/remap.c); the task reads again: the old
 *	word (a stale entry was used) or the new one -- the architecture
 *	allows both, and the line says which; then invlpg (or a CR3 reload),
 *	and the task must read the new word. The old page stays allocated
 *	until after the invalidation.
 *   tlb global
 *	The same with a kernel page, once mapped global and once not, with a
 *	CR3 reload in between (arch/x86/tlb.c): the architecture lets a
 *	global entry survive it; QEMU's TCG drops it.
 *   tlb reach <task> <addr> <len>
 *	OSTEP's TLB homework: ticks per access against the pages touched, at
 *	a stride of one page. Meaningful on real hardware only; the output
 *	says so where it is not.
 *
 * Every read of the experiment is made at the privilege level that filled
 * the entry: QEMU's TCG keeps separate TLB entries for ring 0 and ring 3,
 * so a kernel read says nothing about what the task's entry holds. No
 * line is printed between the remap and the read that follows it: under
 * KVM a port write may exit to the host, which may flush the TLB.
 */
#include "core/play/interp.h"

#include <arch/cpu.h>
#include <arch/mmu_ops.h>
#include <arch/tlb.h>
#include <arch/trap.h>

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

#define REACH_ROUNDS 8      /* the fewest ticks of these many rounds */
#define REACH_MAX_PAGES 4096 /* 16 MiB: past any first-level TLB's reach */

/* Who the reads of the experiment met: the old word, the new one, or
 * something else (a bug). */
static const char *which_word(const struct remap *r, uint32_t v)
{
	return v == r->old_word ? "the old page" : v == r->new_word ? "the new page" : "neither page";
}

/* Ring 0 reads the same linear address, while the task's directory is
 * still loaded: a TLB of its own under TCG, the same one on hardware.
 * 0, or -1 when another directory is loaded. */
static int kernel_read(struct aspace *as, const struct remap *r, uint32_t *v)
{
	if (!vmm_is_live(as))
		return -1;
	return probe_read((const volatile uint32_t *)r->va, v);
}

static int tlb_remap(struct play *p, int argc, char **argv)
{
	struct ptask *t = argc >= 4 ? arg_agent(p, argv[2]) : NULL;
	uint32_t off, va, loads;
	enum remap_end how = REMAP_INVLPG;
	struct pg_agent_reply before, stale, after;
	struct remap r;

	if (argc < 4)
		return play_error(p, "usage: tlb remap <task> <addr> [invlpg|cr3]");
	if (!t || arg_number(p, argv[3], &off) || task_linear(p, t, off, &va))
		return -1;
	if (argc == 5 && (strcmp(argv[4], "invlpg") && strcmp(argv[4], "cr3")))
		return play_error(p, "bad invalidation '%s' (invlpg or cr3)", argv[4]);
	if (argc == 5 && !strcmp(argv[4], "cr3"))
		how = REMAP_CR3;
	struct pg_agent_cmd read = { AGENT_READ, off, 0, 4, 0 };
	struct task *k = ptask_task(t);
	struct walk w;
	vmm_walk(k->as, va, &w);
	if (!w.ok)
		return play_error(p, "0x%08x is not present in %s: write to it first", off, t->name);
	if (agent_do(p, t, &read, &before)) /* ring 3 fills its entry */
		return -1;
	loads = vmm_cr3_loads;
	int rc = vmm_remap_begin(k->as, va, &r);
	if (rc)
		return play_error(p, "cannot remap 0x%08x of %s: error %d", off, t->name, -rc);
	enum agent_outcome why = agent_call(k, &read, &stale);
	uint32_t ring0 = 0;
	int ring0_failed = why != CALL_REPLIED || kernel_read(k->as, &r, &ring0);
	int alive = ptask_task(t) == k && k->as == r.as;
	vmm_remap_end(&r, alive ? how : REMAP_GONE);
	if (why != CALL_REPLIED)
		return play_error(p, "%s did not answer the read after the remap", t->name);
	if (agent_do(p, t, &read, &after))
		return -1;
	int was_stale = stale.value == r.old_word;
	play_say("%s: read 0x%08x at 0x%08x; its PTE then pointed at a copy holding 0x%08x "
		 "(page 0x%08x -> 0x%08x), with no invalidation", t->name, before.value, off,
		 r.new_word, PFN_TO_PADDR(r.old), PFN_TO_PADDR(r.new));
	play_say("  the next read in ring 3: 0x%08x, %s: %s", stale.value, which_word(&r, stale.value),
		 was_stale ? "STALE, the TLB still held the old entry (the architecture allows it)"
			   : "fresh, no stale entry was used (the architecture allows that too)");
	if (vmm_cr3_loads != loads)
		play_say("  (CR3 was written in between, another task ran: that alone flushed it)");
	if (!ring0_failed)
		play_say("  ring 0 then read the same linear address: 0x%08x, %s (QEMU's TCG keeps "
			 "separate entries for ring 0: this says nothing about ring 3's)", ring0,
			 which_word(&r, ring0));
	play_say("  after %s: 0x%08x, %s%s", how == REMAP_CR3 ? "a CR3 reload" : "invlpg",
		 after.value, which_word(&r, after.value),
		 after.value == r.new_word ? ", as the architecture requires" : "");
	p->tlb_stale = was_stale;
	p->have_tlb = 1;
	p->value = after.value;
	p->have_value = 1;
	if (after.value != r.new_word)
		return play_error(p, "after the invalidation %s still read 0x%08x, not 0x%08x", t->name,
				  after.value, r.new_word);
	return 0;
}

static const char *page_of(uint32_t v, uint32_t a, uint32_t b)
{
	return v == a ? "the old page" : v == b ? "the new page" : "neither page";
}

static int tlb_global(struct play *p)
{
	static const uint32_t marker_a = 0xA0A0A0A0u, marker_b = 0xB0B0B0B0u;
	pfn_t a = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL), b = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL);
	struct tlb_run plain, global;

	if (!a || !b) {
		if (a)
			page_ref_dec(a);
		return play_error(p, "no page for the experiment");
	}
	*(uint32_t *)page_address(a, KMAP_PEEK) = marker_a;
	*(uint32_t *)page_address(b, KMAP_PEEK) = marker_b;
	int has_pge = tlb_global_experiment(a, b, &plain, &global) == 0;
	page_ref_dec(a);
	page_ref_dec(b);
	play_say("a kernel page read in ring 0, its PTE pointed at another page without invlpg:");
	play_say("  not global: then %s; after a CR3 reload %s (required: MOV CR3 drops every "
		 "non-global entry); after invlpg %s", page_of(plain.before, marker_a, marker_b),
		 page_of(plain.after_cr3, marker_a, marker_b),
		 page_of(plain.after_invlpg, marker_a, marker_b));
	if (plain.after_cr3 != marker_b || plain.after_invlpg != marker_b)
		return play_error(p, "a non-global entry survived its invalidation");
	if (!has_pge) {
		play_say("  global: this CPU has no global pages (CPUID PGE clear)");
		return 0;
	}
	int kept = global.after_cr3 == marker_a;
	play_say("  global: then %s; after a CR3 reload %s: %s; after invlpg %s",
		 page_of(global.before, marker_a, marker_b),
		 page_of(global.after_cr3, marker_a, marker_b),
		 kept ? "KEPT, as real CPUs keep global entries (the SDM lets them)"
		      : "dropped: allowed (a CPU may flush more than it must); QEMU's TCG "
			"flushes every entry on a CR3 write",
		 page_of(global.after_invlpg, marker_a, marker_b));
	p->tlb_global_kept = kept;
	p->have_tlb_global = 1;
	if (global.after_invlpg != marker_b)
		return play_error(p, "a global entry survived invlpg of its page");
	return 0;
}

static int tlb_reach(struct play *p, int argc, char **argv)
{
	struct ptask *t = argc == 5 ? arg_agent(p, argv[2]) : NULL;
	uint32_t off, len;
	struct pg_agent_reply r;

	if (argc != 5)
		return play_error(p, "usage: tlb reach <task> <addr> <len>");
	if (!t || arg_number(p, argv[3], &off) || arg_number(p, argv[4], &len))
		return -1;
	if (PGOFF(off) || len < PGSIZE || len / PGSIZE > REACH_MAX_PAGES)
		return play_error(p, "tlb reach: a page-aligned address and 1 to %u pages",
				  REACH_MAX_PAGES);
	if (in_areas(p, t, off, len, 1))
		return -1;
	struct pg_agent_cmd touch = { AGENT_TOUCH, off, len, 1, 1 };
	if (agent_do_range(p, t, &touch, &r)) /* every page present before any timing */
		return -1;
	if (cpu.hypervisor)
		play_say("on %s, these figures mean NOTHING about a TLB: %s", cpu_machine_kind(),
			 !strcmp(cpu.hv_vendor, "TCGTCGTCGTCG")
				 ? "QEMU's TCG has a software TLB, and its TSC follows the host's "
				   "clock (under -icount, it counts instructions)"
				 : "a virtual machine's exits and the host's work land in them");
	else
		play_say("TSC ticks per access, one read per page (OSTEP's TLB homework): a step "
			 "up where the pages outgrow a TLB level (or a cache: each page is a line)");
	for (uint32_t pages = 1; pages <= len / PGSIZE; pages *= 2) {
		struct pg_agent_cmd time = { AGENT_TIME, off, pages * PGSIZE, REACH_ROUNDS, 0 };
		if (agent_do(p, t, &time, &r))
			return -1;
		play_say("%6u pages %8u ticks per access", pages, r.value);
	}
	return 0;
}

static int cmd_tlb(struct play *p, int argc, char **argv)
{
	if (!strcmp(argv[1], "remap"))
		return tlb_remap(p, argc, argv);
	if (!strcmp(argv[1], "global") && argc == 2)
		return tlb_global(p);
	if (!strcmp(argv[1], "reach"))
		return tlb_reach(p, argc, argv);
	return play_error(p, "usage: tlb remap <task> <addr> [invlpg|cr3] | tlb global | tlb reach "
			  "<task> <addr> <len>");
}

const struct command tlb_commands[] = {
	{ "tlb", 1, 4, cmd_tlb, "remap <task> <addr> [invlpg|cr3] | global | reach <task> <addr> <len>",
	  "watch the TLB: a remap without invlpg, global entries, TLB reach" },
	{ 0, 0, 0, 0, 0, 0 },
};
