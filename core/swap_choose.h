/*
 * swap_choose.h - which swap backend the boot attaches (swap_choose.c):
 * playground.cfg's swap = auto | disk | highram | off.
 */
#ifndef CORE_SWAP_CHOOSE_H
#define CORE_SWAP_CHOOSE_H

#include <bootinfo.h>
#include <stddef.h>

#include "core/blk/blk.h"
#include "core/mm/swap.h"

/*
 * The disk backend on our swap partition d (core/mm's disk backend), or
 * NULL with the reason in why. Until swap's disk backend lands, a weak
 * default says it is not built.
 */
const struct swap_backend *swap_disk_backend(struct blk_dev *d, char *why, size_t n);

/* Pick, attach and log the backend (docs/serial-log.md, Swap). After the
 * disks are read (gpt_scan_all). */
void swap_choose(const struct bootinfo *bi);

/* The backend chosen, or NULL (swap off): for the disk suite's round
 * trips and show swap. */
const struct swap_backend *swap_chosen(void);

#endif
