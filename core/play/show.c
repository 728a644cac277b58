/*
 * show.c - the playground's "show" commands: what the MMU and the memory
 * manager see. Everything is read from the live structures: the page
 * directory and tables of a task, mem_map, the GDT and the tasks' LDTs,
 * the firmware map; the PCI functions, disks and partition tables (pci,
 * blk, gpt).
 *
 * Entry flags print as [P W U A D]: present, writable, user, accessed,
 * dirty, with '-' for a clear bit.
 */
#include "core/play/interp.h"

#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/mmu_ops.h>
#include <arch/segment.h>
#include <arch/trap.h>
#include <layout.h>

#include "core/blk/blk.h"
#include "core/blk/gpt.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/memmap.h"
#include "core/task/task.h"
#include "core/view/view.h"
#include "drivers/dma.h"
#include "drivers/pci.h"
#include "lib/fmt.h"
#include "lib/string.h"

const char *entry_flags(uint32_t e, char *buf)
{
	static const struct {
		uint32_t bit;
		char c;
	} bits[] = { { PTE_P, 'P' }, { PTE_W, 'W' }, { PTE_U, 'U' }, { PTE_A, 'A' }, { PTE_D, 'D' } };
	int n = 0;

	buf[n++] = '[';
	for (int i = 0; i < 5; i++) {
		buf[n++] = e & bits[i].bit ? bits[i].c : '-';
		buf[n++] = i < 4 ? ' ' : ']';
	}
	buf[n] = 0;
	return buf;
}

/* A grid as a picture: pixels in the screen's pane and characters on
 * serial, or characters everywhere when the screen cannot show it. One
 * grid at a time (kernel stacks are one page): static. */
static struct grid grid;

static void picture_grid(const char *title)
{
	grid_print_text(&grid, !view_show_grid(&grid, title));
}

uint32_t present_in_table(pde_t pde)
{
	const pte_t *pt = page_address(PTE_PFN(pde), KMAP_PEEK);
	uint32_t n = 0;

	for (uint32_t i = 0; i < NPTENTRIES; i++)
		n += pt[i] & PTE_P;
	return n;
}

static int show_pd(struct play *p, char *name)
{
	struct ptask *t;
	struct aspace *as = task_space(p, name, &t);
	char f[16];

	if (!as)
		return -1;
	if (as->slot)
		return show_linux011_pd(p, t, as);
	play_say("page directory of %s at 0x%08x (CR3 while %s runs)", t->name,
		 PFN_TO_PADDR(as->pd_pfn), t->name);
	for (uint32_t i = 0; i < KERNEL_PDX; i++) {
		pde_t e = as->pd[i];
		if (!(e & PTE_P))
			continue;
		uint32_t refs = page_refs(PTE_PFN(e));
		play_say("PDE[%3u] 0x%08x-0x%08x -> table 0x%08x %s %u page%s%s", i, PGADDR(i, 0),
			 PGADDR(i, 0) + PTSPAN - 1, PTE_ADDR(e), entry_flags(e, f), present_in_table(e),
			 present_in_table(e) == 1 ? "" : "s",
			 refs > 1 ? ", table shared by fork (count > 1)" : "");
	}
	play_say("PDE[768..1023] the kernel half: the same in every directory, supervisor only");
	char title[PLAY_MSG_MAX];
	fmt_snprintf(title, sizeof title, "page directory of %s at 0x%08x", t->name,
		     PFN_TO_PADDR(as->pd_pfn));
	grid_of_pd(&grid, as->pd);
	picture_grid(title);
	return 0;
}

