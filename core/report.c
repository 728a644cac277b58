/*
 * report.c - the machine-readable records of a run: faults, task events
 * and snapshots (page directories, page tables, mem_map), one per line,
 * starting with '@', beside the human log on serial. scripts/report.py
 * reads them back into an HTML report; docs/pictures.md gives the format
 * (version REPORT_VERSION), field by field.
 *
 * The classification of pages and entries is the kernel's, sent as the
 * characters of the text pictures (core/view/uses.c), with the table of
 * characters, colours and legends in the header: the report draws what
 * the screen draws, and a new use needs no change in the script.
 *
 * Cost: nothing when off. When on, a fault walks its page tables and
 * the task table once more, and each record is a serial line.
 * Context: task context, and the fault path (report_fault, report_tasks),
 * both with interrupts off, so records never interleave.
 */
#include "core/report.h"

#include <stdarg.h>

#include <arch/machine.h>
#include <arch/mmu_ops.h>
#include <arch/tsc.h>
#include <layout.h>

#include "core/kernel.h"
#include "core/log.h"
#include "core/task/task.h"
#include "core/view/view.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define SNAP_TABLES_MAX 256 /* tables one snapshot lists; more are left out (said) */
#define REC_FLUSH 200       /* a record is written in pieces of about this much */

static struct {
	int on;
	uint64_t t0;               /* the TSC when the report started */
	uint32_t snap;             /* snapshots so far */
	uint32_t faults;
	uint32_t gen;              /* census generation */
	pfn_t tables[SNAP_TABLES_MAX]; /* listed in this snapshot */
	uint32_t ntables, left_out;
} r;

/* What the census saw of each task last time. */
static struct seen {
	int pid;       /* 0: a free entry (pid 0, idle, is never reported) */
	uint8_t zombie;
	uint32_t gen;
} seen[MAX_TASKS];

/* A record being written: pieces go out when the buffer fills. */
struct rec {
	char buf[REC_FLUSH + 64];
	unsigned n;
};

static void rec_flush(struct rec *w)
{
	if (w->n)
		kprintf_serial("%s", w->buf);
	w->n = 0;
	w->buf[0] = 0;
}

static void rec_put(struct rec *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rec_put(struct rec *w, const char *fmt, ...)
{
	va_list ap;

	if (w->n > REC_FLUSH)
		rec_flush(w);
	va_start(ap, fmt);
	int n = fmt_vsnprintf(w->buf + w->n, sizeof w->buf - w->n, fmt, ap);
	va_end(ap);
	w->n = MIN(w->n + (unsigned)n, (unsigned)sizeof w->buf - 1);
}

static void rec_end(struct rec *w)
{
	rec_put(w, "\n");
	rec_flush(w);
}

static uint64_t now(void)
{
	return rdtsc() - r.t0;
}

/* Runs of equal characters: "<c><count>", the count left out when 1. */
static void rec_runs(struct rec *w, const char *chars, uint32_t n)
{
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1;
		while (j < n && chars[j] == chars[i])
			j++;
		if (j - i > 1)
			rec_put(w, "%c%u", chars[i], j - i);
		else
			rec_put(w, "%c", chars[i]);
		i = j;
	}
}

int report_active(void)
{
	return r.on;
}

static void style_records(const char *table, const struct view_style *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		kprintf_serial("@style table=%s key=%s ch=%c rgb=%06x text=%s\n", table, s[i].name,
			       s[i].ch, s[i].rgb, s[i].legend);
}

void report_start(const struct bootinfo *bi, const char *version)
{
	memset(&r, 0, sizeof r);
	memset(seen, 0, sizeof seen);
	r.t0 = rdtsc();
	r.on = 1;
	log_trace |= LOG_TRACE_REPORT;
	kprintf_serial("@report v=%u kernel=%s tsc_khz=%u max_pfn=%u managed=%u zero_pfn=0x%x "
		       "fork=%s\n", REPORT_VERSION, version, bi->tsc_khz, pmm.max_pfn, pmm.total,
		       pmm.zero_pfn, mm_fork_mode == FORK_COPY_TABLES ? "copy" : "share");
	style_records("use", page_use_styles, PAGE_NUSES);
	style_records("entry", entry_styles, ENTRY_NSTATES);
	report_tasks();
}

