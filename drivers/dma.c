/*
 * dma.c - physically contiguous low pages for drivers, over the page
 * allocator of today (core/mm/page.c), which hands out one page at a time.
 *
 * A run is built from consecutive allocations: each page that does not
 * extend the run it is building is set aside (held, so the allocator does
 * not hand it back at once) and a new run starts at it. At the end, the
 * pages set aside go back. Right after boot the low free list hands out
 * ascending pages, so the first try succeeds; later it may take longer,
 * and DMA_SEARCH_PAGES bounds the search. Drivers allocate only at probe
 * (boot), so this is a boot-time allocator in practice; it is correct at
 * any time. When the buddy allocator lands, dma_alloc_pages becomes one
 * call for a run of 2^order pages from its DMA zone.
 *
 * Context: boot or task, never an interrupt.
 */
#include "drivers/dma.h"

#include "core/mm/mm.h"
#include "lib/string.h"

/* Pages looked at before giving up: enough to step over a fragmented
 * start of the free list, small enough to be quick. */
#define DMA_SEARCH_PAGES 256

static uint32_t in_use;

/* The pages one search took, in order; static: a kernel stack is one
 * page, and nothing else runs during a search (interrupts are off). */
static pfn_t taken[DMA_SEARCH_PAGES];

pfn_t dma_alloc_pages(uint32_t npages)
{
	uint32_t n = 0, run = 0; /* run: where the current run starts in taken[] */
	pfn_t first = 0;

	if (npages == 0 || npages > DMA_MAX_PAGES)
		return 0;
	while (n < DMA_SEARCH_PAGES) {
		/* PMM_KERNEL: low memory only, in the direct map. */
		pfn_t pfn = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL);
		if (!pfn)
			break;
		if (n > run && pfn != taken[n - 1] + 1)
			run = n; /* not next to the run: a new one starts here */
		taken[n++] = pfn;
		if (n - run == npages) {
			first = taken[run];
			break;
		}
	}
	/* Everything set aside goes back; the run, when found, stays. */
	for (uint32_t i = 0; i < n; i++)
		if (!first || i < run || i >= run + npages)
			page_ref_dec(taken[i]);
	if (!first)
		return 0;
	for (uint32_t i = 0; i < npages; i++)
		page_zero(dma_virt(first + i));
	in_use += npages;
	return first;
}

void dma_free_pages(pfn_t first, uint32_t npages)
{
	if (!first)
		return;
	for (uint32_t i = 0; i < npages; i++)
		page_ref_dec(first + i);
	in_use -= npages;
}

uint32_t dma_pages_in_use(void)
{
	return in_use;
}
