/*
 * highram.c - RAM above 4 GiB as a swap device, through 4 MiB windows.
 *
 * 32-bit paging without PAE cannot point a 4 KiB PTE above 4 GiB: the PTE
 * has room for physical bits 31..12 only. A 4 MiB PDE (PS=1) on a CPU with
 * PSE-36 can: bits 20..13 of the PDE become physical bits 39..32. So the
 * kernel keeps two PDEs of its own half as windows (HIGHRAM_WINDOW_BASE)
 * and points one at the 4 MiB chunk that holds a slot, then copies the
 * page between the window and the user page (which lives below 4 GiB,
 * reached by the direct map or a kmap slot).
 *
 * The windows are scratch entries of whichever directory is loaded: the
 * copy looks at the current directory's two window PDEs, uses one that
 * already maps the chunk, or rewrites the older one and invalidates it.
 * They are never global, so loading CR3 forgets them, and another
 * directory's stale copy is rewritten before it is used. No lock: the
 * kernel does not preempt itself and interrupt handlers never swap.
 *
 * QEMU's TCG maps a PSE-36 PDE whatever CPUID says; a real CPU without
 * PSE-36 takes bits 20..13 as reserved and faults. So the CPUID bit is
 * checked, and test/boot/highram.t boots with -cpu ...,-pse36 to see the
 * refusal.
 */
#include <arch/cpu.h>
#include <arch/highram.h>
#include <arch/mmu.h>
#include <arch/mmu_ops.h>

#include <errnum.h>
#include <layout.h>

#include "core/mm/highram.h"
#include "lib/fmt.h"

struct highram_info highram_info;
static struct highram_map map;
static uint32_t next_victim; /* the window rewritten next: the older one */

/* MAXPHYADDR: CPUID 80000008H, or 36 on a CPU without that leaf (the SDM
 * says so for CPUs with PSE-36; the others never get this far). */
static uint32_t phys_addr_bits(void)
{
	uint32_t a, b, c, d;

	cpuid(CPUID_EXT_LEAF, &a, &b, &c, &d);
	if (a < CPUID_ADDR_SIZES)
		return 36;
	cpuid(CPUID_ADDR_SIZES, &a, &b, &c, &d);
	return a & 0xFFu;
}

/* The window that maps chunk c in the loaded directory, moved there if
 * none does. Not global, not user: a CR3 load drops it. */
static uint8_t *window_to(uint32_t c)
{
	pde_t *pd = phys_to_virt(read_cr3() & ~PTE_FLAGS_MASK);
	pde_t want = highram_pde(c, PTE_P | PTE_W | PTE_PS | PTE_A | PTE_D);
	uint32_t w;

	for (w = 0; w < HIGHRAM_WINDOWS; w++)
		if (pd[PDX(HIGHRAM_WINDOW_BASE) + w] == want)
			return (uint8_t *)(HIGHRAM_WINDOW_BASE + w * PTSPAN);
	w = next_victim;
	next_victim = (w + 1) % HIGHRAM_WINDOWS;
	pd[PDX(HIGHRAM_WINDOW_BASE) + w] = want;
	tlb_flush_page(HIGHRAM_WINDOW_BASE + w * PTSPAN);
	highram_info.pde_writes++;
	return (uint8_t *)(HIGHRAM_WINDOW_BASE + w * PTSPAN);
}

/* The kernel address of slot, through a window; NULL for a bad slot. */
static uint8_t *slot_address(uint32_t slot)
{
	uint32_t chunk, offset;

	if (highram_place(&map, slot, &chunk, &offset) < 0)
		return 0;
	return window_to(map.chunk[chunk]) + offset;
}

static int highram_read(const struct swap_backend *b, uint32_t slot, pfn_t pfn)
{
	uint8_t *src = slot_address(slot);

	(void)b;
	if (!src)
		return -EINVAL;
	page_copy(page_address(pfn, KMAP_HIGHRAM), src);
	highram_info.copies++;
	return 0;
}

static int highram_write(const struct swap_backend *b, uint32_t slot, pfn_t pfn)
{
	uint8_t *dst = slot_address(slot);

	(void)b;
	if (!dst)
		return -EINVAL;
	page_copy(dst, page_address(pfn, KMAP_HIGHRAM));
	highram_info.copies++;
	return 0;
}

static struct swap_backend backend = {
	.name = "highram",
	.read = highram_read,
	.write = highram_write,
};

const struct swap_backend *highram_probe(const struct bootinfo *bi, char *why, size_t n)
{
	highram_info.phys_bits = phys_addr_bits();
	if (!(cpu.edx1 & CPUID_EDX_PSE)) {
		fmt_snprintf(why, n, "the CPU has no 4 MiB pages (CPUID.01H:EDX.PSE[bit 3] = 0)");
		return 0;
	}
	if (!(cpu.edx1 & CPUID_EDX_PSE36)) {
		fmt_snprintf(why, n, "the CPU has no PSE-36 (CPUID.01H:EDX.PSE-36[bit 17] = 0): "
				     "no page of 32-bit paging reaches above 4 GiB");
		return 0;
	}
	highram_find(bi->mmap, bi->mmap_count, bi->keep, bi->nkeep, highram_info.phys_bits, &map);
	highram_info.chunks = map.nchunks;
	highram_info.skipped = map.skipped;
	if (!map.nchunks) {
		fmt_snprintf(why, n, "no usable 4 MiB of RAM above 4 GiB%s",
			     map.skipped ? " within the CPU's physical address bits" : "");
		return 0;
	}
	backend.nslots = highram_nslots(&map);
	return &backend;
}
