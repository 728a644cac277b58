/*
 * expect.c - "expect <quantity> <op> <quantity>", the playground's
 * assertion: each prints one TAP line with the expression, and on failure
 * the value it found. Also the small commands: baseline, check, verbose,
 * echo, fork_mode, onerror, help, quit.
 *
 * A quantity is a sum of products of terms ("baseline - 2 * 3"); a term
 * is a number, a $variable or one of the names below (and in kview.c),
 * taking a task and an address where it needs them. docs/playground.md
 * lists them all.
 */
#include "core/play/interp.h"

#include <arch/mmu_ops.h>
#include <arch/segment.h>

#include "core/log.h"
#include "core/tap.h"
#include "core/task/task.h"
#include "lib/fmt.h"
#include "lib/string.h"

static const char *next(struct words *s)
{
	return words_next(s);
}

static int fault_kind_by_name(const char *name)
{
	for (int k = 0; k < FAULT_NKINDS; k++)
		if (!strcmp(name, fault_kind_name(k)))
			return k;
	return -1;
}

/* <task> from the words: its address space (task_space). */
static struct aspace *space_of(struct play *p, struct words *s, struct ptask **t)
{
	return task_space(p, next(s), t);
}

/* <task> <addr> from the words: its address space and the address. */
static struct aspace *space_addr_of(struct play *p, struct words *s, struct ptask **t,
				    uint32_t *va)
{
	const char *name = next(s), *addr = next(s);

	return task_space_addr(p, name, addr, t, va);
}

/* The walk of <task> <addr>, for refs, phys, pte and friends. */
static struct aspace *walk_of(struct play *p, struct words *s, struct walk *w, uint32_t *va)
{
	struct aspace *as = space_addr_of(p, s, NULL, va);

	if (as)
		vmm_walk(as, *va, w);
	return as;
}

static int entry_bit(struct play *p, const char *name, uint32_t entry, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} bits[] = { { "present", PTE_P }, { "write", PTE_W },	 { "user", PTE_U },
		     { "accessed", PTE_A }, { "dirty", PTE_D } };

	for (unsigned i = 0; name && i < sizeof bits / sizeof bits[0]; i++)
		if (!strcmp(name, bits[i].name)) {
			*out = !!(entry & bits[i].bit);
			return 0;
		}
	return play_error(p, "bad flag '%s' (present, write, user, accessed, dirty)",
			  name ? name : "");
}

/* Spaces mapping the same page at the same offset of their segments: a
 * fork child's page is at the parent's address, or, in 0.11 mode, at the
 * same place of its own slot. */
static uint32_t mapcount(struct aspace *mine, struct walk *w, vaddr_t va)
{
	uint32_t n = 0, off = va - mine->base;

	for (struct aspace *as = vmm_first(); as && w->ok; as = as->next_all) {
		struct walk o;
		if (off >= as->end - as->base)
			continue;
		vmm_walk(as, as->base + off, &o);
		n += o.ok && PG_ROUND_DOWN(o.pa) == PG_ROUND_DOWN(w->pa);
	}
	return n;
}

static int page_term(struct play *p, const char *name, struct words *s, uint32_t *v)
{
	struct walk w;
	uint32_t va;
	struct aspace *as = walk_of(p, s, &w, &va);

	if (!as)
		return -1;
	if (!strcmp(name, "refs"))
		*v = w.ok ? page_refs(PADDR_TO_PFN(w.pa)) : 0;
	else if (!strcmp(name, "phys"))
		*v = w.ok ? PG_ROUND_DOWN(w.pa) : 0;
	else if (!strcmp(name, "table_refs"))
		*v = w.table_pfn ? page_refs(w.table_pfn) : 0;
	else if (!strcmp(name, "table"))
		*v = w.table_pfn ? PFN_TO_PADDR(w.table_pfn) : 0;
	else if (!strcmp(name, "table_pages"))
		*v = w.table_pfn ? present_in_table(w.pde) : 0;
	else if (!strcmp(name, "mapcount"))
		*v = mapcount(as, &w, va);
	else if (!strcmp(name, "pte"))
		return entry_bit(p, next(s), w.table_pfn ? w.pte : 0, v);
	else
		return entry_bit(p, next(s), w.pde, v);
	return 0;
}

/* Is a an area the script made: mmap'd ("anon": 'task ... area', 'map')
 * or the heap 'sbrk' grows? The agent's own areas (its text, data and
 * stack, from exec) are not: the agent never maps or grows memory but
 * on a command. */
static int script_area(const struct area *a)
{
	return !strcmp(a->name, "anon") || !strcmp(a->name, "heap");
}

