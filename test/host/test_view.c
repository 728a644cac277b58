/*
 * test_view.c - the pictures (core/view) on the real screen console
 * (core/fbcon.c), drawn into framebuffers of the sizes and pixel formats
 * PCs have: 800x600 to 3840x2160, scan lines longer than the width,
 * RGBX, BGRX and bit-mask pixels (10-bit channels included), over the
 * simulated machine's mem_map. Each picture is read back pixel by pixel:
 * every map cell has the colour of its pages' use, every grid entry the
 * colour of its state; nothing is drawn in the text's columns, past the
 * width, or past the framebuffer; the text leaves the pictures alone and
 * gets its columns back after show clear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arch/machine.h>
#include <arch/mmu_ops.h>

#include "core/fbcon.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/mm/mm.h"
#include "core/view/view.h"
#include "lib/fmt.h"
#include "test/host/sim/sim.h"

#define PAGES 4096 /* 16 MiB: a map of one page a cell everywhere */
#define LOW 2048
#define BASE 0x10000000u
#define SENTINEL 0x5A5A5A5Au

/* What the kernel provides and the test stands in for. */
volatile uint32_t ticks;
const struct bootinfo *boot_info;
static uint32_t *fb_mem;
static size_t fb_bytes;
static char serial[65536]; /* what kprintf_serial() wrote */
static size_t serial_len;

void *paging_map_framebuffer(uint64_t base, uint64_t size)
{
	(void)base;
	return size == fb_bytes ? fb_mem : NULL;
}

void kprintf_serial(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(serial + serial_len, sizeof serial - serial_len, fmt, ap);
	va_end(ap);
	if (n > 0 && serial_len + (size_t)n < sizeof serial)
		serial_len += (size_t)n;
}

struct screen {
	uint32_t width, height, stride;
	uint32_t format;
	uint32_t masks[3]; /* for BI_FB_BITMASK */
};

static struct bi_framebuffer fb;
static struct log_sink *sink;

/* A framebuffer of this kind, every pixel a sentinel, and fbcon on it. */
static void screen_up(const struct screen *s)
{
	fb_bytes = (size_t)s->stride * s->height * 4;
	free(fb_mem);
	fb_mem = malloc(fb_bytes); /* exact: ASan catches a write past the end */
	for (size_t i = 0; i < fb_bytes / 4; i++)
		fb_mem[i] = SENTINEL;
	fb = (struct bi_framebuffer){ .base = 0x80000000u, .size = fb_bytes, .width = s->width,
				      .height = s->height, .stride = s->stride, .format = s->format,
				      .red_mask = s->masks[0], .green_mask = s->masks[1],
				      .blue_mask = s->masks[2] };
	sink = fbcon_init(&fb);
	assert_non_null(sink);
	serial_len = 0;
	serial[0] = 0;
}

/* One channel of a pixel back to 8 bits. */
static uint8_t channel(uint32_t px, uint32_t mask)
{
	unsigned shift = (unsigned)__builtin_ctz(mask), width = 0;

	for (uint32_t m = mask >> shift; m & 1; m >>= 1)
		width++;
	uint32_t v = (px & mask) >> shift;
	return (uint8_t)(width >= 8 ? v >> (width - 8) : v << (8 - width));
}

static uint32_t rgb_at(uint32_t x, uint32_t y)
{
	uint32_t px = fb_mem[y * fb.stride + x];
	uint32_t r = 0x000000FFu, g = 0x0000FF00u, b = 0x00FF0000u; /* RGBX */

	if (fb.format == BI_FB_BGRX)
		r = 0x00FF0000u, b = 0x000000FFu;
	else if (fb.format == BI_FB_BITMASK)
		r = fb.red_mask, g = fb.green_mask, b = fb.blue_mask;
	return (uint32_t)channel(px, r) << 16 | (uint32_t)channel(px, g) << 8 | channel(px, b);
}

/* A colour as this screen stores it and reads back (a 6-bit channel
 * loses low bits). */
