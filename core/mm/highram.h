/*
 * highram.h - RAM above 4 GiB as a swap backend: where it is, and where a
 * slot lives in it.
 *
 * Two-level 32-bit paging cannot map a physical address at or above
 * 4 GiB with a 4 KiB page: a PTE holds physical bits 31..12 and nothing
 * more. A 4 MiB page can, on CPUs with PSE-36: its PDE keeps physical bits
 * 39..32 in bits 20..13. So the kernel reaches this RAM 4 MiB at a time,
 * through a few PDEs of its own (the windows, arch/x86/highram.c), and
 * uses it as a swap device: a slot is a 4 KiB page of it.
 *
 * This file is the arithmetic, pure and host-tested: which 4 MiB chunks of
 * the firmware memory map the backend may take, and which chunk and offset
 * a slot is. The CPU checks, the windows and the copies are arch's.
 */
#ifndef CORE_MM_HIGHRAM_H
#define CORE_MM_HIGHRAM_H

#include <bootinfo.h>
#include <stdint.h>

#define HIGHRAM_CHUNK_SHIFT 22 /* a 4 MiB page */
#define HIGHRAM_CHUNK_SIZE (1ull << HIGHRAM_CHUNK_SHIFT)
#define HIGHRAM_CHUNK_PAGES 1024u
/* At most 1 GiB: the swap map keeps a count per slot in kernel memory,
 * and a 32-bit kernel's low memory is the scarce kind. */
#define HIGHRAM_MAX_CHUNKS 256u
/* PSE-36 reaches 36 physical address bits; AMD and later Intel CPUs use
 * bits 20..13 of a 4 MiB PDE for up to 40 (SDM Vol. 3A, 4.3). */
#define HIGHRAM_MAX_PHYS_BITS 40u

struct highram_map {
	uint32_t nchunks;
	/* Each chunk's physical address >> 22, ascending. */
	uint32_t chunk[HIGHRAM_MAX_CHUNKS];
	uint64_t skipped; /* usable bytes above 4 GiB not taken: unaligned
			     ends, beyond the address bits, beyond the cap */
};

/*
 * Fill m with the 4 MiB-aligned chunks of usable RAM (memmap_is_usable) at
 * or above 4 GiB and below 2^phys_bits (phys_bits capped at 40), none of
 * them touching a range in keep[0..nkeep). Ranges need not be sorted;
 * adjacent usable ranges of different types join. Returns the chunks taken.
 */
uint32_t highram_find(const struct bi_mem_range *r, uint32_t n, const struct bi_keep *keep,
		      uint32_t nkeep, uint32_t phys_bits, struct highram_map *m);

/* Slots the map holds: one per page, numbered from 1 (slot 0 is never a
 * swap entry's), so nslots = pages + 1. 0 when the map is empty. */
uint32_t highram_nslots(const struct highram_map *m);

/*
 * Where slot lives: its chunk's index in m (*chunk) and its byte offset
 * inside that chunk (*offset). Returns 0, or -1 for slot 0 or a slot past
 * the map.
 */
int highram_place(const struct highram_map *m, uint32_t slot, uint32_t *chunk,
		  uint32_t *offset);

/* The 4 MiB PDE mapping chunk number c (physical address >> 22) under
 * PSE-36: bits 31..22 from c's low 10 bits, bits 20..13 from its high
 * bits (physical 39..32), with flags (PTE_P, PTE_W, PTE_PS...) ORed in. */
static inline uint32_t highram_pde(uint32_t c, uint32_t flags)
{
	return (c & 0x3FFu) << 22 | ((c >> 10) & 0xFFu) << 13 | flags;
}

#endif
