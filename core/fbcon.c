/*
 * fbcon.c - the screen console: the kernel log drawn as text on the
 * framebuffer the loader got from GOP, for PCs without a serial port.
 *
 * The screen is a grid of character cells starting at the top-left pixel,
 * 8x16 pixels each (core/font8x16.c), light grey on black. Scale rule: a
 * framebuffer at least SCALE_2X_MIN_WIDTH (1600) pixels wide draws every
 * font pixel as 2x2, so 16x32 cells: 1920x1080 gives 120x33 characters
 * of the same physical size as 800x600 on a smaller panel, while
 * 1280x1024 and 1440x900 keep 1x and their 160-180 columns.
 *
 * Framebuffer memory is only ever written: it may be uncached MMIO where
 * every read is a slow bus round trip. The text therefore lives twice in
 * kernel memory: `text` is what the screen should show and `shown` what
 * is drawn on it. Writing only changes `text`; at the end of each write,
 * flush() draws the cells where the two differ. A scroll moves `text` up
 * a row and costs one redraw of the cells whose character changed: blank
 * space and repeated prefixes ("ok ", "mem: 0x0000") are not drawn again,
 * and a write of many lines scrolls many times but draws once.
 *
 * Pictures share the screen (core/view): they may take a strip of rows
 * at the top and a pane of columns on the right (fbcon_layout()); the
 * text then scrolls in what is left, and the cells it gave up are marked
 * PICTURE in `shown`, so that they are drawn again as text when given
 * back. Pictures draw through fbcon_fill() and fbcon_text_at(), in whole
 * cells of the same grid, so a screendump still reads cell by cell.
 *
 * Only 32-bit pixels are supported (all GOP formats but PixelBitMask are,
 * and PC firmware uses 32-bit bit masks too; the loader hands over no
 * framebuffer with narrower bit-mask pixels). Interrupts are off whenever
 * kernel code runs (and a timer interrupt that draws the live panel
 * arrives only in ring 3 or in the idle loop), so there is no locking.
 */
#include "core/fbcon.h"

#include <arch/paging.h>

#include "core/font8x16.h"
#include "core/kernel.h"
#include "core/log.h"
#include "lib/string.h"

/* The largest grid kept: 3840x2160 at 1x (or 7680x4320 at 2x); bigger is clamped. */
#define MAX_COLS 480
#define MAX_ROWS 135

#define SCALE_2X_MIN_WIDTH 1600
#define TAB_STOP 8
#define BYTES_PER_PIXEL 4
#define BITS_PER_LEVEL 8 /* colours are given as 8-bit levels per channel */
#define FG_LEVEL 0xAA    /* light grey, as the VGA text mode's attribute 7 */
#define BG_LEVEL 0x00
#define BLANK ' '
#define PICTURE '\x01' /* in shown[]: a picture covers the cell, not text */
/* The least text a layout leaves, so that the log stays readable. */
#define TEXT_MIN_COLS 40
#define TEXT_MIN_ROWS 8

/* Where red, green and blue sit in a 32-bit pixel, as UEFI defines the formats. */
struct channel_masks {
	uint32_t red, green, blue;
};

static const struct channel_masks rgbx_masks = { 0x000000FFu, 0x0000FF00u, 0x00FF0000u };
static const struct channel_masks bgrx_masks = { 0x00FF0000u, 0x0000FF00u, 0x000000FFu };

static struct {
	volatile uint32_t *pixels;      /* the framebuffer window, top-left pixel */
	uint32_t width, height, stride; /* in pixels; stride is a scan line */
	unsigned scale;                 /* screen pixels per font pixel, each way */
	unsigned grid_cols, grid_rows;  /* the whole screen in cells */
	unsigned top, cols;             /* the text: rows top.., columns 0..cols-1 */
	unsigned col, row;              /* the cursor; col == cols: wrap pending */
	unsigned dirty_first, dirty_end; /* rows of text[] changed since flush() */
	uint32_t fg, bg;                /* in the framebuffer's pixel format */
	const struct channel_masks *channels;
	struct channel_masks bitmask;   /* channels, for a BI_FB_BITMASK screen */
	int active;
} con;

/* Row-major, grid_cols characters per row (not MAX_COLS), so a scroll is
 * one memmove. */
static char text[MAX_ROWS * MAX_COLS];
static char shown[MAX_ROWS * MAX_COLS];

static void fbcon_write(const char *s, size_t n);

