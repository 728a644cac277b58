/*
 * paging.c - the kernel's page directory, the direct map and kmap.
 *
 * The kernel half (PDEs 768..1023) is built once here and copied into
 * every task's page directory, so it is shared by all of them:
 *   - the direct map: physical 0 .. lowmem end at 0xC0000000, with 4 MiB
 *     pages (PSE), global when the CPU has PGE so that switching CR3
 *     between tasks does not flush the kernel's TLB entries;
 *   - the kmap window: one page table whose entries are short-lived
 *     mappings of pages the direct map does not reach (highmem), plus
 *     uncached device mappings made at boot (the local APIC; the
 *     IO-APICs, one after the other in a single slot);
 *   - the MMIO window: one page table for devices' register BARs, mapped
 *     uncached by drivers at probe (mmio_map);
 *   - the framebuffer window, when there is a framebuffer.
 * No kernel page table is ever added after boot, so the copies in task
 * directories never go stale. The loader's identity mapping of the
 * trampoline is not part of this directory: loading it removes it.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/mmu_ops.h>
#include <arch/paging.h>
#include <arch/segment.h>

#include <layout.h>

#include "lib/string.h"

static pde_t kernel_pd[NPDENTRIES] __attribute__((aligned(PGSIZE)));
static pte_t kmap_pt[NPTENTRIES] __attribute__((aligned(PGSIZE)));
static pte_t mmio_pt[NPTENTRIES] __attribute__((aligned(PGSIZE)));
static uint32_t mmio_used; /* pages of the MMIO window handed out, from its start */

pfn_t lowmem_end_pfn;
paddr_t kernel_pd_phys;
static uint32_t global_bit;

void paging_init(uint32_t lowmem_end)
{
	if (lowmem_end > DIRECT_MAP_MAX)
		lowmem_end = DIRECT_MAP_MAX;
	lowmem_end = (lowmem_end + PTSPAN - 1) & ~(PTSPAN - 1);
	lowmem_end_pfn = PADDR_TO_PFN(lowmem_end);
	global_bit = (cpu.edx1 & CPUID_EDX_PGE) ? PTE_G : 0;

	memset(kernel_pd, 0, sizeof kernel_pd);
	memset(kmap_pt, 0, sizeof kmap_pt);
	memset(mmio_pt, 0, sizeof mmio_pt);
	/* Accessed and dirty are set up front: the CPU would set them on first
	 * use in whichever directory is loaded, and the copies of the kernel
	 * half in the task directories would drift apart bit by bit. */
	for (uint32_t pa = 0; pa < lowmem_end; pa += PTSPAN)
		kernel_pd[KERNEL_PDX + PDX(pa)] =
			pa | PTE_P | PTE_W | PTE_PS | PTE_A | PTE_D | global_bit;
	kernel_pd[PDX(KMAP_BASE)] = virt_to_phys(kmap_pt) | PTE_P | PTE_W | PTE_A;
	kernel_pd[PDX(MMIO_BASE)] = virt_to_phys(mmio_pt) | PTE_P | PTE_W | PTE_A;

	kernel_pd_phys = virt_to_phys(kernel_pd);
	tss_set_double_fault_cr3(kernel_pd_phys);
	load_page_directory(kernel_pd_phys);
	if (global_bit)
		write_cr4(read_cr4() | CR4_PGE);
}

const pde_t *paging_kernel_pd(void)
{
	return kernel_pd;
}

pte_t *kmap_entry(enum kmap_slot slot)
{
	return &kmap_pt[slot];
}

uint32_t paging_global_bit(void)
{
	return global_bit;
}

static void *kmap_with(enum kmap_slot slot, pfn_t pfn, pte_t flags)
{
	vaddr_t va = KMAP_BASE + (uint32_t)slot * PGSIZE;
	pte_t want = PFN_TO_PADDR(pfn) | flags;

	/* Remapping costs an invlpg: skip it when the slot already fits. */
	if (kmap_pt[slot] != want) {
		kmap_pt[slot] = want;
		tlb_flush_page(va);
	}
	return (void *)va;
}

