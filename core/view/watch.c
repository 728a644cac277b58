/*
 * watch.c - the live strip (`watch on`): the top rows of the screen show
 * the map of physical memory and the fault counters, kept up to date
 * while scripts and the shell run, so a class sees memory fill, share
 * and empty as it happens.
 *
 * The fault path knows nothing of it. The strip is redrawn from the
 * timer interrupt (which arrives only while a task runs in ring 3 or the
 * CPU idles, never half-way through the kernel's work) and after each
 * playground command, at most WATCH_HZ times a second. Each redraw
 * measures itself: the next one waits at least COST_SHARE times as long
 * as it took, so on a big machine or a slow framebuffer the strip never
 * takes more than 1/COST_SHARE of the CPU. Only cells and characters
 * that changed are drawn (framebuffer writes may be slow bus cycles).
 */
#include "core/view/view.h"

#include <arch/cpu.h>
#include <arch/machine.h>
#include <arch/tsc.h>

#include "core/fbcon.h"
#include "core/kernel.h"
#include "core/log.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define WATCH_HZ 5
#define PERIOD_TICKS (TICK_HZ / WATCH_HZ)
#define COST_SHARE 20      /* a redraw may take 1/20 of the time, at most */
#define STRIP_MIN_ROWS 8
#define STRIP_MAX_ROWS 12
#define LINES 8            /* counter lines, at most: as many as the strip has room for */
#define LINE_MAX 96
#define LEGEND_WIDTH 16    /* swatch, space, a one-word name */
#define MAP_CELL_MAX 8
#define MAP_CELLS_MAX 32768u
#define TEXT_RGB 0xaaaaaa
#define BG_RGB 0x000000
#define RULE_RGB 0x606060

static struct {
	int on;
	unsigned rows;             /* the strip's rows while on */
	unsigned text_col, cols;   /* where the counters go, and how wide */
	unsigned lines;            /* counter lines that fit above the legend */
	struct map_fit fit;
	int have_map;
	uint32_t pixels[PAGE_NUSES];
	uint32_t next_tick;        /* no redraw before this tick */
	uint64_t last_cost;        /* TSC cycles of the last redraw */
	uint64_t since, spent;     /* TSC at watch on; cycles spent redrawing since */
	uint32_t redraws;
	char shown[LINES][LINE_MAX];
} w;

static uint8_t shadow[MAP_CELLS_MAX]; /* the use each map cell shows */

int watch_is_on(void)
{
	return w.on;
}

unsigned watch_rows(void)
{
	return w.on ? w.rows : 0;
}

/* Append "name count" to the counter lines, starting a new line when
 * this one would pass the strip's width. */
static void put_counter(char lines[LINES][LINE_MAX], unsigned *l, const char *name, uint32_t n)
{
	char item[40];
	unsigned len = (unsigned)fmt_snprintf(item, sizeof item, "%s %u", name, n);
	unsigned have = (unsigned)strlen(lines[*l]);

	if (have && have + 2 + len > MIN(w.cols, (unsigned)LINE_MAX - 1) && *l + 1 < w.lines)
		have = (unsigned)strlen(lines[++*l]);
	if (have + 2 + len < LINE_MAX)
		fmt_snprintf(lines[*l] + have, LINE_MAX - have, "%s%s", have ? "  " : "", item);
}

/* Counter lines: free memory, then every fault kind (the kinds a later
 * kernel adds too), the page-table events and the TLB's. */
static void compose(char lines[LINES][LINE_MAX])
{
	const struct mm_counters *c = &mm_counters;
	uint32_t khz = boot_info ? boot_info->tsc_khz : 0;
	unsigned l = 1;

	memset(lines, 0, LINES * LINE_MAX);
	fmt_snprintf(lines[0], LINE_MAX, "free %u of %u pages, zero page x%u", pmm_free_pages(),
		     pmm.total, page_refs(pmm.zero_pfn) - 1);
	for (int k = 0; k < FAULT_NKINDS; k++)
		put_counter(lines, &l, fault_kind_name(k), c->faults[k]);
	put_counter(lines, &l, "table-copy", c->table_copies);
	put_counter(lines, &l, "table-reuse", c->table_reuses);
	put_counter(lines, &l, "invlpg", c->tlb_invlpg);
	put_counter(lines, &l, "cr3-reload", c->tlb_full);
	put_counter(lines, &l, "redraw us", khz ? (uint32_t)(w.last_cost * 1000 / khz) : 0);
}

/* Draw the characters of each line that changed since the last redraw. */
static void draw_lines(void)
{
	char lines[LINES][LINE_MAX], one[2] = { 0, 0 };
	uint32_t fg = fbcon_rgb(TEXT_RGB), bg = fbcon_rgb(BG_RGB);

	compose(lines);
	for (unsigned l = 0; l < w.lines; l++) {
		unsigned len = (unsigned)strlen(lines[l]);
		for (unsigned i = 0; i < w.cols && i < LINE_MAX - 1; i++) {
			char want = i < len ? lines[l][i] : ' ';
			char have = w.shown[l][i] ? w.shown[l][i] : ' ';
			if (want == have)
				continue;
			one[0] = want;
			fbcon_text_at(w.text_col + i, 1 + l, one, fg, bg);
			w.shown[l][i] = want;
		}
	}
}