static int show_pt(struct play *p, char *name, char *addr_word)
{
	struct ptask *t;
	uint32_t va;
	struct aspace *as = task_space_addr(p, name, addr_word, &t, &va);
	char f[16];

	if (!as)
		return -1;
	pde_t pde = as->pd[PDX(va)];
	if (PDX(va) >= KERNEL_PDX)
		return play_error(p, "0x%08x is in the kernel half: 4 MiB pages, no table", va);
	if (!(pde & PTE_P)) {
		play_say("PDE[%u] is empty: no page table for 0x%08x-0x%08x yet", PDX(va),
			 PGADDR(PDX(va), 0), PGADDR(PDX(va), 0) + PTSPAN - 1);
		return 0;
	}
	const pte_t *pt = page_address(PTE_PFN(pde), KMAP_PEEK);
	play_say("page table of %s for 0x%08x-0x%08x at 0x%08x (PDE[%u] %s), count %u", t->name,
		 PGADDR(PDX(va), 0), PGADDR(PDX(va), 0) + PTSPAN - 1, PTE_ADDR(pde), PDX(va),
		 entry_flags(pde, f), page_refs(PTE_PFN(pde)));
	if (as->slot)
		play_say("(linear addresses, in slot %u of the shared directory: %s's offsets are "
			 "0x%08x less)", as->slot, t->name, as->base);
	for (uint32_t i = 0; i < NPTENTRIES; i++) {
		pte_t e = pt[i];
		if (!(e & PTE_P))
			continue;
		vaddr_t at = PGADDR(PDX(va), i);
		struct area *a = vmm_find_area(as, at);
		play_say("PTE[%4u] 0x%08x -> 0x%08x %s count %u %s%s", i, at, PTE_ADDR(e),
			 entry_flags(e, f), page_refs(PTE_PFN(e)), a ? a->name : "?",
			 PTE_PFN(e) == pmm.zero_pfn ? " (the zero page)" : "");
	}
	char title[PLAY_MSG_MAX];
	fmt_snprintf(title, sizeof title, "page table of %s for 0x%08x-0x%08x", t->name,
		     PGADDR(PDX(va), 0), PGADDR(PDX(va), 0) + PTSPAN - 1);
	grid_of_pt(&grid, as->pd, PDX(va));
	picture_grid(title);
	return 0;
}

/* show map: physical memory, a cell a page (or 2^k), coloured by use. */
static int show_map(void)
{
	map_print_text(!view_show_map());
	return 0;
}

/* The 8 bytes of a descriptor as two words, high first (as the SDM draws them). */
static void desc_words(const struct seg_desc *d, uint32_t *hi, uint32_t *lo)
{
	uint32_t w[2];

	memcpy(w, d, sizeof w);
	*lo = w[0];
	*hi = w[1];
}

/* Selector -> descriptor, each step read from the table the CPU reads:
 * the task's LDT through its LDT descriptor in the GDT, or the GDT. The
 * descriptor, or NULL (said why). */
static const struct seg_desc *say_selector(struct task *k, uint16_t sel, const char *name)
{
	uint32_t hi, lo;

	play_say("selector 0x%04x: index %u, TI %u (%s), RPL %u", sel, SEL_INDEX(sel),
		 SEL_IS_LDT(sel), SEL_IS_LDT(sel) ? "the LDT" : "the GDT", SEL_RPL(sel));
	if (SEL_IS_LDT(sel)) {
		const struct seg_desc *ld = seg_lookup(k->ldt_sel, 0);
		desc_words(ld, &hi, &lo);
		play_say("LDTR = 0x%04x while %s runs: GDT[%u] dh=0x%08x dl=0x%08x, an LDT at "
			 "linear 0x%08x, limit 0x%x (%u entries)", k->ldt_sel, name,
			 SEL_INDEX(k->ldt_sel), hi, lo, seg_base(ld), seg_limit(ld),
			 (seg_limit(ld) + 1) / 8);
	}
	const struct seg_desc *d = seg_lookup(sel, k->ldt_sel);
	if (!d) {
		play_say("index %u is past the table's end: loading the selector is a #GP",
			 SEL_INDEX(sel));
		return NULL;
	}
	desc_words(d, &hi, &lo);
	play_say("%s[%u] at linear 0x%08x: dh=0x%08x dl=0x%08x: %s, base 0x%08x limit 0x%08x "
		 "DPL %u", SEL_IS_LDT(sel) ? "LDT" : "GDT", SEL_INDEX(sel), (uint32_t)d, hi, lo,
		 seg_type_name(d), seg_base(d), seg_limit(d), DESC_DPL(d->access));
	return d;
}