static struct log_sink fbcon_sink = { "fbcon", fbcon_write, 0, 1 }; /* a screen */

/*
 * An 8-bit level placed into the bits of mask: scaled to the mask's width
 * (top bits kept when it is narrower, low bits zero when wider). Masks are
 * assumed contiguous, as UEFI requires; an empty mask gives 0.
 */
static uint32_t level_in_mask(uint8_t level, uint32_t mask)
{
	unsigned shift, width = 0;
	uint32_t v;

	if (!mask)
		return 0;
	shift = (unsigned)__builtin_ctz(mask);
	for (uint32_t m = mask >> shift; m & 1; m >>= 1)
		width++;
	if (width >= BITS_PER_LEVEL)
		v = (uint32_t)level << (width - BITS_PER_LEVEL);
	else
		v = (uint32_t)level >> (BITS_PER_LEVEL - width);
	return (v << shift) & mask;
}

/* The pixel value for an RGB colour in a framebuffer with these channels. */
static uint32_t make_pixel(const struct channel_masks *m, uint8_t r, uint8_t g, uint8_t b)
{
	return level_in_mask(r, m->red) | level_in_mask(g, m->green) | level_in_mask(b, m->blue);
}

/*
 * The channel layout of fb, or NULL when the kernel cannot draw on it
 * (no framebuffer, an unknown format, or a bit mask without colours).
 */
static const struct channel_masks *channels_of(const struct bi_framebuffer *fb,
					       struct channel_masks *scratch)
{
	switch (fb->format) {
	case BI_FB_RGBX:
		return &rgbx_masks;
	case BI_FB_BGRX:
		return &bgrx_masks;
	case BI_FB_BITMASK:
		*scratch = (struct channel_masks){ fb->red_mask, fb->green_mask, fb->blue_mask };
		return (scratch->red | scratch->green | scratch->blue) ? scratch : 0;
	default:
		return 0;
	}
}

/* One font row at px: FONT_WIDTH bits, each con.scale pixels wide. */
static void draw_glyph_row(volatile uint32_t *px, uint8_t bits, uint32_t fg, uint32_t bg)
{
	for (unsigned x = 0; x < FONT_WIDTH; x++) {
		uint32_t colour = (bits & (0x80u >> x)) ? fg : bg;

		for (unsigned s = 0; s < con.scale; s++)
			*px++ = colour;
	}
}

/* Draw character c into cell (col, row) in fg on bg, background included. */
static void draw_glyph(unsigned col, unsigned row, char c, uint32_t fg, uint32_t bg)
{
	const uint8_t *glyph = font8x16_glyph((unsigned char)c);
	uint32_t x = col * FONT_WIDTH * con.scale, y = row * FONT_HEIGHT * con.scale;
	volatile uint32_t *line = con.pixels + y * con.stride + x;

	for (unsigned gy = 0; gy < FONT_HEIGHT; gy++) {
		for (unsigned s = 0; s < con.scale; s++, line += con.stride)
			draw_glyph_row(line, glyph[gy], fg, bg);
	}
}

/* A cell of the text console. */
static void draw_cell(unsigned col, unsigned row, char c)
{
	draw_glyph(col, row, c, con.fg, con.bg);
}

/* Record that text[] rows first..end-1 changed, for the next flush(). */
static void mark_dirty(unsigned first, unsigned end)
{
	if (first < con.dirty_first)
		con.dirty_first = first;
	if (end > con.dirty_end)
		con.dirty_end = end;
}

/* Bring the screen up to date with text[]: draw only the cells that differ. */
static void flush(void)
{
	for (unsigned r = MAX(con.dirty_first, con.top); r < con.dirty_end; r++) {
		const char *want = &text[r * con.grid_cols];
		char *have = &shown[r * con.grid_cols];

		if (!memcmp(want, have, con.cols))
			continue;
		for (unsigned c = 0; c < con.cols; c++) {
			if (want[c] != have[c]) {
				draw_cell(c, r, want[c]);
				have[c] = want[c];
			}
		}
	}
	con.dirty_first = con.grid_rows;
	con.dirty_end = 0;
}

/* Move the text up one row and blank the bottom row; nothing is drawn yet.
 * Whole rows move: the columns right of the text are blank in text[]. */
static void scroll(void)
{
	size_t row_bytes = con.grid_cols;
	char *first = text + con.top * row_bytes;

	memmove(first, first + row_bytes, (con.grid_rows - con.top - 1) * row_bytes);
	memset(text + (con.grid_rows - 1) * row_bytes, BLANK, row_bytes);
	mark_dirty(con.top, con.grid_rows);
}

