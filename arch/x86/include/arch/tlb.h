/* tlb.h - the global-page experiment (arch/x86/tlb.c). */
#ifndef ARCH_TLB_H
#define ARCH_TLB_H

#include <arch/mmu.h>

/* What four reads of the slot saw: after mapping page a, after pointing
 * the PTE at b without invalidating, after a CR3 reload, after INVLPG. */
struct tlb_run {
	uint32_t filled, before, after_cr3, after_invlpg;
};

/* Run the experiment with a non-global entry into *plain, then with a
 * global one into *global. Returns -1 (global untouched) when the CPU
 * has no global pages. Pages a and b: each a different marker in its
 * first word; neither is mapped by the slot afterwards. */
int tlb_global_experiment(pfn_t a, pfn_t b, struct tlb_run *plain, struct tlb_run *global);

#endif