/* The paging half of the walk: linear -> PDE -> PTE -> physical. */
static void say_paging(struct ptask *t, struct aspace *as, vaddr_t va)
{
	char f[16];
	paddr_t pd = PFN_TO_PADDR(as->pd_pfn);
	pde_t pde = as->pd[PDX(va)];

	if (as->slot)
		play_say("CR3 = 0x%08x: the shared 0.11 directory (%s's slot %u: linear "
			 "0x%08x-0x%08x)", pd, t->name, as->slot, as->base, as->end - 1);
	else
		play_say("CR3 = 0x%08x: %s's page directory", pd, t->name);
	play_say("PDX = bits 31..22 = %u: PDE at 0x%08x = 0x%08x %s", PDX(va), pd + PDX(va) * 4,
		 pde, entry_flags(pde, f));
	if (as->slot && (va < as->base || va >= as->end) && va < USER_TOP)
		play_say("that is slot %u's, not %s's: its pages are user pages too, so only the "
			 "segment limit kept %s out", PDX(va) / (LINUX011_SLOT_SIZE / PTSPAN), t->name,
			 t->name);
	if (!(pde & PTE_P)) {
		play_say("not present: an access faults (#PF); the kernel decides (show areas %s)",
			 t->name);
		return;
	}
	if (pde & PTE_PS) {
		play_say("a 4 MiB kernel page, supervisor only (a ring-3 access is a #PF): physical "
			 "0x%08x", PTE_ADDR(pde) + (va & (PTSPAN - 1)));
		return;
	}
	pte_t pte = ((const pte_t *)page_address(PTE_PFN(pde), KMAP_PEEK))[PTX(va)];
	play_say("PTX = bits 21..12 = %u: PTE at 0x%08x = 0x%08x %s", PTX(va),
		 PTE_ADDR(pde) + PTX(va) * 4, pte, entry_flags(pte, f));
	if (!(pte & PTE_P)) {
		play_say("not present: an access faults (#PF); the kernel decides");
		return;
	}
	play_say("offset = bits 11..0 = 0x%03x: physical 0x%08x + 0x%03x = 0x%08x", PGOFF(va),
		 PTE_ADDR(pte), PGOFF(va), PTE_ADDR(pte) + PGOFF(va));
	play_say("rights: %s; mem_map count of the page: %u", (pde & pte & PTE_W) ? "read/write"
			 : (pte & PTE_W) ? "read-only (the PDE: a table shared by fork)"
					  : "read-only",
		 page_refs(PTE_PFN(pte)));
}

/* Logical -> linear -> physical, every entry read from the tables the CPU
 * uses: the task's DS selector (its saved registers), its LDT through
 * LDTR's descriptor, the segment's base and limit, then paging. */
static int show_walk(struct play *p, char *name, char *addr_word)
{
	struct ptask *t;
	uint32_t off;
	struct aspace *as = task_space(p, name, &t);

	if (!as || arg_number(p, addr_word, &off))
		return -1;
	struct task *k = ptask_task(t);
	uint16_t ds = (uint16_t)context_user_frame(k)->ds;
	play_say("logical address 0x%04x:0x%08x in %s (a data access uses DS = 0x%04x)", ds, off,
		 t->name, ds);
	const struct seg_desc *d = say_selector(k, ds, t->name);
	if (!d)
		return 0;
	if (!seg_present(d) || !(d->access & DESC_S) ||
	    (d->access & (DESC_CODE | DESC_READ)) == DESC_CODE) {
		play_say("no readable segment (a null selector, or what %s loaded into DS): an "
			 "access through it is a #GP", t->name);
		return 0;
	}
	uint32_t base = seg_base(d), limit = seg_limit(d);
	if (off > limit) {
		play_say("offset 0x%08x > limit 0x%08x: past the segment, a #GP (a #SS through SS)",
			 off, limit);
		if (seg_limits_checked)
			return 0;
		play_say("... on a CPU that checks limits. This one does not ('cpu: segment "
			 "limits' at boot): it goes on");
	} else {
		play_say("offset 0x%08x <= limit 0x%08x: inside the segment", off, limit);
	}
	play_say("linear = base + offset = 0x%08x + 0x%08x = 0x%08x%s", base, off, base + off,
		 base ? "" : " (base 0: the same number)");
	say_paging(t, as, base + off);
	return 0;
}