/* Pages present in the script's areas of as: rss without the agent
 * program's own pages, so "no page yet" is 0 whatever the agent's size.
 * One walk per page; a missing table skips its 4 MiB. */
static uint32_t script_rss(struct aspace *as)
{
	uint32_t n = 0;

	for (struct area *a = as->areas; a; a = a->next) {
		for (vaddr_t va = a->start; script_area(a) && va < a->end && va >= a->start;) {
			struct walk w;
			vmm_walk(as, va, &w);
			n += w.ok;
			va = w.pde & PTE_P ? va + PGSIZE : (va & ~(PTSPAN - 1)) + PTSPAN;
		}
	}
	return n;
}

static int space_term(struct play *p, const char *name, struct words *s, uint32_t *v)
{
	struct aspace *as = space_of(p, s, NULL);

	if (!as)
		return -1;
	if (!strcmp(name, "rss"))
		*v = as->rss;
	else if (!strcmp(name, "script_rss"))
		*v = script_rss(as);
	else if (!strcmp(name, "shared"))
		*v = vmm_shared_pages(as);
	else if (!strcmp(name, "tables"))
		*v = vmm_table_pages(as);
	else {
		*v = 0;
		for (struct area *a = as->areas; a; a = a->next)
			(*v)++;
	}
	return 0;
}

/* The events counted beside the faults (mm_print_counters prints them
 * on the same line): page tables un-shared, and TLB invalidations. */
static const char *const event_names[] = { "table-copy", "table-reuse", "invlpg", "cr3-reload" };
#define NEVENTS (sizeof event_names / sizeof event_names[0])

static int event_by_name(const char *w)
{
	for (unsigned i = 0; w && i < NEVENTS; i++)
		if (!strcmp(w, event_names[i]))
			return (int)i;
	return -1;
}

static uint32_t event_count(const struct mm_counters *c, int e)
{
	const uint32_t counts[NEVENTS] = { c->table_copies, c->table_reuses, c->tlb_invlpg,
					   c->tlb_full };
	return counts[e];
}

static int is_fault_kind(const char *w)
{
	return w && (fault_kind_by_name(w) >= 0 || event_by_name(w) >= 0);
}

static int is_operator(const char *w)
{
	return !strcmp(w, "+") || !strcmp(w, "-") || !strcmp(w, "*");
}

/* faults <kind> | faults <task> <kind>. A task may be called like a kind
 * ("segv", "oom", "spurious"): the word after decides. When it is a kind,
 * the first word is a task; otherwise the first word is the kind. */
static int faults_term(struct play *p, struct words *s, uint32_t *v)
{
	const char *w = next(s), *after = s->at < s->n ? s->w[s->at] : NULL;
	const struct mm_counters *c = &mm_counters;

	if (is_fault_kind(after) || (w && !is_fault_kind(w) && after && !is_operator(after))) {
		s->at--;
		struct aspace *as = space_of(p, s, NULL);
		if (!as)
			return -1;
		c = &as->counters;
		w = next(s);
	}
	int k = w ? fault_kind_by_name(w) : -1, e = event_by_name(w);
	if (e >= 0)
		*v = event_count(c, e);
	else if (k >= 0)
		*v = c->faults[k];
	else
		return play_error(p, "bad fault kind '%s' (demand-zero, zero-page, zero-cow, "
				  "cow-copy, cow-reuse, spurious, segv, oom, table-copy, table-reuse, "
				  "invlpg, cr3-reload)", w ? w : "");
	return 0;
}

static int task_term(struct play *p, const char *name, struct words *s, uint32_t *v)
{
	const char *tn = next(s);
	struct ptask *t = arg_named(p, tn);

	if (!t)
		return -1;
	if (!strcmp(name, "alive")) {
		*v = ptask_task(t) != NULL;
		return 0;
	}
	if (ptask_task(t))
		return play_error(p, "task '%s' has not exited: no status yet", tn);
	*v = (uint32_t)ptask_status(t);
	return 0;
}

/* A word that may follow a term: an operator, or the end. */
static int is_sum_op(const char *w)
{
	return !w || !strcmp(w, "+") || !strcmp(w, "-");
}

/* seg_base|seg_limit|seg_dpl <selector> [task]: the fields of the
 * descriptor the selector names, in the GDT or (TI set) in the task's
 * LDT; linear <task> <addr>: the linear address of a data access at
 * offset addr, base of the task's data segment + addr. Both read the
 * tables the CPU reads. */
