/*
 * map.c - physical memory as a grid of cells: every page of mem_map, in
 * address order, coloured by its use (pmm_page_use()).
 *
 * When there are more pages than cells (a big machine, a small screen, a
 * line of characters), a cell stands for 2^k pages, and shows the use of
 * highest rank among them (mm.h's order: free lowest). So one user page
 * in a cell of free pages shows, and a cell is free only when all its
 * pages are. The counts beside the picture are always per page.
 */
#include "core/view/view.h"

#include "core/fbcon.h"
#include "core/log.h"
#include "lib/fmt.h"

/* The text picture: 64 characters a row, at most 32 rows. */
#define TEXT_COLS 64
#define TEXT_CELLS_MAX (TEXT_COLS * 32)
#define LEGEND_PER_LINE 4
#define MIN_CELL 2       /* pixels: smaller cannot be told apart */
#define GAP_FROM 5       /* cells this big get a 1-pixel gap around them */
#define ROW_MULTIPLE 16  /* cells a row come in 16s: rows start at round addresses */

void map_count(struct map_counts *c)
{
	for (unsigned u = 0; u < PAGE_NUSES; u++)
		c->pages[u] = 0;
	for (pfn_t pfn = 0; pfn < pmm.max_pfn; pfn++)
		c->pages[pmm_page_use(pfn)]++;
}

enum page_use map_cell_use(pfn_t first, unsigned shift)
{
	pfn_t end = first + (1u << shift);
	enum page_use best = PAGE_USE_FREE;

	for (pfn_t pfn = first; pfn < end && pfn < pmm.max_pfn; pfn++) {
		enum page_use u = pmm_page_use(pfn);
		if (u > best)
			best = u;
	}
	return best;
}

/* The legend with counts, LEGEND_PER_LINE uses a line. */
static void print_legend(const struct map_counts *c, int screen_too)
{
	char line[160];
	unsigned n = 0, on_line = 0;

	for (unsigned u = 0; u < PAGE_NUSES; u++) {
		const struct view_style *st = &page_use_styles[u];
		n += (unsigned)fmt_snprintf(line + n, sizeof line - n, "%s%c %s %u",
					   on_line ? "   " : "", st->ch, st->legend, c->pages[u]);
		if (++on_line == LEGEND_PER_LINE || u + 1 == PAGE_NUSES) {
			view_say(screen_too, "%s", line);
			n = on_line = 0;
		}
	}
}

void map_print_text(int screen_too)
{
	unsigned shift = 0;
	struct map_counts c;
	char size[16], row[TEXT_COLS + 1];

	while ((pmm.max_pfn + (1u << shift) - 1) >> shift > TEXT_CELLS_MAX)
		shift++;
	uint32_t cells = (pmm.max_pfn + (1u << shift) - 1) >> shift;
	map_count(&c);
	view_say(screen_too, "map of physical memory: %u pages, %u page%s (%s) a character, %u a "
		 "row", pmm.max_pfn, 1u << shift, shift ? "s" : "", view_size(shift, size, sizeof size),
		 TEXT_COLS);
	for (uint32_t at = 0; at < cells; at += TEXT_COLS) {
		unsigned n = 0;
		for (; n < TEXT_COLS && at + n < cells; n++)
			row[n] = page_use_styles[map_cell_use((at + n) << shift, shift)].ch;
		row[n] = 0;
		view_say(screen_too, "0x%08x %s", PFN_TO_PADDR(at << shift), row);
	}
	print_legend(&c, screen_too);
	if (shift)
		view_say(screen_too, "(a character shows the use of highest rank among its pages, "
			 "in the legend's order: the last wins)");
}

int map_fit(struct map_fit *f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
	    unsigned max_cell, uint32_t max_cells)
{
	for (unsigned shift = 0; shift < 20; shift++) {
		uint32_t cells = (pmm.max_pfn + (1u << shift) - 1) >> shift;
		if (cells > max_cells)
			continue;
		for (unsigned cell = max_cell; cell >= MIN_CELL; cell--) {
			uint32_t cols = w / cell / ROW_MULTIPLE * ROW_MULTIPLE;
			if (!cols)
				continue;
			uint32_t rows = (cells + cols - 1) / cols;
			if (rows * cell > h)
				continue;
			if (cols > cells) /* one row: no wider than the cells */
				cols = cells;
			*f = (struct map_fit){ x, y, cell, cols, rows, shift, cells };
			return 1;
		}
	}
	return 0;
}

void map_draw(const struct map_fit *f, const uint32_t *pixels, uint8_t *shadow)
{
	unsigned side = f->cell >= GAP_FROM ? f->cell - 1 : f->cell;

	for (uint32_t i = 0; i < f->cells; i++) {
		enum page_use u = map_cell_use(i << f->shift, f->shift);
		if (shadow) {
			if (shadow[i] == u)
				continue;
			shadow[i] = (uint8_t)u;
		}
		fbcon_fill(f->x + i % f->cols * f->cell, f->y + i / f->cols * f->cell, side, side,
			   pixels[u]);
	}
}