static int show_page(struct play *p, char *addr_word)
{
	uint32_t pa;

	if (arg_number(p, addr_word, &pa))
		return -1;
	pfn_t pfn = PADDR_TO_PFN(pa);
	if (pfn >= pmm.max_pfn)
		return play_error(p, "0x%08x is beyond mem_map (%u pages)", pa, pmm.max_pfn);
	play_say("page 0x%08x: mem_map[%u] count %u, %s, %s zone%s", PG_ROUND_DOWN(pa), pfn,
		 page_refs(pfn), pmm_use_name(pfn), pfn < lowmem_end_pfn ? "low (direct map)" : "high (kmap)",
		 pfn == pmm.zero_pfn ? ", the shared zero page" : "");
	return 0;
}

static int show_areas(struct play *p, char *name)
{
	struct ptask *t;
	struct aspace *as = task_space(p, name, &t);

	if (!as)
		return -1;
	for (struct area *a = as->areas; a; a = a->next) {
		uint32_t present = 0;
		for (vaddr_t va = a->start; va < a->end; va += PGSIZE) {
			struct walk w;
			vmm_walk(as, va, &w);
			present += w.ok;
		}
		play_say("0x%08x-0x%08x %s %-6s %u of %u pages present", a->start, a->end - 1,
			 a->flags & AREA_WRITE ? "rw" : "r-", a->name, present,
			 (a->end - a->start) / PGSIZE);
	}
	return 0;
}

static void say_task(struct task *k, void *ctx)
{
	struct ptask *t = ptask_by_pid(ctx, k->pid); /* a zombie keeps its name too */

	if (k->as && k->as->slot)
		play_say("pid %3d %-10s %-8s %-6s rss %4u  0.11 slot %u", k->pid,
			 task_state_name(k->state), k->name, t ? t->name : "", k->as->rss,
			 k->as->slot);
	else
		play_say("pid %3d %-10s %-8s %-6s rss %4u", k->pid, task_state_name(k->state),
			 k->name, t ? t->name : "", k->as ? k->as->rss : 0);
}

/* calc_mem prints a "mem: space <id>" line (rss, shared, tables) for
 * every address space; each named task then says which space is its
 * own, and gives that space's fault counters. */
static int show_stats(struct play *p)
{
	mm_print_stats();
	for (int i = 0; i < MAX_PTASKS; i++) {
		struct ptask *t = &p->tasks[i];
		struct task *k = ptask_task(t);
		if (!k || !k->as)
			continue;
		play_say("%s (pid %d): space %u", t->name, t->pid, k->as->id);
		mm_print_counters(&k->as->counters, "    faults: ");
	}
	return 0;
}

static int show_mmap(void)
{
	const struct bootinfo *bi = boot_info;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct bi_mem_range *r = &bi->mmap[i];
		play_say("0x%09llx-0x%09llx %8llu KiB %s", (unsigned long long)r->base,
			 (unsigned long long)(r->base + r->pages * PGSIZE - 1),
			 (unsigned long long)r->pages * 4, memmap_type_name(r->type));
	}
	play_say("mem_map covers %u pages; %u managed, %u free", pmm.max_pfn, pmm.total,
		 pmm_free_pages());
	return 0;
}

/* show boot: what the loader said (its log, kept in the boot info, as
 * the kernel replayed it at boot) and the memory map's totals, in the
 * boot log's own format (memmap_totals_line()), for a screen
 * whose boot lines have scrolled away. */
static int show_boot(void)
{
	const struct bootinfo *bi = boot_info;
	const char *s = bi->loader_log;
	uint32_t n = bi->loader_log_len < BI_LOG_SIZE ? bi->loader_log_len : BI_LOG_SIZE - 1;
	char totals[PLAY_MSG_MAX];

	play_say("playground: loader said:");
	for (uint32_t at = 0, end; at < n; at = end + 1) {
		for (end = at; end < n && s[end] != '\n'; end++)
			;
		uint32_t len = end - at - (end > at && s[end - 1] == '\r');
		if (len)
			play_say("%.*s", (int)len, s + at);
	}
	memmap_totals_line(bi->mmap, bi->mmap_count, totals, sizeof totals);
	play_say("%s", totals);
	return 0;
}

