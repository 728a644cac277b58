/*
 * grid.c - a page directory or a page table as 32 x 32 entries, each
 * coloured by its state (uses.c's entry_styles), with the accessed and
 * dirty bits as marks. Row r of a directory's grid maps the 128 MiB from
 * r * 128 MiB; the kernel half (3 GiB up) is its last 8 rows. Row r of a
 * table's grid maps 32 pages, 128 KiB.
 */
#include "core/view/view.h"

#include <arch/mmu_ops.h>

#include "core/log.h"
#include "lib/fmt.h"
#include "lib/string.h"

static void grid_start(struct grid *g, int pd, uint32_t base, uint32_t span)
{
	memset(g, 0, sizeof *g);
	g->pd = pd;
	g->base = base;
	g->span = span;
}

static void grid_set(struct grid *g, unsigned i, enum entry_state st, uint32_t e)
{
	g->state[i] = (uint8_t)st;
	g->marks[i] = (uint8_t)(((e & PTE_P) && (e & PTE_A) ? GRID_MARK_A : 0) |
				((e & PTE_P) && (e & PTE_D) ? GRID_MARK_D : 0));
	g->count[st]++;
}

void grid_of_pd(struct grid *g, const pde_t *pd)
{
	grid_start(g, 1, 0, PTSPAN);
	for (unsigned i = 0; i < GRID_ENTRIES; i++)
		grid_set(g, i, entry_state_of_pde(i, pd[i]), pd[i]);
}

void grid_of_pt(struct grid *g, const pde_t *pd, uint32_t pdx)
{
	const pte_t *pt = page_address(PTE_PFN(pd[pdx]), KMAP_PEEK);

	grid_start(g, 0, PGADDR(pdx, 0), PGSIZE);
	g->shared = entry_state_of_pde(pdx, pd[pdx]) == ENTRY_TABLE_SHARED;
	for (unsigned i = 0; i < GRID_ENTRIES; i++)
		grid_set(g, i, entry_state_of_pte(pt[i]), pt[i]);
}

void grid_chars(const struct grid *g, char *out)
{
	for (unsigned i = 0; i < GRID_ENTRIES; i++)
		out[i] = entry_styles[g->state[i]].ch;
}

/* The states a grid of this kind can show, in legend order. */
static int state_fits(const struct grid *g, enum entry_state st)
{
	if (st == ENTRY_EMPTY || st == ENTRY_SWAP)
		return 1;
	int pde_state = st == ENTRY_KERNEL || st == ENTRY_TABLE || st == ENTRY_TABLE_SHARED;
	return g->pd ? pde_state : !pde_state;
}

void grid_print_text(const struct grid *g, int screen_too)
{
	static char chars[GRID_ENTRIES]; /* static: kernel stacks are one page */
	char row[GRID_SIDE + 1], line[160];
	unsigned n = 0;

	grid_chars(g, chars);
	view_say(screen_too, "%s grid: one character an entry, %u a row (%s each)",
		 g->pd ? "directory" : "table", GRID_SIDE, g->pd ? "4 MiB" : "4 KiB");
	for (unsigned r = 0; r < GRID_SIDE; r++) {
		memcpy(row, chars + r * GRID_SIDE, GRID_SIDE);
		row[GRID_SIDE] = 0;
		view_say(screen_too, "0x%08x %s", g->base + r * GRID_SIDE * g->span, row);
	}
	for (unsigned st = 0; st < ENTRY_NSTATES; st++)
		if (state_fits(g, st))
			n += (unsigned)fmt_snprintf(line + n, sizeof line - n, "%s%c %s %u",
						   n ? "   " : "", entry_styles[st].ch,
						   entry_styles[st].legend, g->count[st]);
	view_say(screen_too, "%s", line);
	if (g->shared)
		view_say(screen_too, "the table is shared by fork: every entry is read-only through "
			 "the write-protected PDE until a write un-shares it");
}