static uint32_t stored(uint32_t rgb)
{
	uint32_t saved = fb_mem[0], got;

	fb_mem[0] = fbcon_rgb(rgb);
	got = rgb_at(0, 0);
	fb_mem[0] = saved;
	return got;
}

/* Last "view: <what> at x=.. y=.. cell=.. [cols=.. rows=.. pages_per_cell=..]". */
static int geometry(const char *what, unsigned *x, unsigned *y, unsigned *cell, unsigned *cols,
		    unsigned *rows, unsigned *per)
{
	char key[48];
	const char *at = NULL, *p = serial;

	snprintf(key, sizeof key, "view: %s", what);
	while ((p = strstr(p, key)))
		at = p++;
	if (!at)
		return 0;
	*cols = *rows = 0;
	*per = 1;
	at = strstr(at, "at x=");
	return sscanf(at, "at x=%u y=%u cell=%u cols=%u rows=%u pages_per_cell=%u", x, y, cell,
		      cols, rows, per) >= 3;
}

/* The text's columns, in pixels: pictures keep out of them. */
static uint32_t text_right(void)
{
	struct fbcon_geometry g;

	fbcon_geometry(&g);
	return (g.cols - g.pane_cols) * g.cell_w;
}

static void check_map(const char *what, int in_pane)
{
	unsigned x, y, cell, cols, rows, per;
	uint32_t bad = 0;

	assert_true(geometry(what, &x, &y, &cell, &cols, &rows, &per));
	assert_true(cell >= 2 && cols >= 16);
	uint32_t cells = (pmm.max_pfn + per - 1) / per;
	assert_true(rows == (cells + cols - 1) / cols);
	assert_true(x + cols * cell <= fb.width && y + rows * cell <= fb.height);
	if (in_pane)
		assert_true(x >= text_right());
	for (uint32_t i = 0; i < cells; i++) {
		uint32_t want = stored(page_use_styles[map_cell_use(i * per, __builtin_ctz(per))].rgb);
		bad += rgb_at(x + i % cols * cell, y + i / cols * cell) != want;
	}
	assert_int_equal(bad, 0);
}

static void check_grid(const struct grid *g)
{
	unsigned x, y, cell, cols, rows, per;

	assert_true(geometry("grid", &x, &y, &cell, &cols, &rows, &per));
	assert_true(cell >= 4 && x >= text_right());
	assert_true(x + 32 * cell <= fb.width && y + 32 * cell <= fb.height);
	for (unsigned i = 0; i < GRID_ENTRIES; i++) {
		unsigned half = (cell - 1) / 2;
		uint32_t want = stored(entry_styles[g->state[i]].rgb);
		assert_int_equal(rgb_at(x + i % 32 * cell + half, y + i / 32 * cell + half), want);
	}
}

/* Nothing was written past the width of a scan line. */
static void check_margins(void)
{
	for (uint32_t y = 0; y < fb.height; y++)
		for (uint32_t x = fb.width; x < fb.stride; x++)
			assert_int_equal(fb_mem[y * fb.stride + x], SENTINEL);
}

/* Pixels right of the text, as a number that changes when any does. */
static uint64_t pane_sum(void)
{
	uint64_t sum = 0;
	uint32_t from = text_right();

	for (uint32_t y = 0; y < fb.height; y++)
		for (uint32_t x = from; x < fb.width; x++)
			sum = sum * 31 + fb_mem[y * fb.stride + x];
	return sum;
}

static void say(const char *s)
{
	sink->write(s, strlen(s));
}

