/*
 * dma.h - memory the disk controllers read and write by DMA: command
 * lists, queues, descriptor rings, identify buffers (drivers/dma.c).
 *
 * Some of it must be physically contiguous (a legacy virtqueue of 256
 * entries is 3 pages in one piece) and all of it below 4 GiB, in the
 * direct map, so that a driver reaches it through a plain pointer. Every
 * driver allocation goes through here, so that the page allocator behind
 * it can change in one place (the buddy allocator of issue 13 will give
 * runs of 2^order pages from a DMA zone).
 *
 * Data buffers are not allocated here: a request carries the pfns of the
 * caller's pages (core/blk/blk.h), which may be anywhere below 4 GiB.
 */
#ifndef DRIVERS_DMA_H
#define DRIVERS_DMA_H

#include <arch/mmu.h>
#include <arch/mmu_ops.h>
#include <stdint.h>

#define DMA_MAX_PAGES 8 /* the longest run a driver asks for (a virtqueue: 3) */

/* npages (1..DMA_MAX_PAGES) physically contiguous, zeroed pages of low
 * memory (direct-mapped, below 4 GiB). Returns the first pfn, or 0 when
 * no such run was found. Freed with dma_free_pages(pfn, npages). */
pfn_t dma_alloc_pages(uint32_t npages);
void dma_free_pages(pfn_t first, uint32_t npages);

/* The kernel's address of a DMA page (direct map), and the bus address
 * the device is given: on this machine (no IOMMU) the physical one. */
static inline void *dma_virt(pfn_t pfn)
{
	return phys_to_virt(PFN_TO_PADDR(pfn));
}

static inline uint32_t dma_addr(pfn_t pfn)
{
	return PFN_TO_PADDR(pfn);
}

/* Pages held by drivers now, for `show blk`. */
uint32_t dma_pages_in_use(void);

#endif
