/* highram.h - RAM above 4 GiB as a swap backend (arch/x86/highram.c). */
#ifndef ARCH_HIGHRAM_H
#define ARCH_HIGHRAM_H

#include <bootinfo.h>
#include <stddef.h>

#include "core/mm/swap.h"

/*
 * The high-RAM backend, when this CPU and this machine allow it: PSE and
 * PSE-36 in CPUID, and at least one 4 MiB chunk of usable RAM at or above
 * 4 GiB within the CPU's physical address bits. Returns the backend, or
 * NULL with the reason in why (for the boot log). Call once, at boot.
 */
const struct swap_backend *highram_probe(const struct bootinfo *bi, char *why, size_t n);

/* What highram_probe found, for the log and show swap. */
struct highram_info {
	uint32_t phys_bits;  /* MAXPHYADDR as the CPU reports it */
	uint32_t chunks;     /* 4 MiB chunks taken */
	uint64_t skipped;    /* usable bytes above 4 GiB not taken */
	uint32_t pde_writes; /* windows moved: a PDE written and invalidated */
	uint32_t copies;     /* pages copied in or out */
};
extern struct highram_info highram_info;

#endif
