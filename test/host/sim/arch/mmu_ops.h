/*
 * Host replacement for arch/x86/include/arch/mmu_ops.h: physical memory is
 * an array, TLB operations are counted and applied to the simulated TLB
 * (sim.c), kmap is plain pointer arithmetic (but counted, and pages at or
 * above lowmem_end_pfn must go through it).
 */
#ifndef ARCH_MMU_OPS_H
#define ARCH_MMU_OPS_H

#include <arch/kmap.h>
#include <arch/mmu.h>
#include <string.h>

#include <layout.h>

extern unsigned char *sim_ram;
extern uint32_t sim_ram_pages;
extern pfn_t lowmem_end_pfn;
extern uint32_t sim_invlpg, sim_full_flush, sim_kmaps;
extern paddr_t sim_cr3;
void sim_check_direct(paddr_t pa);
/* The simulated TLB and paging-structure cache (sim.c). */
void sim_tlb_invlpg(vaddr_t va);
void sim_tlb_flush(void);

static inline void *phys_to_virt(paddr_t pa)
{
	sim_check_direct(pa);
	return sim_ram + pa;
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((const unsigned char *)va - sim_ram);
}

static inline void tlb_flush_page(vaddr_t va)
{
	sim_invlpg++;
	sim_tlb_invlpg(va);
}

static inline void tlb_flush_all(void)
{
	sim_full_flush++;
	sim_tlb_flush();
}

/* A CR3 load drops every non-global entry: all user ones. */
static inline void load_page_directory(paddr_t pd)
{
	sim_cr3 = pd;
	sim_tlb_flush();
}

const pde_t *paging_kernel_pd(void);
void *kmap(enum kmap_slot slot, pfn_t pfn);

static inline void *page_address(pfn_t pfn, enum kmap_slot slot)
{
	if (pfn < lowmem_end_pfn)
		return phys_to_virt(PFN_TO_PADDR(pfn));
	return kmap(slot, pfn);
}

static inline void page_zero(void *page)
{
	memset(page, 0, PGSIZE);
}

static inline void page_copy(void *dst, const void *src)
{
	memcpy(dst, src, PGSIZE);
}

#endif
