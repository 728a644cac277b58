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

#endif