static int segment_term(struct play *p, const char *name, struct words *s, uint32_t *v)
{
	uint32_t sel, va;
	struct ptask *t = NULL;

	if (!strcmp(name, "linear")) {
		if (!space_addr_of(p, s, NULL, &va))
			return -1;
		*v = va;
		return 0;
	}
	const char *w = next(s), *task = s->at < s->n ? s->w[s->at] : NULL;
	if (!w)
		return play_error(p, "a selector is missing");
	if (arg_number(p, w, &sel))
		return -1;
	if (!is_sum_op(task) && !task_space(p, next(s), &t))
		return -1;
	if (sel > 0xFFFF)
		return play_error(p, "0x%x is not a selector (16 bits)", sel);
	if (SEL_IS_LDT(sel) && !t)
		return play_error(p, "selector 0x%x is in an LDT (TI set): name the task whose LDT "
				  "(%s 0x%x <task>)", sel, name, sel);
	const struct seg_desc *d = seg_lookup((uint16_t)sel, t ? ptask_task(t)->ldt_sel : 0);
	if (!d || !seg_present(d))
		return play_error(p, "selector 0x%x names no descriptor in use (%s[%u])", sel,
				  SEL_IS_LDT(sel) ? "LDT" : "GDT", SEL_INDEX(sel));
	*v = !strcmp(name, "seg_base")	  ? seg_base(d)
	     : !strcmp(name, "seg_limit") ? seg_limit(d)
					  : DESC_DPL(d->access);
	return 0;
}

/* linux011 nr|base <task>, linux011 linear|pde <task> <addr>, linux011
 * scan|slots: a 0.11-mode task's slot, its segments' base (from its LDT),
 * where an offset lands in the shared directory; 0.11's allocator scan;
 * the slots in use. */
static int linux011_term(struct play *p, struct words *s, uint32_t *v)
{
	const char *what = next(s);
	uint32_t va = 0;

	if (what && !strcmp(what, "scan")) {
		*v = linux011_scan();
		return 0;
	}
	if (what && !strcmp(what, "slots")) {
		*v = linux011_slots_used();
		return 0;
	}
	int with_addr = what && (!strcmp(what, "linear") || !strcmp(what, "pde"));
	if (!with_addr && (!what || (strcmp(what, "nr") && strcmp(what, "base"))))
		return play_error(p, "usage: linux011 nr|base <task> | linux011 linear|pde <task> "
				  "<addr> | linux011 scan|slots");
	const char *name = next(s), *addr = with_addr ? next(s) : NULL;
	struct ptask *t;
	struct aspace *as = linux011_space(p, name, &t);
	if (!as || (with_addr && !task_space_addr(p, name, addr, NULL, &va)))
		return -1;
	uint32_t base, limit;
	user_segment(ptask_task(t), &base, &limit);
	*v = !strcmp(what, "nr")	? as->slot
	     : !strcmp(what, "base")	? base
	     : !strcmp(what, "linear") ? va
				       : PDX(va);
	return 0;
}

/* Facts about the machine and the last TLB experiment. */
static int machine_term(struct play *p, const char *w, uint32_t *v)
{
	if (!strcmp(w, "limits_checked")) {
		*v = (uint32_t)seg_limits_checked;
	} else if (!strcmp(w, "cr3_loads")) {
		*v = vmm_cr3_loads;
	} else if (!strcmp(w, "tlb_stale")) {
		if (!p->have_tlb)
			return play_error(p, "no TLB experiment yet ('tlb <task> <addr>')");
		*v = (uint32_t)p->tlb_stale;
	} else {
		if (!p->have_tlb_global)
			return play_error(p, "no global-page experiment yet ('tlb global')");
		*v = (uint32_t)p->tlb_global_kept;
	}
	return 0;
}