/* The pid and playground name of the task whose LDT GDT[i] describes. */
struct ldt_owner {
	uint16_t sel;
	struct task *k;
};

static void find_ldt_owner(struct task *k, void *ctx)
{
	struct ldt_owner *o = ctx;

	if (k->ldt_sel == o->sel)
		o->k = k;
}

static void say_gdt_entry(unsigned i, const char *what)
{
	const struct seg_desc *d = &gdt[i];

	play_say("GDT[%u] selector 0x%02x %-16s base 0x%08x limit 0x%08x DPL %u access 0x%02x", i,
		 GDT_SEL(i, DESC_DPL(d->access)), what, seg_base(d), seg_limit(d),
		 DESC_DPL(d->access), d->access);
}

static int show_gdt(struct play *p)
{
	static const char *const names[GDT_LDT0] = { "null", "kernel code", "kernel data", "TSS",
						     "double-fault TSS" };
	struct descriptor_table_reg r;
	unsigned ldts = 0;
	char what[PT_NAME + 16];

	sgdt(&r);
	play_say("GDTR: base 0x%08x limit 0x%x (%u entries); LDTR 0x%04x", r.base, r.limit,
		 (r.limit + 1u) / 8, sldt());
	for (unsigned i = 0; i < GDT_LDT0; i++)
		say_gdt_entry(i, names[i]);
	for (unsigned i = GDT_LDT0; i < GDT_ENTRIES; i++) {
		struct ldt_owner o = { (uint16_t)GDT_SEL(i, 0), NULL };
		if (!seg_present(&gdt[i]))
			continue;
		task_for_each(find_ldt_owner, &o);
		struct ptask *t = o.k ? ptask_by_pid(p, o.k->pid) : NULL;
		fmt_snprintf(what, sizeof what, "LDT of pid %d%s%s", o.k ? o.k->pid : 0,
			     t ? " " : "", t ? t->name : "");
		say_gdt_entry(i, what);
		ldts++;
	}
	play_say("%u LDT descriptor%s in use, %u free (not present)", ldts, ldts == 1 ? "" : "s",
		 LDT_SLOTS - ldts);
	return 0;
}

static int show_ldt(struct play *p, char *name)
{
	static const char *const names[LDT_ENTRIES] = { "null", "code", "data and stack" };
	struct ptask *t;

	if (!task_space(p, name, &t))
		return -1;
	struct task *k = ptask_task(t);
	const struct seg_desc *ld = seg_lookup(k->ldt_sel, 0), *ldt = ldt_entries(k->ldt_sel);
	if (!ldt)
		return play_error(p, "task '%s' has no LDT", name);
	play_say("LDT of %s (pid %d): GDT[%u], selector 0x%04x (LDTR while %s runs): linear "
		 "0x%08x, limit 0x%x, %u entries", t->name, k->pid, SEL_INDEX(k->ldt_sel),
		 k->ldt_sel, t->name, seg_base(ld), seg_limit(ld), LDT_ENTRIES);
	for (unsigned i = 0; i < LDT_ENTRIES; i++) {
		const struct seg_desc *d = &ldt[i];
		if (!seg_present(d)) {
			play_say("LDT[%u] selector 0x%04x %s", i, LDT_SEL(i, RPL_USER), names[i]);
			continue;
		}
		play_say("LDT[%u] selector 0x%04x %-14s %s, base 0x%08x limit 0x%08x DPL %u, "
			 "%u-bit, access 0x%02x", i, LDT_SEL(i, RPL_USER), names[i], seg_type_name(d),
			 seg_base(d), seg_limit(d), DESC_DPL(d->access),
			 d->limit_flags & DESC_DB ? 32 : 16, d->access);
	}
	const struct trapframe *tf = context_user_frame(k);
	play_say("%s's selectors (its saved registers): CS 0x%04x DS 0x%04x ES 0x%04x SS 0x%04x",
		 t->name, tf->cs, tf->ds, tf->es, tf->user_ss);
	return 0;
}