void report_end(void)
{
	if (!r.on)
		return;
	report_tasks();
	kprintf_serial("@done t=%llu faults=%u snapshots=%u\n", (unsigned long long)now(), r.faults,
		       r.snap);
}

void report_fault(struct task *t, enum fault_kind kind, vaddr_t va, uint32_t err)
{
	struct walk wk;

	if (!r.on || !t)
		return;
	report_tasks(); /* a child's first fault comes after its birth */
	r.faults++;
	if (t->as && kind < FAULT_SEGV)
		vmm_walk(t->as, va, &wk);
	else
		wk.ok = 0;
	kprintf_serial("@fault t=%llu pid=%d kind=%s va=0x%08x pa=0x%08x access=%s%s free=%u\n",
		       (unsigned long long)now(), t->pid, fault_kind_name(kind), va,
		       wk.ok ? PG_ROUND_DOWN(wk.pa) : 0, err & PF_W ? "write" : "read",
		       err & PF_U ? "" : ",kernel", pmm_free_pages());
}

/* The census entry of pid, or a free one (pid 0) when it is new. */
static struct seen *seen_of(int pid)
{
	struct seen *free = NULL;

	for (int i = 0; i < MAX_TASKS; i++) {
		if (seen[i].pid == pid)
			return &seen[i];
		if (!seen[i].pid && !free)
			free = &seen[i];
	}
	return free;
}

static void census_one(struct task *t, void *ctx)
{
	struct seen *s;

	(void)ctx;
	if (!t->pid || !(s = seen_of(t->pid)))
		return;
	if (!s->pid) {
		*s = (struct seen){ t->pid, 0, r.gen };
		kprintf_serial("@task t=%llu pid=%d ev=new parent=%d name=%s user=%d\n",
			       (unsigned long long)now(), t->pid, t->parent ? t->parent->pid : 0,
			       t->name, t->as != NULL);
	}
	s->gen = r.gen;
	if (t->state == TASK_ZOMBIE && !s->zombie) {
		s->zombie = 1;
		kprintf_serial("@task t=%llu pid=%d ev=exit status=0x%x\n",
			       (unsigned long long)now(), t->pid, (unsigned)t->exit_status);
	}
}

void report_tasks(void)
{
	if (!r.on)
		return;
	r.gen++;
	task_for_each(census_one, NULL);
	for (int i = 0; i < MAX_TASKS; i++)
		if (seen[i].pid && seen[i].gen != r.gen) {
			kprintf_serial("@task t=%llu pid=%d ev=gone\n", (unsigned long long)now(),
				       seen[i].pid);
			seen[i].pid = 0;
		}
}

void report_name(int pid, const char *name)
{
	if (!r.on)
		return;
	report_tasks();
	kprintf_serial("@name t=%llu pid=%d name=%s\n", (unsigned long long)now(), pid, name);
}

void report_snapshot_begin(const char *why)
{
	if (!r.on)
		return;
	report_tasks();
	r.snap++;
	r.ntables = r.left_out = 0;
	kprintf_serial("@snap n=%u t=%llu text=%s\n", r.snap, (unsigned long long)now(), why);
}

/* Table entries worth listing: present, or not zero (a swap entry). One
 * item a run: i=v (one entry), i+n=v (n entries mapping consecutive
 * frames from v, same flags), i*n=v (n entries of the same value, the
 * zero page); "/r" after v when the frames' count r is not 1. */
