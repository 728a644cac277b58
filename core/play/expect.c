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
static int walk_of(struct play *p, struct words *s, struct walk *w, uint32_t *va)
{
	struct aspace *as = space_addr_of(p, s, NULL, va);

	if (!as)
		return -1;
	vmm_walk(as, *va, w);
	return 0;
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

static uint32_t mapcount(struct walk *w, vaddr_t va)
{
	uint32_t n = 0;

	for (struct aspace *as = vmm_first(); as && w->ok; as = as->next_all) {
		struct walk o;
		vmm_walk(as, va, &o);
		n += o.ok && PG_ROUND_DOWN(o.pa) == PG_ROUND_DOWN(w->pa);
	}
	return n;
}

static int page_term(struct play *p, const char *name, struct words *s, uint32_t *v)
{
	struct walk w;
	uint32_t va;

	if (walk_of(p, s, &w, &va))
		return -1;
	if (!strcmp(name, "refs"))
		*v = w.ok ? page_refs(PADDR_TO_PFN(w.pa)) : 0;
	else if (!strcmp(name, "phys"))
		*v = w.ok ? PG_ROUND_DOWN(w.pa) : 0;
	else if (!strcmp(name, "table_refs"))
		*v = w.table_pfn ? page_refs(w.table_pfn) : 0;
	else if (!strcmp(name, "table_pages"))
		*v = w.table_pfn ? present_in_table(w.pde) : 0;
	else if (!strcmp(name, "mapcount"))
		*v = mapcount(&w, va);
	else if (!strcmp(name, "pte"))
		return entry_bit(p, next(s), w.table_pfn ? w.pte : 0, v);
	else
		return entry_bit(p, next(s), w.pde, v);
	return 0;
}

static int space_term(struct play *p, const char *name, struct words *s, uint32_t *v)
{
	struct aspace *as = space_of(p, s, NULL);

	if (!as)
		return -1;
	if (!strcmp(name, "rss"))
		*v = as->rss;
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

/* seg_base|seg_limit|seg_dpl <selector>: the GDT descriptor's fields;
 * linear <task> <addr>: the linear address of a data access (through
 * DS, the user data segment) at offset addr. */
static int segment_term(struct play *p, const char *name, struct words *s, uint32_t *v)
{
	uint32_t sel, va;

	if (!strcmp(name, "linear")) {
		if (!space_addr_of(p, s, NULL, &va))
			return -1;
		*v = seg_base(&gdt[USER_DS >> 3]) + va;
		return 0;
	}
	const char *w = next(s);
	if (!w)
		return play_error(p, "a selector is missing");
	if (arg_number(p, w, &sel))
		return -1;
	if (sel > 0xFFFF || sel & 4 || (sel >> 3) >= GDT_ENTRIES)
		return play_error(p, "selector 0x%x is not in the GDT (%d entries; there is no LDT)",
				  sel, GDT_ENTRIES);
	const struct seg_desc *d = &gdt[sel >> 3];
	*v = !strcmp(name, "seg_base")	  ? seg_base(d)
	     : !strcmp(name, "seg_limit") ? seg_limit(d)
					  : (uint32_t)(d->access >> 5) & 3;
	return 0;
}

/* linux011 nr|base <task>, linux011 linear|pde <task> <addr>, linux011
 * scan: the figures "show linux011" prints, for expect. */
static int linux011_term(struct play *p, struct words *s, uint32_t *v)
{
	const char *what = next(s);
	uint32_t va = 0;

	if (what && !strcmp(what, "scan")) {
		*v = linux011_scan();
		return 0;
	}
	int with_addr = what && (!strcmp(what, "linear") || !strcmp(what, "pde"));
	if (!with_addr && (!what || (strcmp(what, "nr") && strcmp(what, "base"))))
		return play_error(p, "usage: linux011 nr|base <task> | linux011 linear|pde <task> "
				  "<addr> | linux011 scan");
	struct ptask *t;
	if (!(with_addr ? space_addr_of(p, s, &t, &va) : space_of(p, s, &t)))
		return -1;
	uint32_t linear;
	if (linux011_linear(p, t, va, &linear))
		return play_error(p, "0x%08x is past 0.11's 64 MiB segment limit (a #GP there)", va);
	*v = !strcmp(what, "nr")	? linux011_nr(p, t)
	     : !strcmp(what, "base")	? linear /* va is 0 */
	     : !strcmp(what, "linear") ? linear
				       : PDX(linear);
	return 0;
}

static int term(struct play *p, struct words *s, uint32_t *v)
{
	static const char *const page_terms[] = { "refs", "phys", "table_refs", "table_pages",
						  "mapcount", "pte", "pde", 0 };
	static const char *const space_terms[] = { "rss", "shared", "tables", "areas", 0 };
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

static int cmd_expect(struct play *p, int argc, char **argv)
{
	int op = 1;
	uint32_t lhs, rhs;
	char text[PLAY_MSG_MAX];

	while (op < argc && !is_op(argv[op]))
		op++;
	if (op == argc || op == 1 || op == argc - 1)
		return play_error(p, "usage: expect <quantity> ==|!=|<|<=|>|>= <quantity>");
	struct words l = { argv + 1, op - 1, 0 }, r = { argv + op + 1, argc - op - 1, 0 };
	if (quantity(p, &l, &lhs) || quantity(p, &r, &rhs))
		return -1;
	int ok = compare(argv[op], lhs, rhs);
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
		log_level = LOG_VERBOSE;
	else if (!strcmp(argv[1], "off"))
		log_level = LOG_NORMAL;
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