static int show_cpu(void)
{
	play_say("cpu: %s on %s%s%s%s", cpu.vendor, cpu_machine_kind(),
		 cpu.hv_vendor[0] ? " (hypervisor '" : "", cpu.hv_vendor,
		 cpu.hv_vendor[0] ? "')" : "");
	play_say("segment limits: %s (the boot's probe: a read past a 1-byte segment)",
		 seg_limits_checked ? "checked: a #GP" : "NOT checked: the read went through");
	play_say("global pages: %s", read_cr4() & CR4_PGE
		 ? "CR4.PGE on: the kernel's direct map is global, kept across CR3 reloads "
		   "(on real CPUs)"
		 : "off (this CPU has no PGE): a CR3 reload drops every entry");
	play_say("CR3 loads so far: %u (a switch between two 0.11-mode tasks makes none)",
		 vmm_cr3_loads);
	return 0;
}

/* show blk: the disks and partitions with their counters, the boot and
 * swap partitions, and the drivers' DMA memory. */
static int show_blk(void)
{
	struct blk_dev *boot = blk_boot_partition(), *swap = blk_swap_partition();

	if (!blk_first())
		play_say("no disk: no driver found a controller it drives (show pci)");
	blk_print_stats();
	play_say("boot partition: %s; swap partition: %s", boot ? boot->name : "not on our disks",
		 swap ? swap->name : "none");
	play_say("in flight: %u request%s; DMA memory of the drivers: %u pages", blk_inflight(),
		 blk_inflight() == 1 ? "" : "s", dma_pages_in_use());
	return 0;
}

static int cmd_show(struct play *p, int argc, char **argv)
{
	const char *what = argv[1];

	if (!strcmp(what, "pd") && argc == 3)
		return show_pd(p, argv[2]);
	if (!strcmp(what, "pt") && argc == 4)
		return show_pt(p, argv[2], argv[3]);
	if (!strcmp(what, "walk") && argc == 4)
		return show_walk(p, argv[2], argv[3]);
	if (!strcmp(what, "page") && argc == 3)
		return show_page(p, argv[2]);
	if (!strcmp(what, "areas") && argc == 3)
		return show_areas(p, argv[2]);
	if (!strcmp(what, "linux011") && argc == 4)
		return show_linux011(p, argv[2], argv[3]);
	if (!strcmp(what, "tasks") && argc == 2)
		return task_for_each(say_task, p), 0;
	if (!strcmp(what, "stats") && argc == 2)
		return show_stats(p);
	if (!strcmp(what, "mmap") && argc == 2)
		return show_mmap();
	if (!strcmp(what, "gdt") && argc == 2)
		return show_gdt(p);
	if (!strcmp(what, "ldt") && argc == 3)
		return show_ldt(p, argv[2]);
	if (!strcmp(what, "cpu") && argc == 2)
		return show_cpu();
	if (!strcmp(what, "boot") && argc == 2)
		return show_boot();
	if (!strcmp(what, "pci") && (argc == 2 || (argc == 3 && !strcmp(argv[2], "caps"))))
		return pci_print(argc == 3), 0;
	if (!strcmp(what, "blk") && argc == 2)
		return show_blk();
	if (!strcmp(what, "gpt") && argc <= 3)
		return gpt_print(argc == 3 ? argv[2] : NULL), 0;
	if (!strcmp(what, "map") && argc == 2)
		return show_map();
	if (!strcmp(what, "clear") && argc == 2)
		return view_clear(), 0;
	return play_error(p, "usage: show tasks|stats|mmap|gdt|cpu|boot|blk|map|clear | "
			  "show pci [caps] | show gpt [disk] | show pd|areas|ldt <task> "
			  "| show pt|walk|linux011 <task> <addr> | show page <phys>");
}

/* Every show is a snapshot for the report (when it is on): the command,
 * then each named task's directory and tables, then mem_map. */
static int cmd_show_and_snapshot(struct play *p, int argc, char **argv)
{
	int rc = cmd_show(p, argc, argv);

	if (rc == 0)
		play_snapshot(p, argc, argv);
	return rc;
}

const struct command show_commands[] = {
	{ "show", 1, 3, cmd_show_and_snapshot, "<what> [task] [addr]",
	  "tasks stats mmap gdt ldt cpu boot map clear pd areas pt walk page linux011 pci blk gpt" },
	{ 0, 0, 0, 0, 0, 0 },
};
