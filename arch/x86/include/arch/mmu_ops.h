/*
 * mmu_ops.h - what the memory core needs from the MMU: TLB invalidation,
 * reaching a physical page from the kernel, and page-sized zero/copy.
 *
 * The host tests replace this file (test/host/sim/arch/mmu_ops.h) with one
 * that simulates physical memory and counts TLB operations.
 */
#ifndef ARCH_MMU_OPS_H
#define ARCH_MMU_OPS_H

#include <arch/cpu.h>
#include <arch/mmu.h>

#include <layout.h>

/* First pfn the direct map does not reach (set by paging_init). */
extern pfn_t lowmem_end_pfn;

#include <arch/kmap.h>

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + KERNEL_VIRT_BASE);
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uint32_t)va - KERNEL_VIRT_BASE);
}

static inline void tlb_flush_page(vaddr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Drop every non-global TLB entry: the whole user half. */
static inline void tlb_flush_all(void)
{
	write_cr3(read_cr3());
}

static inline void load_page_directory(paddr_t pd)
{
	write_cr3(pd);
}

/* The kernel half (PDEs 768..1023) every address space copies. */
const pde_t *paging_kernel_pd(void);

/* Map pfn at a kmap slot and return its address (see arch/x86/paging.c). */
void *kmap(enum kmap_slot slot, pfn_t pfn);

/* Kernel address of a physical page: the direct map when it reaches. */
static inline void *page_address(pfn_t pfn, enum kmap_slot slot)
{
	if (pfn < lowmem_end_pfn)
		return phys_to_virt(PFN_TO_PADDR(pfn));
	return kmap(slot, pfn);
}

/* The page-sized primitives the benchmarks call the floors. */
static inline void page_zero(void *page)
{
	uint32_t d0, d1;

	__asm__ volatile("rep stosl" : "=D"(d0), "=c"(d1) : "0"(page), "1"(PGSIZE / 4), "a"(0)
			 : "memory");
}

static inline void page_copy(void *dst, const void *src)
{
	uint32_t d0, d1, d2;

	__asm__ volatile("rep movsl"
			 : "=D"(d0), "=S"(d1), "=c"(d2)
			 : "0"(dst), "1"(src), "2"(PGSIZE / 4)
			 : "memory");
}

#endif
