/*
 * pane.c - the picture pane: the right half of the screen, below the
 * watch strip, beside the text. A show command draws its picture here
 * and the text scrolls on the left; the picture is the state at the time
 * of the command (the strip, when on, is the live one). It stays until
 * the next picture, `show clear`, or the end of the session.
 *
 * Every picture has a title on its first rows, the picture, and its
 * legend with counts at the bottom, all on the text grid, so that a
 * screendump reads the words back as fbcon's own text. Tests find the
 * cells through a "view:" line on serial giving their pixel geometry
 * (docs/serial-log.md).
 */
#include "core/view/view.h"

#include "core/fbcon.h"
#include "core/kernel.h"
#include "core/log.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define PANE_MIN_COLS 36   /* narrower and a legend line no longer fits */
#define PANE_MIN_ROWS 16
#define LABEL_COLS 11      /* "0x12345678 " beside the rows */
#define LEGEND_WIDTH 24    /* cells an entry of the legend takes */
#define TITLE_ROWS 3       /* two lines and a blank */
#define BG_RGB 0x000000
#define TEXT_RGB 0xaaaaaa  /* fbcon's own grey: the reader's font matches */
#define MARK_RGB 0x000000
#define MAP_CELL_MAX 12
#define MAP_CELLS_MAX 65536u

struct pane {
	unsigned col, row, cols, rows; /* in text cells */
	unsigned cw, ch;               /* a text cell, in pixels */
};

static int pane_open; /* a picture is up */

/* Lay the screen out for a picture and clear the pane. 0 when there is
 * no screen, or the pane would be too small for a picture. */
static int open_pane(struct pane *p)
{
	struct fbcon_geometry g;

	if (!fbcon_geometry(&g) || g.cols / 2 < PANE_MIN_COLS)
		return 0;
	fbcon_layout(watch_rows(), g.cols / 2);
	fbcon_geometry(&g);
	if (g.pane_cols < PANE_MIN_COLS || g.rows - g.strip_rows < PANE_MIN_ROWS) {
		view_clear();
		return 0;
	}
	*p = (struct pane){ g.cols - g.pane_cols + 1, g.strip_rows, g.pane_cols - 1,
			    g.rows - g.strip_rows, g.cell_w, g.cell_h };
	/* One column of margin between the text and the picture. */
	fbcon_fill((p->col - 1) * p->cw, p->row * p->ch, (p->cols + 1) * p->cw, p->rows * p->ch,
		   fbcon_rgb(BG_RGB));
	pane_open = 1;
	return 1;
}

void view_clear(void)
{
	if (pane_open || fbcon_active())
		fbcon_layout(watch_rows(), 0);
	pane_open = 0;
}

static void say_at(const struct pane *p, unsigned row, const char *s)
{
	fbcon_text_at(p->col, p->row + row, s, fbcon_rgb(TEXT_RGB), fbcon_rgb(BG_RGB));
}

void view_use_pixels(uint32_t *pixels)
{
	for (unsigned u = 0; u < PAGE_NUSES; u++)
		pixels[u] = fbcon_rgb(page_use_styles[u].rgb);
}

unsigned view_legend(unsigned col, unsigned row, unsigned cols, unsigned width,
		     const struct view_style *styles, const uint8_t *which, unsigned n,
		     const uint32_t *counts)
{
	struct fbcon_geometry g;
	unsigned per_row = cols / width ? cols / width : 1, at = 0;
	char text[48];

	fbcon_geometry(&g);
	for (unsigned i = 0; i < n; i++) {
		const struct view_style *st = &styles[which ? which[i] : i];
		unsigned c = col + at % per_row * width, r = row + at / per_row;
		uint32_t inset = g.cell_h / 8;
		fbcon_fill(c * g.cell_w + inset / 2, r * g.cell_h + inset, g.cell_w - inset,
			   g.cell_h - 2 * inset, fbcon_rgb(st->rgb));
		if (counts)
			fmt_snprintf(text, sizeof text, "%s %u", st->legend, counts[which ? which[i] : i]);
		else
			fmt_snprintf(text, sizeof text, "%s", st->legend);
		text[width > 2 ? width - 2 : 0] = 0;
		fbcon_text_at(c + 1, r, " ", fbcon_rgb(TEXT_RGB), fbcon_rgb(BG_RGB));
		fbcon_text_at(c + 2, r, text, fbcon_rgb(TEXT_RGB), fbcon_rgb(BG_RGB));
		at++;
	}
	return (n + per_row - 1) / per_row;
}

/* Address labels beside a picture's rows: on every other text row, the
 * address of the picture row level with the text's top (the first row,
 * on the first text row). */
static void row_labels(const struct pane *p, unsigned first_row, unsigned nrows,
		       uint32_t top_y, unsigned cell, unsigned grid_rows, uint32_t base,
		       uint32_t row_bytes)
{
	char label[16];

	for (unsigned t = 0; t < nrows; t += 2) {
		uint32_t y = (p->row + first_row + t) * p->ch;
		uint32_t g = y > top_y ? (y - top_y) / cell : 0;
		if (g >= grid_rows)
			continue;
		fmt_snprintf(label, sizeof label, "0x%08x", base + g * row_bytes);
		say_at(p, first_row + t, label);
	}
}

/* How many legend rows n entries take in this pane. */
static unsigned legend_rows(const struct pane *p, unsigned n)
{
	unsigned per_row = p->cols / LEGEND_WIDTH ? p->cols / LEGEND_WIDTH : 1;

	return (n + per_row - 1) / per_row;
}