/* Cursor to the start of the next row, scrolling at the bottom. */
static void newline(void)
{
	con.col = 0;
	if (con.row + 1 < con.grid_rows)
		con.row++;
	else
		scroll();
}

/* Store a character at the cursor; a full line wraps only now, so that a
 * line exactly as wide as the screen does not leave an empty one. */
static void put_glyph(char c)
{
	if (con.col >= con.cols)
		newline();
	text[con.row * con.grid_cols + con.col] = c;
	mark_dirty(con.row, con.row + 1);
	con.col++;
}

/*
 * One character of log text. Control characters move the cursor as on a
 * terminal: '\b' steps left without erasing (a shell erases with "\b \b"),
 * '\t' moves to the next multiple of TAB_STOP, '\r' is ignored because
 * every log line ends in '\n' (and "\r\n" must not blank the line).
 * Anything else outside the font is drawn as the font's filled box.
 */
static void put_char(char c)
{
	switch (c) {
	case '\n':
		newline();
		break;
	case '\r':
		break;
	case '\t':
		con.col = MIN((con.col / TAB_STOP + 1) * TAB_STOP, con.cols);
		break;
	case '\b':
		if (con.col)
			con.col = MIN(con.col, con.cols) - 1;
		break;
	default:
		put_glyph(c);
	}
}

/* The log sink: take in the whole text, then draw once. */
static void fbcon_write(const char *s, size_t n)
{
	if (!con.active)
		return;
	for (size_t i = 0; i < n; i++)
		put_char(s[i]);
	flush();
}

/*
 * Size the grid for fb mapped at window. Returns 0 when not even one
 * cell fits. Only the part of the framebuffer the firmware declared
 * (fb->size) is ever written, whatever width and height claim.
 */
static int set_geometry(const struct bi_framebuffer *fb, void *window)
{
	/* paging_map_framebuffer() accepted it: size fits the 64 MiB window. */
	uint32_t size = (uint32_t)fb->size;

	if (!fb->stride)
		return 0;
	con.pixels = window;
	con.stride = fb->stride;
	con.width = MIN(fb->width, fb->stride);
	con.height = MIN(fb->height, size / BYTES_PER_PIXEL / fb->stride); /* no overflow */
	con.scale = con.width >= SCALE_2X_MIN_WIDTH ? 2 : 1;
	con.grid_cols = MIN(con.width / (FONT_WIDTH * con.scale), (uint32_t)MAX_COLS);
	con.grid_rows = MIN(con.height / (FONT_HEIGHT * con.scale), (uint32_t)MAX_ROWS);
	con.cols = con.grid_cols;
	con.top = 0;
	return con.grid_cols && con.grid_rows;
}

/*
 * See fbcon.h. Call once, after paging_init(): the window is a set of
 * kernel_pd entries that task directories copy later.
 */
struct log_sink *fbcon_init(const struct bi_framebuffer *fb)
{
	struct channel_masks scratch;
	const struct channel_masks *channels = channels_of(fb, &scratch);
	void *window;

	if (!channels) {
		log_normal("fbcon: no framebuffer to draw on (format %u): screen console off\n",
			   fb->format);
		return 0;
	}
	window = paging_map_framebuffer(fb->base, fb->size);
	if (!window) {
		log_normal("fbcon: framebuffer at 0x%llx out of reach of 32-bit paging: "
			   "screen console off\n", (unsigned long long)fb->base);
		return 0;
	}
	if (!set_geometry(fb, window)) {
		log_normal("fbcon: framebuffer %ux%u too small for text: screen console off\n",
			   fb->width, fb->height);
		return 0;
	}
	con.bitmask = scratch;
	con.channels = channels == &scratch ? &con.bitmask : channels;
	con.fg = make_pixel(con.channels, FG_LEVEL, FG_LEVEL, FG_LEVEL);
	con.bg = make_pixel(con.channels, BG_LEVEL, BG_LEVEL, BG_LEVEL);
	con.active = 1;
	fbcon_clear(); /* the firmware's and the loader's text is still there */
	return &fbcon_sink;
}

