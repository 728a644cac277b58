/*
 * view.h - pictures of memory, on the screen and in characters.
 *
 * The playground's show commands print what the MMU and the memory
 * manager see as text; these files draw the same as pictures:
 *
 *   uses.c   the tables: a colour, a legend and a character for each use
 *            of a physical page (mm.h's enum page_use) and each state of
 *            a directory or table entry. A new use is one row here.
 *   map.c    physical memory as a grid of cells, one per page or per 2^k
 *   grid.c   a page directory or a page table as 32x32 entries
 *   pane.c   the picture pane beside the text, with its title and legend
 *   watch.c  the live strip at the top: the map and the fault counters,
 *            redrawn at a bounded rate while scripts and the shell run
 *
 * On the screen a picture is drawn in pixels (core/fbcon.c lends the
 * space); on every other console (serial) the same picture is printed
 * with one character a cell. Without a screen, or on one too small for
 * the picture, the characters go to every console.
 *
 * Context: the playground's task (show, watch), and watch_tick() from the
 * timer interrupt, which only arrives in ring 3 or in the idle loop, so
 * it never finds the kernel half-way through a change.
 */
#ifndef CORE_VIEW_VIEW_H
#define CORE_VIEW_VIEW_H

#include <stdint.h>

#include "core/mm/mm.h"

/* How one use (or one entry state) looks: a word (the report's key), the
 * legend's words, a colour 0xRRGGBB, and the character of the text
 * pictures (unique within its table, never a digit). */
#define LEGEND_MAX 14 /* characters of a legend */

struct view_style {
	const char *name;
	const char *legend;
	uint32_t rgb;
	char ch;
};

extern const struct view_style page_use_styles[PAGE_NUSES];

/*
 * The states a directory or table entry is drawn in. A/D (accessed,
 * dirty) are marks on top of the colour, not states: see grid.c.
 */
enum entry_state {
	ENTRY_EMPTY,        /* not present, zero */
	ENTRY_SWAP,         /* not present, not zero: a swap entry */
	ENTRY_KERNEL,       /* a PDE of the kernel half: 4 MiB supervisor pages */
	ENTRY_TABLE,        /* a PDE to a page table of this space alone */
	ENTRY_TABLE_SHARED, /* a PDE to a table shared by fork (write-protected) */
	ENTRY_READ_ONLY,    /* a PTE, present, read-only, the page held once */
	ENTRY_WRITABLE,     /* a PTE, present, writable */
	ENTRY_ZERO,         /* a PTE to the shared zero page */
	ENTRY_COW,          /* a PTE, read-only, to a page of count > 1 */
	ENTRY_NSTATES
};

extern const struct view_style entry_styles[ENTRY_NSTATES];

/* The state of directory entry pdx, and of a table entry. */
enum entry_state entry_state_of_pde(uint32_t pdx, pde_t pde);
enum entry_state entry_state_of_pte(pte_t pte);

/* Checks the tables (every row filled, characters unique): the number of
 * problems, each printed. The boot suite runs it. */
unsigned view_check_styles(void);

/* A line of a text picture, indented as the playground's output: to
 * every sink but the screen, or to all when screen_too. */
