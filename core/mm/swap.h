/*
 * swap.h - where swapped-out pages go: the backend interface.
 *
 * The swap map and reclaim (core/mm/swap.c, core/mm/reclaim.c) keep pages
 * in numbered 4 KiB slots of one backend. A backend is our GPT swap
 * partition on a real disk (through core/blk), or RAM above 4 GiB reached
 * through PSE-36 windows (arch/x86), or, in host tests only, a simulated
 * device. The boot picks one (config key swap = auto | disk | highram |
 * off) and attaches it; swap stays off when none is attached.
 *
 * Pages are passed by pfn, never by pointer: a user page may live in
 * highmem, and a disk reaches it by DMA without a mapping.
 */
#ifndef CORE_MM_SWAP_H
#define CORE_MM_SWAP_H

#include <arch/mmu.h>
#include <stdint.h>

struct swap_backend {
	const char *name; /* "disk", "highram", "sim": for the log and show swap */
	uint32_t nslots;  /* slots it holds; slot 0 is never used, so that a
			     swap entry is never 0 */
	/* Copy one page from slot into page pfn (read) or from pfn into slot
	 * (write). Return 0, or -errno: -EIO for an error the device
	 * reported, -ETIMEDOUT for one that never answered. May put the
	 * calling task to sleep while the device works (the disk does); must
	 * not be called from an interrupt. */
	int (*read)(const struct swap_backend *b, uint32_t slot, pfn_t pfn);
	int (*write)(const struct swap_backend *b, uint32_t slot, pfn_t pfn);
	void *priv; /* the backend's own */
};

/* Give swap its backing store. Returns 0, -EBUSY if one is attached
 * already, -EINVAL if b has fewer than two slots. */
int swap_attach(const struct swap_backend *b);

#endif
