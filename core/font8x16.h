/*
 * font8x16.h - the screen console's bitmap font (core/font8x16.c).
 *
 * One glyph is FONT_HEIGHT bytes, one byte per pixel row from the top,
 * bit 7 the leftmost pixel. The font covers printable ASCII; any other
 * character gets a filled box, so that it is visibly "something".
 */
#ifndef CORE_FONT8X16_H
#define CORE_FONT8X16_H

#include <stdint.h>

#define FONT_WIDTH 8
#define FONT_HEIGHT 16
#define FONT_FIRST 0x20 /* ' ' */
#define FONT_LAST 0x7E  /* '~' */
#define FONT_NGLYPHS (FONT_LAST - FONT_FIRST + 1)

/* The FONT_HEIGHT rows of c's glyph; the filled box when c is not in the font. */
const uint8_t *font8x16_glyph(unsigned char c);

#endif
