/* paging.h - the kernel's own page directory (arch/x86/paging.c). */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <arch/mmio.h> /* mmio_read32 and friends for fixmap's registers */
#include <arch/mmu.h>
#include <arch/mmu_ops.h>

extern paddr_t kernel_pd_phys;

/* Build the kernel directory with a direct map up to lowmem_end, load it. */
void paging_init(uint32_t lowmem_end);
/* Like kmap(), but read-only: a kernel write through it faults (CR0.WP). */
void *kmap_readonly(enum kmap_slot slot, pfn_t pfn);
/* An uncached device mapping at a fixmap slot; returns its address. */
void *fixmap(enum kmap_slot slot, paddr_t pa);
/* The PTE of a kmap slot, for the TLB experiment (tlb.c), which changes it
 * without the invalidation kmap() makes. */
pte_t *kmap_entry(enum kmap_slot slot);
/* PTE_G when the CPU has global pages (CR4.PGE is then on), else 0. */
uint32_t paging_global_bit(void);
/* Map the framebuffer into its window; NULL if out of reach. */
void *paging_map_framebuffer(uint64_t base, uint64_t size);
/* Read physical memory for ACPI: 0, or -1 (buf untouched) when the range
 * reaches 4 GiB, beyond 32-bit paging. */
int phys_read(uint64_t pa, void *buf, uint32_t len);

#endif
