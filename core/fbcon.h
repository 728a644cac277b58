/*
 * fbcon.h - a text console on the UEFI framebuffer that mirrors the kernel
 * log, for machines without a serial port (core/fbcon.c).
 */
#ifndef CORE_FBCON_H
#define CORE_FBCON_H

#include <bootinfo.h>

#include "core/log.h"

/*
 * Map the framebuffer, clear it and return the log sink that draws on it.
 * Must run after paging_init(): the mapping lives in the kernel directory.
 * Returns NULL (after saying why on the log sinks already present) when
 * there is no usable framebuffer or it lies out of reach of 32-bit paging.
 */
struct log_sink *fbcon_init(const struct bi_framebuffer *fb);

/* Blank the screen and put the cursor top left; nothing when inactive. */
void fbcon_clear(void);

/* 1 once fbcon_init() succeeded, else 0. */
int fbcon_active(void);

/* The text grid in characters; 0x0 when inactive. */
void fbcon_get_size(unsigned *cols, unsigned *rows);

/* ------------------------------------------- pictures beside the text */

/*
 * Give the top strip_rows rows and the right pane_cols columns of the
 * grid to pictures (core/view); the text scrolls in what is left. 0, 0
 * gives the whole screen back to the text, which is drawn again where
 * pictures were. The text always keeps at least 40 columns and 8 rows
 * (fbcon_geometry() says what was granted). Nothing when inactive.
 */
void fbcon_layout(unsigned strip_rows, unsigned pane_cols);

struct fbcon_geometry {
	unsigned cols, rows;          /* the whole grid, in cells */
	unsigned cell_w, cell_h;      /* one cell, in pixels (8x16, or 16x32 at 2x) */
	unsigned strip_rows, pane_cols; /* what fbcon_layout() granted */
};
/* Fill *g and return 1; 0 when inactive (*g untouched). */
int fbcon_geometry(struct fbcon_geometry *g);

/* The pixel value of colour 0xRRGGBB on this screen (any channel order). */
uint32_t fbcon_rgb(uint32_t rgb);
/* A rectangle of pixels, clipped to the grid. For pictures only: the
 * caller keeps to the strip and pane it was granted. */
void fbcon_fill(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t pixel);
/* Text in the font at a cell, fg on bg (pixel values), cut at the right
 * edge; cells that belong to the text console are skipped. It is not
 * part of the log: a scroll never moves it. */
void fbcon_text_at(unsigned col, unsigned row, const char *s, uint32_t fg, uint32_t bg);

#endif