void *kmap(enum kmap_slot slot, pfn_t pfn)
{
	return kmap_with(slot, pfn, PTE_P | PTE_W);
}

void *kmap_readonly(enum kmap_slot slot, pfn_t pfn)
{
	return kmap_with(slot, pfn, PTE_P);
}

void *fixmap(enum kmap_slot slot, paddr_t pa)
{
	vaddr_t va = KMAP_BASE + (uint32_t)slot * PGSIZE;

	kmap_pt[slot] = PG_ROUND_DOWN(pa) | PTE_P | PTE_W | PTE_PCD | PTE_PWT | global_bit;
	tlb_flush_page(va);
	return (void *)(va + PGOFF(pa));
}

_Static_assert(MMIO_WINDOW_SIZE == PTSPAN && MMIO_BASE % PTSPAN == 0,
	       "the MMIO window is exactly one page table");

/* Mappings are handed out upward from the window's start; the newest one
 * given back lowers the mark again (drivers unwind newest first). A new
 * entry in a slot that was not present needs no invalidation: x86 never
 * caches a not-present entry. */
void *mmio_map(uint64_t pa, uint32_t size)
{
	if (!size || pa >= FOUR_GIB || size > FOUR_GIB - pa)
		return 0;
	paddr_t first = PG_ROUND_DOWN((paddr_t)pa);
	uint32_t pages = (PGOFF(pa) + size + PGSIZE - 1) / PGSIZE;

	if (pages > NPTENTRIES - mmio_used)
		return 0;
	for (uint32_t i = 0; i < pages; i++)
		mmio_pt[mmio_used + i] =
			(first + i * PGSIZE) | PTE_P | PTE_W | PTE_PCD | PTE_PWT | global_bit;
	vaddr_t va = MMIO_BASE + mmio_used * PGSIZE + PGOFF(pa);
	mmio_used += pages;
	return (void *)va;
}

void mmio_unmap(void *va, uint32_t size)
{
	vaddr_t start = PG_ROUND_DOWN((vaddr_t)va);
	uint32_t first = (start - MMIO_BASE) / PGSIZE;
	uint32_t pages = (PGOFF((vaddr_t)va) + size + PGSIZE - 1) / PGSIZE;

	if (!va || start < MMIO_BASE || first + pages > mmio_used)
		return;
	for (uint32_t i = 0; i < pages; i++) {
		mmio_pt[first + i] = 0;
		tlb_flush_page(start + i * PGSIZE);
	}
	if (first + pages == mmio_used)
		mmio_used = first;
}

void *paging_map_framebuffer(uint64_t base, uint64_t size)
{
	uint64_t start = base & ~(uint64_t)(PTSPAN - 1);
	uint64_t end = base + size;

	if (!size || end > FOUR_GIB || end - start > FB_WINDOW_SIZE)
		return 0;
	for (uint64_t pa = start; pa < end; pa += PTSPAN)
		kernel_pd[PDX(FB_WINDOW_BASE + (pa - start))] =
			(uint32_t)pa | PTE_P | PTE_W | PTE_PS | PTE_A | PTE_D | global_bit;
	tlb_flush_all();
	return (void *)(FB_WINDOW_BASE + (uint32_t)(base - start));
}

/*
 * Copy len bytes of physical memory at pa into buf, page by page through
 * KMAP_PEEK (ACPI tables, which may lie above the direct map). Returns 0;
 * or -1, with buf untouched, when any of the bytes lies at or above 4 GiB:
 * 32-bit paging without PAE cannot map them, and cutting the address to
 * 32 bits would read some other page and return it as the one asked for.
 * Firmware tables give such addresses, so this is for the caller to handle.
 */
int phys_read(uint64_t pa, void *buf, uint32_t len)
{
	char *out = buf;

	if (pa >= FOUR_GIB || len > FOUR_GIB - pa)
		return -1;
	while (len) {
		uint32_t off = PGOFF(pa), n = PGSIZE - off;
		if (n > len)
			n = len;
		const char *page = page_address(PADDR_TO_PFN((uint32_t)pa), KMAP_PEEK);
		memcpy(out, page + off, n);
		out += n;
		pa += n;
		len -= n;
	}
	return 0;
}