static int term(struct play *p, struct words *s, uint32_t *v)
{
	static const char *const page_terms[] = { "refs", "phys", "table_refs", "table_pages",
						  "mapcount", "pte", "pde", "table", 0 };
	static const char *const space_terms[] = { "rss", "script_rss", "shared", "tables",
						   "areas", 0 };
	const char *w = next(s);

	if (!w)
		return play_error(p, "a quantity is missing");
	if (!parse_number(w, v))
		return 0;
	if (*w == '$')
		return play_var(p, w, v);
	for (int i = 0; page_terms[i]; i++)
		if (!strcmp(w, page_terms[i]))
			return page_term(p, w, s, v);
	for (int i = 0; space_terms[i]; i++)
		if (!strcmp(w, space_terms[i]))
			return space_term(p, w, s, v);
	if (!strcmp(w, "faults"))
		return faults_term(p, s, v);
	if (!strcmp(w, "seg_base") || !strcmp(w, "seg_limit") || !strcmp(w, "seg_dpl") ||
	    !strcmp(w, "linear"))
		return segment_term(p, w, s, v);
	if (!strcmp(w, "linux011"))
		return linux011_term(p, s, v);
	if (!strcmp(w, "limits_checked") || !strcmp(w, "cr3_loads") || !strcmp(w, "tlb_stale") ||
	    !strcmp(w, "tlb_global_kept"))
		return machine_term(p, w, v);
	if (kview_is_term(w))
		return kview_term(p, w, s, v);
	if (!strcmp(w, "status") || !strcmp(w, "alive"))
		return task_term(p, w, s, v);
	if (!strcmp(w, "value")) {
		*v = p->value;
		return p->have_value ? 0 : play_error(p, "no value read yet");
	}
	if (!strcmp(w, "baseline")) {
		*v = p->baseline;
		return p->have_baseline ? 0 : play_error(p, "no baseline saved yet ('baseline')");
	}
	if (!strcmp(w, "free") || !strcmp(w, "total") || !strcmp(w, "errors")) {
		*v = !strcmp(w, "free") ? pmm_free_pages() : !strcmp(w, "total") ? pmm.total : pmm.errors;
		return 0;
	}
	if (!strcmp(w, "error")) {
		*v = (uint32_t)p->last_try_failed;
		return 0;
	}
	if (!strcmp(w, "check")) {
		*v = mm_check();
		return 0;
	}
	return play_error(p, "unknown quantity '%s'", w);
}

/* term (* term)*: a product binds before a sum ("$n * 4K + 1"). */
static int product(struct play *p, struct words *s, uint32_t *v)
{
	if (term(p, s, v))
		return -1;
	while (s->at < s->n && !strcmp(s->w[s->at], "*")) {
		uint32_t t;
		s->at++;
		if (term(p, s, &t))
			return -1;
		*v *= t;
	}
	return 0;
}

/* product ((+|-) product)* over all of s; arithmetic wraps at 32 bits. */
static int quantity(struct play *p, struct words *s, uint32_t *v)
{
	if (product(p, s, v))
		return -1;
	while (s->at < s->n) {
		const char *op = next(s);
		uint32_t t;
		if (strcmp(op, "+") && strcmp(op, "-"))
			return play_error(p, "unexpected '%s'", op);
		if (product(p, s, &t))
			return -1;
		*v = *op == '+' ? *v + t : *v - t;
	}
	return 0;
}

static int compare(const char *op, uint32_t a, uint32_t b)
{
	if (!strcmp(op, "=="))
		return a == b;
	if (!strcmp(op, "!="))
		return a != b;
	if (!strcmp(op, "<"))
		return a < b;
	if (!strcmp(op, "<="))
		return a <= b;
	if (!strcmp(op, ">"))
		return a > b;
	return a >= b;
}

static int is_op(const char *w)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=", 0 };

	for (int i = 0; ops[i]; i++)
		if (!strcmp(w, ops[i]))
			return 1;
	return 0;
}

static void join(char *buf, unsigned size, int argc, char **argv)
{
	unsigned n = 0;

	buf[0] = 0;
	for (int i = 1; i < argc && n < size; i++)
		n += (unsigned)fmt_snprintf(buf + n, size - n, "%s%s", i > 1 ? " " : "", argv[i]);
}

int play_compare(struct play *p, int argc, char **argv, int *truth, uint32_t *lhs,
		 uint32_t *rhs)
{
	int op = 1;

	while (op < argc && !is_op(argv[op]))
		op++;
	if (op == argc || op == 1 || op == argc - 1)
		return play_error(p, "usage: %s <quantity> ==|!=|<|<=|>|>= <quantity>", argv[0]);
	struct words l = { argv + 1, op - 1, 0 }, r = { argv + op + 1, argc - op - 1, 0 };
	if (quantity(p, &l, lhs) || quantity(p, &r, rhs))
		return -1;
	*truth = compare(argv[op], *lhs, *rhs);
	return 0;
}

static int cmd_expect(struct play *p, int argc, char **argv)
{
	uint32_t lhs, rhs;
	char text[PLAY_MSG_MAX];
	int ok;

	if (play_compare(p, argc, argv, &ok, &lhs, &rhs))
		return -1;
	join(text, sizeof text, argc, argv);
	p->expects++;
	p->failed += !ok;
	if (p->interactive)
		kprintf("  %s: %s\n", ok ? "true" : "FALSE", text);
	else
		tap_ok(ok, "%s:%u: expect %s", p->file, p->line, text);
	if (!ok)
		kprintf("#   left side is %u (0x%x), right side %u (0x%x)\n", lhs, lhs, rhs, rhs);
	return 0;
}