static void redraw(void)
{
	uint64_t start = rdtsc();

	if (w.have_map)
		map_draw(&w.fit, w.pixels, shadow);
	draw_lines();
	w.last_cost = rdtsc() - start;
	w.spent += w.last_cost;
	w.redraws++;
	uint32_t khz = boot_info ? boot_info->tsc_khz : 0;
	uint32_t cost_ticks = khz ? (uint32_t)(w.last_cost * COST_SHARE / (khz * (1000 / TICK_HZ))) : 0;
	w.next_tick = ticks + MAX((uint32_t)PERIOD_TICKS, cost_ticks);
}

/* Lay the strip out and draw it whole: titles, the rule, the legend. */
static int open_strip(void)
{
	struct fbcon_geometry g;
	char title[80], size[16];

	if (!fbcon_geometry(&g))
		return 0;
	w.rows = MIN(MAX(g.rows / 4, (unsigned)STRIP_MIN_ROWS), (unsigned)STRIP_MAX_ROWS);
	fbcon_layout(w.rows, 0);
	fbcon_geometry(&g);
	if (g.strip_rows != w.rows)
		return 0;
	fbcon_fill(0, 0, g.cols * g.cell_w, w.rows * g.cell_h, fbcon_rgb(BG_RGB));
	fbcon_fill(0, w.rows * g.cell_h - 2, g.cols * g.cell_w, 1, fbcon_rgb(RULE_RGB));
	unsigned half = g.cols / 2;
	w.text_col = half + 1;
	w.cols = g.cols - w.text_col - 1;
	w.have_map = map_fit(&w.fit, g.cell_w, g.cell_h, (half - 2) * g.cell_w,
			     (w.rows - 2) * g.cell_h, MAP_CELL_MAX, MAP_CELLS_MAX);
	view_use_pixels(w.pixels);
	memset(shadow, 0xFF, sizeof shadow); /* no cell drawn yet */
	memset(w.shown, 0, sizeof w.shown);
	if (w.have_map)
		fmt_snprintf(title, sizeof title, "live: memory, %u page%s (%s) a cell",
			     1u << w.fit.shift, w.fit.shift ? "s" : "",
			     view_size(w.fit.shift, size, sizeof size));
	else
		fmt_snprintf(title, sizeof title, "live: the screen is too small for the map");
	fbcon_text_at(1, 0, title, fbcon_rgb(TEXT_RGB), fbcon_rgb(BG_RGB));
	fbcon_text_at(w.text_col, 0, "counters since boot (watch off: hide)", fbcon_rgb(TEXT_RGB),
		      fbcon_rgb(BG_RGB));
	unsigned per_row = w.cols / LEGEND_WIDTH ? w.cols / LEGEND_WIDTH : 1;
	unsigned legend_rows = (PAGE_NUSES + per_row - 1) / per_row;
	w.lines = MIN((unsigned)LINES, w.rows > legend_rows + 2 ? w.rows - legend_rows - 1 : 1);
	view_legend(w.text_col, 1 + w.lines, w.cols, LEGEND_WIDTH, page_use_styles, NULL,
		    PAGE_NUSES, NULL);
	if (w.have_map)
		kprintf_serial("view: watch map at x=%u y=%u cell=%u cols=%u rows=%u "
			       "pages_per_cell=%u\n", w.fit.x, w.fit.y, w.fit.cell, w.fit.cols,
			       w.fit.rows, 1u << w.fit.shift);
	return 1;
}

void watch_set(int on)
{
	if (!fbcon_active() || !on == !w.on)
		return;
	view_clear(); /* the pane's rows change: its picture goes */
	w.on = 0;
	if (!on) {
		fbcon_layout(0, 0);
		return;
	}
	if (!open_strip()) {
		fbcon_layout(0, 0);
		return;
	}
	w.on = 1;
	w.since = rdtsc();
	w.spent = 0;
	w.redraws = 0;
	redraw();
}

int watch_cost(struct watch_cost *c)
{
	uint32_t khz = boot_info ? boot_info->tsc_khz : 0;
	uint64_t total = rdtsc() - w.since;

	if (!w.on || !khz)
		return 0;
	c->redraws = w.redraws;
	c->spent_us = (uint32_t)(w.spent * 1000 / khz);
	c->total_ms = (uint32_t)(total / khz);
	c->permille = total ? (uint32_t)(w.spent * 1000 / total) : 0;
	return 1;
}

void watch_poke(void)
{
	if (w.on && (int32_t)(ticks - w.next_tick) >= 0)
		redraw();
}

void watch_tick(void)
{
	if (w.on && (int32_t)(ticks - w.next_tick) >= 0)
		redraw();
}