/* Fill the whole visible framebuffer, margins included, and blank the text. */
void fbcon_clear(void)
{
	if (!con.active)
		return;
	for (uint32_t y = 0; y < con.height; y++) {
		volatile uint32_t *px = con.pixels + y * con.stride;

		for (uint32_t x = 0; x < con.width; x++)
			px[x] = con.bg;
	}
	memset(text, BLANK, sizeof text);
	memset(shown, BLANK, sizeof shown);
	con.top = 0;
	con.cols = con.grid_cols;
	con.col = con.row = 0;
	con.dirty_first = con.grid_rows;
	con.dirty_end = 0;
}

/* Whether the console draws: lets others (a shell) know there is a screen. */
int fbcon_active(void)
{
	return con.active;
}

/* The grid in characters, 0x0 while inactive; both pointers must be valid. */
void fbcon_get_size(unsigned *cols, unsigned *rows)
{
	*cols = con.active ? con.grid_cols : 0;
	*rows = con.active ? con.grid_rows : 0;
}

/* ---------------------------------------------------------------- pictures */

/* Is cell (c, r) part of the text console under a layout? */
static int in_text(unsigned c, unsigned r, unsigned top, unsigned cols)
{
	return r >= top && c < cols;
}

/*
 * Move the rows from the text's top to the cursor down by `by` rows (the
 * cursor's row must stay visible under a taller strip); what is below the
 * cursor is blank, so nothing is lost.
 */
static void text_down(unsigned by)
{
	size_t row_bytes = con.grid_cols;

	memmove(text + (con.top + by) * row_bytes, text + con.top * row_bytes,
		(con.row - con.top + 1) * row_bytes);
	memset(text + con.top * row_bytes, BLANK, by * row_bytes);
	con.row += by;
}

/* See fbcon.h. */
void fbcon_layout(unsigned strip_rows, unsigned pane_cols)
{
	if (!con.active)
		return;
	unsigned top = MIN(strip_rows, con.grid_rows > TEXT_MIN_ROWS ? con.grid_rows - TEXT_MIN_ROWS : 0);
	unsigned cols = con.grid_cols - MIN(pane_cols, con.grid_cols > TEXT_MIN_COLS ?
						       con.grid_cols - TEXT_MIN_COLS : 0);

	if (top == con.top && cols == con.cols)
		return;
	if (con.row < top)
		text_down(top - con.row);
	for (unsigned r = 0; r < con.grid_rows; r++)
		for (unsigned c = 0; c < con.grid_cols; c++) {
			unsigned at = r * con.grid_cols + c;
			if (!in_text(c, r, top, cols)) {
				text[at] = BLANK; /* so that no old text comes back */
				shown[at] = PICTURE;
			} else if (!in_text(c, r, con.top, con.cols)) {
				shown[at] = PICTURE; /* given back: draw it as text */
			}
		}
	con.top = top;
	con.cols = cols;
	con.col = MIN(con.col, con.cols);
	mark_dirty(top, con.grid_rows);
	flush();
}

int fbcon_geometry(struct fbcon_geometry *g)
{
	if (!con.active)
		return 0;
	*g = (struct fbcon_geometry){
		.cols = con.grid_cols,
		.rows = con.grid_rows,
		.cell_w = FONT_WIDTH * con.scale,
		.cell_h = FONT_HEIGHT * con.scale,
		.strip_rows = con.top,
		.pane_cols = con.grid_cols - con.cols,
	};
	return 1;
}

uint32_t fbcon_rgb(uint32_t rgb)
{
	if (!con.active)
		return 0;
	return make_pixel(con.channels, (uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb);
}

/* Clipped to the grid: the margins past the last whole cell stay as
 * fbcon_clear() left them. */
void fbcon_fill(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t pixel)
{
	uint32_t right = con.grid_cols * FONT_WIDTH * con.scale;
	uint32_t bottom = con.grid_rows * FONT_HEIGHT * con.scale;

	if (!con.active || x >= right || y >= bottom)
		return;
	w = MIN(w, right - x);
	h = MIN(h, bottom - y);
	for (uint32_t row = 0; row < h; row++) {
		volatile uint32_t *px = con.pixels + (y + row) * con.stride + x;
		for (uint32_t i = 0; i < w; i++)
			px[i] = pixel;
	}
}

void fbcon_text_at(unsigned col, unsigned row, const char *s, uint32_t fg, uint32_t bg)
{
	if (!con.active || row >= con.grid_rows)
		return;
	for (; *s && col < con.grid_cols; s++, col++)
		if (!in_text(col, row, con.top, con.cols))
			draw_glyph(col, row, *s, fg, bg);
}