int view_show_map(void)
{
	struct pane p;
	struct map_fit f;
	struct map_counts c;
	uint32_t pixels[PAGE_NUSES];
	char line[96], size[16];

	if (!open_pane(&p))
		return 0;
	unsigned legend_at = p.rows - legend_rows(&p, PAGE_NUSES);
	uint32_t x = (p.col + LABEL_COLS) * p.cw, y = (p.row + TITLE_ROWS) * p.ch;
	if (legend_at < TITLE_ROWS + 2 ||
	    !map_fit(&f, x, y, (p.cols - LABEL_COLS) * p.cw, (legend_at - 1 - TITLE_ROWS) * p.ch,
		     MAP_CELL_MAX, MAP_CELLS_MAX)) {
		view_clear();
		return 0;
	}
	map_count(&c);
	view_use_pixels(pixels);
	fmt_snprintf(line, sizeof line, "physical memory: %u pages", pmm.max_pfn);
	say_at(&p, 0, line);
	fmt_snprintf(line, sizeof line, "%u page%s (%s) a cell, %u a row", 1u << f.shift,
		     f.shift ? "s" : "", view_size(f.shift, size, sizeof size), f.cols);
	say_at(&p, 1, line);
	map_draw(&f, pixels, NULL);
	row_labels(&p, TITLE_ROWS, legend_at - 1 - TITLE_ROWS, f.y, f.cell, f.rows, 0,
		   PFN_TO_PADDR(f.cols << f.shift));
	view_legend(p.col, p.row + legend_at, p.cols, LEGEND_WIDTH, page_use_styles, NULL,
		    PAGE_NUSES, c.pages);
	kprintf_serial("view: map on screen at x=%u y=%u cell=%u cols=%u rows=%u pages_per_cell=%u\n",
		       f.x, f.y, f.cell, f.cols, f.rows, 1u << f.shift);
	return 1;
}

/* The states a grid of this kind can show (for its legend). */
static unsigned grid_states(const struct grid *g, uint8_t *which)
{
	static const uint8_t pd_states[] = { ENTRY_EMPTY, ENTRY_TABLE, ENTRY_TABLE_SHARED,
					     ENTRY_KERNEL, ENTRY_SWAP };
	static const uint8_t pt_states[] = { ENTRY_EMPTY, ENTRY_WRITABLE, ENTRY_READ_ONLY,
					     ENTRY_COW, ENTRY_ZERO, ENTRY_SWAP };
	const uint8_t *s = g->pd ? pd_states : pt_states;
	unsigned n = g->pd ? sizeof pd_states : sizeof pt_states;

	memcpy(which, s, n);
	return n;
}

/* One entry: its colour, then A (top left) and D (bottom right) marks. */
static void draw_entry(const struct grid *g, unsigned i, uint32_t x, uint32_t y, unsigned cell)
{
	unsigned side = cell - 1, mark = cell / 4 ? cell / 4 : 1;

	fbcon_fill(x, y, side, side, fbcon_rgb(entry_styles[g->state[i]].rgb));
	if (g->marks[i] & GRID_MARK_A)
		fbcon_fill(x + 1, y + 1, mark, mark, fbcon_rgb(MARK_RGB));
	if (g->marks[i] & GRID_MARK_D)
		fbcon_fill(x + side - 1 - mark, y + side - 1 - mark, mark, mark, fbcon_rgb(MARK_RGB));
}

#define FRAME 2 /* pixels of the frame of a shared table */

int view_show_grid(const struct grid *g, const char *title)
{
	struct pane p;
	uint8_t which[ENTRY_NSTATES];
	unsigned n = grid_states(g, which);

	if (!open_pane(&p))
		return 0;
	unsigned legend_at = p.rows - legend_rows(&p, n) - g->shared;
	uint32_t w = (p.cols - LABEL_COLS) * p.cw - 2 * FRAME;
	uint32_t h = (legend_at - 1 - TITLE_ROWS) * p.ch - 2 * FRAME;
	unsigned cell = MIN(w, h) / GRID_SIDE;
	if (legend_at < TITLE_ROWS + 2 || cell < 4) {
		view_clear();
		return 0;
	}
	uint32_t x = (p.col + LABEL_COLS) * p.cw + FRAME, y = (p.row + TITLE_ROWS) * p.ch + FRAME;
	say_at(&p, 0, title);
	say_at(&p, 1, g->pd ? "an entry maps 4 MiB; the last 8 rows: the kernel half"
			    : "an entry maps 4 KiB; marks: A top left, D bottom right");
	if (g->shared)
		fbcon_fill(x - FRAME, y - FRAME, GRID_SIDE * cell + 2 * FRAME - 1,
			   GRID_SIDE * cell + 2 * FRAME - 1,
			   fbcon_rgb(entry_styles[ENTRY_TABLE_SHARED].rgb));
	for (unsigned i = 0; i < GRID_ENTRIES; i++)
		draw_entry(g, i, x + i % GRID_SIDE * cell, y + i / GRID_SIDE * cell, cell);
	row_labels(&p, TITLE_ROWS, legend_at - 1 - TITLE_ROWS, y, cell, GRID_SIDE, g->base,
		   GRID_SIDE * g->span);
	unsigned used = view_legend(p.col, p.row + legend_at, p.cols, LEGEND_WIDTH, entry_styles,
				    which, n, g->count);
	if (g->shared)
		say_at(&p, legend_at + used, "the frame: a table shared by fork");
	kprintf_serial("view: grid on screen at x=%u y=%u cell=%u\n", x, y, cell);
	return 1;
}