void view_say(int screen_too, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "4 KiB", "128 KiB", "4 MiB": the size of 2^shift pages. */
const char *view_size(unsigned shift, char *buf, unsigned size);

/* ------------------------------------------------------------ map.c */

/* Pages of each use, one pass over mem_map. */
struct map_counts {
	uint32_t pages[PAGE_NUSES];
};
void map_count(struct map_counts *c);

/* The use a cell of 2^shift pages from pfn first shows: the highest rank
 * among its pages (mm.h). The last cell may have fewer pages. */
enum page_use map_cell_use(pfn_t first, unsigned shift);

/* Where a map goes on the screen: cells of `cell` pixels (a 1-pixel gap
 * included from 5 up), `cols` a row, each for 2^shift pages. */
struct map_fit {
	uint32_t x, y;   /* the top-left cell, in pixels */
	unsigned cell, cols, rows, shift;
	uint32_t cells;
};
/* The biggest cells (at most max_cell pixels, at least 2) for the fewest
 * pages a cell (at most max_cells cells) that fit in w x h pixels at
 * (x, y). 1, or 0 when not even that fits. */
int map_fit(struct map_fit *f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
	    unsigned max_cell, uint32_t max_cells);
/* Draw the cells whose use differs from shadow[] (and update it; all
 * cells when shadow is NULL). The pixel of each use is given. */
void map_draw(const struct map_fit *f, const uint32_t *pixels, uint8_t *shadow);

/* The map in characters: a header, rows of 64 cells with their physical
 * address, a legend with the counts. To every sink but the screen, or,
 * when screen_too, to all. */
void map_print_text(int screen_too);

/* ----------------------------------------------------------- grid.c */

#define GRID_SIDE 32 /* 32 x 32 = 1024 entries: one table or directory */
#define GRID_ENTRIES (GRID_SIDE * GRID_SIDE)
#define GRID_MARK_A 0x1u /* accessed */
#define GRID_MARK_D 0x2u /* dirty */

/* A directory or a table, entry by entry, as the grid draws it. */
struct grid {
	uint8_t state[GRID_ENTRIES]; /* enum entry_state */
	uint8_t marks[GRID_ENTRIES]; /* GRID_MARK_* */
	uint32_t base;               /* the address entry 0 maps */
	uint32_t span;               /* the bytes each entry maps */
	int pd;                      /* a directory (else a table) */
	int shared;                  /* a table shared by fork */
	uint32_t count[ENTRY_NSTATES];
};

/* Fill g from a page directory, or from the table of pd's entry pdx
 * (which must be present and not a 4 MiB page). */
void grid_of_pd(struct grid *g, const pde_t *pd);
void grid_of_pt(struct grid *g, const pde_t *pd, uint32_t pdx);

/* The grid in characters, 32 a row with the address of each row, and its
 * legend; to the sinks map_print_text() would use. */
void grid_print_text(const struct grid *g, int screen_too);

/* The 1024 characters of g (no NUL), for the report. */
void grid_chars(const struct grid *g, char *out);

/* ----------------------------------------------------------- pane.c */

/* Draw on the screen's pane, beside the text: the map of physical
 * memory, or a grid under a title. 1 when drawn, 0 when there is no
 * screen or it is too small (the caller then prints the characters to
 * every sink). The pane stays until view_clear() or the next picture. */
int view_show_map(void);
int view_show_grid(const struct grid *g, const char *title);
/* Give the pane back to the text. */
void view_clear(void);
/* A legend of n styles with counts (counts may be NULL) from text row
 * `row`, in columns of `width` cells; the rows it took. Pane and strip. */
unsigned view_legend(unsigned col, unsigned row, unsigned cols, unsigned width,
		     const struct view_style *styles, const uint8_t *which, unsigned n,
		     const uint32_t *counts);
/* The pixel of each page use on this screen. */
void view_use_pixels(uint32_t *pixels);

/* watch.c, for the pane: the rows the strip takes (0 when off). */
unsigned watch_rows(void);

/* ---------------------------------------------------------- watch.c */

/* The live strip: on (1) or off (0). Turning it on or off clears the
 * pane (its rows change). Nothing without a screen. */
void watch_set(int on);
int watch_is_on(void);
/* Redraw the strip now if it is on (after each playground command; the
 * rate bound still holds: a redraw too soon is left to the timer). */
void watch_poke(void);
/* From the timer interrupt, every tick. */
void watch_tick(void);
/* What the strip has cost since watch on: redraws, the time they took,
 * the time since, and the share (in thousandths). 0 when off. */
struct watch_cost {
	uint32_t redraws, spent_us, total_ms, permille;
};
int watch_cost(struct watch_cost *c);

#endif