static void rec_entries(struct rec *w, const uint32_t *e, uint32_t n, int counts)
{
	const char *sep = "";

	for (uint32_t i = 0; i < n;) {
		if (!e[i]) {
			i++;
			continue;
		}
		uint32_t refs = counts && (e[i] & PTE_P) ? page_refs(PTE_PFN(e[i])) : 1;
		uint32_t j = i + 1;
		int same = j < n && e[j] == e[i];
		uint32_t step = same ? 0 : PGSIZE;
		while (j < n && e[j] == e[j - 1] + step && (e[j] & PTE_P) &&
		       (!counts || page_refs(PTE_PFN(e[j])) == refs))
			j++;
		if (j - i == 1)
			rec_put(w, "%s%u=%x", sep, i, e[i]);
		else
			rec_put(w, "%s%u%c%u=%x", sep, i, same ? '*' : '+', j - i, e[i]);
		if (refs != 1)
			rec_put(w, "/%u", refs);
		sep = ",";
		i = j;
	}
}

static void rec_grid(struct rec *w, const struct grid *g)
{
	static char chars[GRID_ENTRIES]; /* static: kernel stacks are one page */

	grid_chars(g, chars);
	rec_put(w, " grid=");
	rec_runs(w, chars, GRID_ENTRIES);
}

/* A table, once a snapshot however many directories share it. */
static void table_record(struct aspace *as, uint32_t pdx)
{
	pfn_t pfn = PTE_PFN(as->pd[pdx]);
	static struct grid g; /* static: kernel stacks are one page */
	struct rec w = { .n = 0 };

	for (uint32_t i = 0; i < r.ntables; i++)
		if (r.tables[i] == pfn)
			return;
	if (r.ntables == SNAP_TABLES_MAX) {
		r.left_out++;
		return;
	}
	r.tables[r.ntables++] = pfn;
	grid_of_pt(&g, as->pd, pdx);
	rec_put(&w, "@pt n=%u pfn=0x%x va=0x%08x refs=%u", r.snap, pfn, PGADDR(pdx, 0),
		page_refs(pfn));
	rec_grid(&w, &g);
	rec_put(&w, " e=");
	rec_entries(&w, page_address(pfn, KMAP_PEEK), NPTENTRIES, 1);
	rec_end(&w);
}

void report_space(const char *name, int pid, struct aspace *as)
{
	static struct grid g; /* static: kernel stacks are one page */
	struct rec w = { .n = 0 };

	if (!r.on || !as)
		return;
	grid_of_pd(&g, as->pd);
	rec_put(&w, "@pd n=%u pid=%d task=%s pfn=0x%x space=%u rss=%u", r.snap, pid, name, as->pd_pfn,
		as->id, as->rss);
	rec_grid(&w, &g);
	rec_put(&w, " e=");
	rec_entries(&w, as->pd, KERNEL_PDX, 0);
	rec_end(&w);
	for (uint32_t pdx = 0; pdx < KERNEL_PDX; pdx++)
		if ((as->pd[pdx] & PTE_P) && !(as->pd[pdx] & PTE_PS))
			table_record(as, pdx);
}

/* mem_map as runs of use characters, then the counters. */
void report_snapshot_end(void)
{
	struct rec w = { .n = 0 };
	const struct mm_counters *c = &mm_counters;

	if (!r.on)
		return;
	rec_put(&w, "@map n=%u pages=%u free=%u runs=", r.snap, pmm.max_pfn, pmm_free_pages());
	for (pfn_t pfn = 0; pfn < pmm.max_pfn;) {
		char ch = page_use_styles[pmm_page_use(pfn)].ch;
		pfn_t end = pfn + 1;
		while (end < pmm.max_pfn && page_use_styles[pmm_page_use(end)].ch == ch)
			end++;
		if (end - pfn > 1)
			rec_put(&w, "%c%u", ch, end - pfn);
		else
			rec_put(&w, "%c", ch);
		pfn = end;
	}
	rec_end(&w);
	rec_put(&w, "@counters n=%u", r.snap);
	for (int k = 0; k < FAULT_NKINDS; k++)
		rec_put(&w, " %s=%u", fault_kind_name(k), c->faults[k]);
	rec_put(&w, " table-copy=%u table-reuse=%u invlpg=%u cr3-reload=%u", c->table_copies,
		c->table_reuses, c->tlb_invlpg, c->tlb_full);
	rec_end(&w);
	kprintf_serial("@end n=%u tables=%u left_out=%u\n", r.snap, r.ntables, r.left_out);
}