/* let $name <quantity>: remember a value for later expects. */
static int cmd_let(struct play *p, int argc, char **argv)
{
	struct words s = { argv + 2, argc - 2, 0 };
	uint32_t v;
	int slot = -1;

	if (argv[1][0] != '$' || !argv[1][1] || strlen(argv[1]) >= PT_NAME)
		return play_error(p, "a variable is named $something (up to %d characters)",
				  PT_NAME - 2);
	for (int i = 0; i < MAX_VARS && slot < 0; i++)
		if (!strcmp(p->vars[i].name, argv[1]))
			slot = i;
	for (int i = 0; i < MAX_VARS && slot < 0; i++)
		if (!p->vars[i].name[0])
			slot = i;
	if (slot < 0)
		return play_error(p, "more than %d variables", MAX_VARS);
	if (quantity(p, &s, &v))
		return -1;
	strlcpy(p->vars[slot].name, argv[1], PT_NAME);
	p->vars[slot].value = v;
	play_say("%s = %u (0x%x)", argv[1], v, v);
	return 0;
}

static int cmd_baseline(struct play *p, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	p->baseline = pmm_free_pages();
	p->have_baseline = 1;
	play_say("baseline: %u free pages", p->baseline);
	return 0;
}

static int cmd_check(struct play *p, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint32_t n = mm_check();
	play_say("check: %u problem%s (every count matches the entries pointing at it)%s", n,
		 n == 1 ? "" : "s", n ? ": see the lines above" : "");
	(void)p;
	return 0;
}

static int cmd_verbose(struct play *p, int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[1], "on"))
		log_set_level(LOG_VERBOSE);
	else if (!strcmp(argv[1], "off"))
		log_set_level(LOG_NORMAL);
	else
		return play_error(p, "usage: verbose on|off");
	play_say("verbose %s: %s", argv[1],
		 log_level == LOG_VERBOSE ? "one line per fault and per TLB flush" : "quiet faults");
	return 0;
}

static int cmd_echo(struct play *p, int argc, char **argv)
{
	char text[PLAY_MSG_MAX]; /* the whole line fits: echo never cuts */

	(void)p;
	join(text, sizeof text, argc, argv);
	play_say("%s", text);
	return 0;
}

static int cmd_fork_mode(struct play *p, int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[1], "share"))
		mm_fork_mode = FORK_SHARE_TABLES;
	else if (!strcmp(argv[1], "copy"))
		mm_fork_mode = FORK_COPY_TABLES;
	else
		return play_error(p, "usage: fork_mode share|copy");
	play_say("fork now %s page tables", mm_fork_mode == FORK_COPY_TABLES
						     ? "copies (Linux 0.11's copy_page_tables)"
						     : "shares, copy-on-write,");
	return 0;
}

static int cmd_onerror(struct play *p, int argc, char **argv)
{
	(void)argc;
	if (strcmp(argv[1], "stop") && strcmp(argv[1], "continue"))
		return play_error(p, "usage: onerror stop|continue");
	p->keep_going = !strcmp(argv[1], "continue");
	return 0;
}

static int cmd_help(struct play *p, int argc, char **argv)
{
	if (!play_help(argc > 1 ? argv[1] : NULL))
		return play_unknown_command(p, argv[1]);
	return 0;
}

static int cmd_quit(struct play *p, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!p->interactive)
		return play_error(p, "quit is for the shell; a script ends at its last line");
	p->quit = 1;
	return 0;
}

const struct command misc_commands[] = {
	{ "expect", 3, MAX_WORDS - 1, cmd_expect, "<quantity> <op> <quantity>", "assert; one TAP line" },
	{ "let", 2, MAX_WORDS - 1, cmd_let, "$name <quantity>", "remember a value: expect ... $name" },
	{ "baseline", 0, 0, cmd_baseline, "", "remember the free-page count" },
	{ "check", 0, 0, cmd_check, "", "run the invariant checker" },
	{ "verbose", 1, 1, cmd_verbose, "on|off", "one log line per fault and TLB flush" },
	{ "echo", 0, MAX_WORDS - 1, cmd_echo, "<text>", "print a line" },
	{ "fork_mode", 1, 1, cmd_fork_mode, "share|copy", "how fork copies page tables" },
	{ "onerror", 1, 1, cmd_onerror, "stop|continue", "what a script does after an error" },
	{ "help", 0, 1, cmd_help, "[command]", "this list" },
	{ "quit", 0, 0, cmd_quit, "", "leave the shell" },
	{ 0, 0, 0, 0, 0, 0 },
};
