/*
 * tlb.c - what a CR3 reload does to a global TLB entry, tried on this CPU
 * (the playground's "tlb global").
 *
 * The architecture (Intel SDM vol. 3, 4.10.4.1): MOV to CR3 invalidates
 * every TLB entry but global ones (PTE_G, with CR4.PGE on); INVLPG
 * invalidates the entry of its page, global or not. A CPU may drop more
 * than it must, so a global entry surviving a CR3 reload is usual on
 * real CPUs but not promised; QEMU's TCG drops everything on a CR3 write.
 *
 * The experiment uses one kmap slot, read and written in ring 0 only (the
 * same privilege level fills and reads the entry: TCG keeps separate TLB
 * entries per level). For the slot mapped global and not: map page a,
 * read (the entry is filled), point the PTE at page b without INVLPG,
 * read, reload CR3, read, INVLPG, read. The caller gives the two pages,
 * each holding its own marker in its first word, and frees them after:
 * the slot maps neither when this returns. Kernel code runs with
 * interrupts off, so nothing comes between the steps.
 */
#include <arch/cpu.h>
#include <arch/mmu_ops.h>
#include <arch/paging.h>
#include <arch/tlb.h>

#include <layout.h>

static uint32_t read_slot(void)
{
	return *(volatile uint32_t *)(KMAP_BASE + (uint32_t)KMAP_TLB * PGSIZE);
}

static void one_run(pfn_t a, pfn_t b, pte_t global, struct tlb_run *run)
{
	vaddr_t va = KMAP_BASE + (uint32_t)KMAP_TLB * PGSIZE;
	pte_t *pte = kmap_entry(KMAP_TLB);

	*pte = PFN_TO_PADDR(a) | PTE_P | global;
	tlb_flush_page(va);
	run->filled = read_slot();
	*pte = PFN_TO_PADDR(b) | PTE_P | global; /* no invlpg */
	run->before = read_slot();
	write_cr3(read_cr3());
	run->after_cr3 = read_slot();
	tlb_flush_page(va);
	run->after_invlpg = read_slot();
	*pte = 0;
	tlb_flush_page(va);
}

int tlb_global_experiment(pfn_t a, pfn_t b, struct tlb_run *plain, struct tlb_run *global)
{
	one_run(a, b, 0, plain);
	if (!paging_global_bit())
		return -1;
	one_run(a, b, PTE_G, global);
	return 0;
}