static void screens(const struct screen *s)
{
	struct aspace *as = vmm_create();
	static struct grid g;
	unsigned char v;

	screen_up(s);
	assert_int_equal(vmm_map(as, BASE, 64 * PGSIZE, AREA_WRITE, "anon"), 0);
	for (unsigned i = 0; i < 16; i++)
		sim_write(as, BASE + i * PGSIZE, 1);
	sim_read(as, BASE + 20 * PGSIZE, &v);
	struct aspace *child = vmm_fork(as);
	sim_write(child, BASE, 2);
	for (int i = 0; i < 100; i++)
		say("a line of the log, long enough to wrap on the narrowest of the screens: "
		    "0123456789abcdef0123456789abcdef\n");

	watch_set(1);
	assert_true(watch_is_on());
	check_map("watch map", 0);
	assert_true(view_show_map());
	check_map("map on screen", 1);
	uint64_t before = pane_sum();
	for (int i = 0; i < 200; i++)
		say("text scrolls beside the picture and never over it\n");
	assert_true(pane_sum() == before);

	grid_of_pd(&g, child->pd);
	assert_true(view_show_grid(&g, "page directory"));
	check_grid(&g);
	grid_of_pt(&g, child->pd, PDX(BASE));
	assert_true(view_show_grid(&g, "page table"));
	check_grid(&g);
	assert_int_equal(g.state[0], ENTRY_WRITABLE);
	assert_int_equal(g.state[1], ENTRY_COW);
	assert_int_equal(g.state[20], ENTRY_ZERO);
	assert_int_equal(g.state[30], ENTRY_EMPTY);

	/* Back to text: the pane's columns hold text and blanks only. */
	watch_set(0);
	view_clear();
	for (int i = 0; i < 200; i++)
		say("the whole width is the text's again\n");
	uint32_t fg = stored(0xAAAAAA), bg = stored(0);
	for (uint32_t y = 0; y < fb.height; y += 3)
		for (uint32_t x = 0; x < fb.width; x += 3) {
			uint32_t c = rgb_at(x, y);
			assert_true(c == fg || c == bg);
		}
	check_margins();
	vmm_destroy(child);
	vmm_destroy(as);
	assert_int_equal(mm_check(), 0);
}

#define MASK10 { 0x3FF00000u, 0x000FFC00u, 0x000003FFu }
#define MASK_BGR { 0x00FF0000u, 0x0000FF00u, 0x000000FFu }

static const struct screen kinds[] = {
	{ 800, 600, 800, BI_FB_BGRX, { 0 } },
	{ 1024, 768, 1024, BI_FB_RGBX, { 0 } },
	{ 1280, 800, 1280, BI_FB_BGRX, { 0 } },
	{ 1280, 1024, 1344, BI_FB_BGRX, { 0 } }, /* scan lines longer than the width */
	{ 1366, 768, 1376, BI_FB_BITMASK, MASK_BGR },
	{ 1600, 900, 1600, BI_FB_RGBX, { 0 } }, /* the first 2x */
	{ 1920, 1080, 1920, BI_FB_BGRX, { 0 } },
	{ 1920, 1200, 1920, BI_FB_BITMASK, MASK10 }, /* 10-bit channels */
	{ 2560, 1440, 2560, BI_FB_RGBX, { 0 } },
	{ 3840, 2160, 3840, BI_FB_BGRX, { 0 } },
};

static void test_every_screen(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		sim_boot(PAGES, LOW);
		screens(&kinds[i]);
	}
}

/* Too small for a pane: the pictures say so (0) and the text keeps the screen. */
static void test_small_screen(void **state)
{
	static const struct screen tiny = { 640, 200, 640, BI_FB_BGRX, { 0 } };
	static struct grid g;

	(void)state;
	sim_boot(PAGES, LOW);
	screen_up(&tiny);
	assert_false(view_show_map());
	struct aspace *as = vmm_create();
	grid_of_pd(&g, as->pd);
	assert_false(view_show_grid(&g, "page directory"));
	struct fbcon_geometry geo;
	fbcon_geometry(&geo);
	assert_int_equal(geo.pane_cols, 0);
	assert_int_equal(geo.strip_rows, 0);
	vmm_destroy(as);
}

/* The styles: a row per use and per state, characters unique. */
static void test_styles(void **state)
{
	(void)state;
	assert_int_equal(view_check_styles(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_styles),
		cmocka_unit_test(test_every_screen),
		cmocka_unit_test(test_small_screen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
