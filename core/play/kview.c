/*
 * kview.c - the kernel's side of memory, for scripts: its direct map
 * (the 3G/1G split of the seed notes), mem_map looked up by physical
 * address (the page array), the head of the free list, the control
 * registers; and "kread", a read the kernel makes through its own page
 * tables. expect.c asks kview_term() for the quantities named here;
 * docs/playground.md lists them.
 *
 * Everything is read from the live structures, in the interpreter's
 * context (init, ring 0). Nothing here changes memory: kread only loads,
 * and only from pages mem_map manages (RAM), never from a reserved page,
 * which may be a device.
 */
#include "core/play/interp.h"

#include <arch/cpu.h>
#include <arch/mmu_ops.h>
#include <layout.h>

#include "core/task/task.h"
#include "lib/string.h"

/* Bytes the direct map covers: physical [0, lowmem) at [3G, 3G + lowmem). */
static uint32_t lowmem_bytes(void)
{
	return PFN_TO_PADDR(lowmem_end_pfn);
}

/* A number (or $variable) from the words: what the term needs next. */
static int word_number(struct play *p, struct words *s, const char *what, uint32_t *v)
{
	const char *w = words_next(s);

	if (!w)
		return play_error(p, "%s is missing", what);
	return arg_number(p, w, v);
}

/* A physical address that mem_map has an entry for. */
static int word_phys(struct play *p, struct words *s, pfn_t *pfn)
{
	uint32_t pa;

	if (word_number(p, s, "a physical address", &pa))
		return -1;
	*pfn = PADDR_TO_PFN(pa);
	if (*pfn >= pmm.max_pfn)
		return play_error(p, "0x%08x is beyond mem_map (%u pages)", pa, pmm.max_pfn);
	return 0;
}

/* The translation of a kernel address through the kernel's own page
 * directory (its half is the same in every task's): a 4 MiB page of the
 * direct map or the framebuffer window, or a kmap slot's entry. */
static int kernel_translate(struct play *p, uint32_t va, uint32_t *pa)
{
	pde_t pde = paging_kernel_pd()[PDX(va)];

	if (va < KERNEL_VIRT_BASE)
		return play_error(p, "0x%08x is in the user half: each task's own directory maps "
				  "it (phys <task> <addr>)", va);
	if (!(pde & PTE_P))
		return play_error(p, "0x%08x is not mapped in the kernel's half (PDE[%u] is empty)",
				  va, PDX(va));
	if (pde & PTE_PS) {
		*pa = PTE_ADDR(pde) + (va & (PTSPAN - 1));
		return 0;
	}
	pte_t pte = ((const pte_t *)page_address(PTE_PFN(pde), KMAP_PEEK))[PTX(va)];
	if (!(pte & PTE_P))
		return play_error(p, "0x%08x is not mapped: kmap slot %u is empty", va, PTX(va));
	*pa = PTE_ADDR(pte) + PGOFF(va);
	return 0;
}

/* page <phys> <use>: 1 when mem_map says the page is used so. */
static int page_use_term(struct play *p, struct words *s, uint32_t *v)
{
	static const char *const uses[] = { "free", "mapped", "kernel", "zero-page",
					    "page-directory", "page-table", "reserved" };
	pfn_t pfn;

	if (word_phys(p, s, &pfn))
		return -1;
	const char *use = words_next(s);
	for (unsigned i = 0; use && i < sizeof uses / sizeof uses[0]; i++)
		if (!strcmp(use, uses[i])) {
			*v = !strcmp(pmm_use_name(pfn), use);
			return 0;
		}
	return play_error(p, "bad use '%s' (free, mapped, kernel, zero-page, page-directory, "
			  "page-table, reserved)", use ? use : "");
}

/* cpu <bit>: a bit of CR0 or CR4, as the mode switch left them. */
static int cpu_term(struct play *p, struct words *s, uint32_t *v)
{
	static const struct {
		const char *name;
		int cr4;
		uint32_t bit;
	} bits[] = { { "pe", 0, CR0_PE },  { "wp", 0, CR0_WP },	  { "pg", 0, CR0_PG },
		     { "pse", 1, CR4_PSE }, { "pae", 1, CR4_PAE }, { "pge", 1, CR4_PGE } };
	const char *w = words_next(s);

	for (unsigned i = 0; w && i < sizeof bits / sizeof bits[0]; i++)
		if (!strcmp(w, bits[i].name)) {
			*v = !!((bits[i].cr4 ? read_cr4() : read_cr0()) & bits[i].bit);
			return 0;
		}
	return play_error(p, "bad bit '%s' (pe, wp, pg of CR0; pse, pae, pge of CR4)", w ? w : "");
}

static const char *const kview_terms[] = { "lowmem", "kphys", "kvirt", "highmem", "count",
					   "page", "next_free", "cr3", "pd", "cpu", 0 };

int kview_is_term(const char *w)
{
	for (int i = 0; kview_terms[i]; i++)
		if (!strcmp(w, kview_terms[i]))
			return 1;
	return 0;
}

int kview_term(struct play *p, const char *w, struct words *s, uint32_t *v)
{
	uint32_t n;
	pfn_t pfn;

	if (!strcmp(w, "lowmem")) {
		*v = lowmem_bytes();
	} else if (!strcmp(w, "kphys")) {
		if (word_number(p, s, "a kernel address", &n) || kernel_translate(p, n, v))
			return -1;
	} else if (!strcmp(w, "kvirt") || !strcmp(w, "highmem")) {
		if (word_number(p, s, "a physical address", &n))
			return -1;
		int direct = PADDR_TO_PFN(n) < lowmem_end_pfn;
		*v = !strcmp(w, "highmem") ? !direct : direct ? n + KERNEL_VIRT_BASE : 0;
	} else if (!strcmp(w, "count")) {
		if (word_phys(p, s, &pfn))
			return -1;
		*v = page_refs(pfn);
	} else if (!strcmp(w, "page")) {
		return page_use_term(p, s, v);
	} else if (!strcmp(w, "next_free")) {
		*v = PFN_TO_PADDR(pmm_next_free(PMM_USER));
	} else if (!strcmp(w, "cr3")) {
		*v = read_cr3();
	} else if (!strcmp(w, "pd")) {
		struct aspace *as = task_space(p, words_next(s), NULL);
		if (!as)
			return -1;
		*v = PFN_TO_PADDR(as->pd_pfn);
	} else {
		return cpu_term(p, s, v);
	}
	return 0;
}

/* kread <phys> [byte|half|word]: the kernel loads from physical memory
 * the way it reaches any page, through its own page tables: the direct
 * map at 3G + phys, or for a highmem page a kmap slot it sets for the
 * moment. The value is kept as "value". */
static int cmd_kread(struct play *p, int argc, char **argv)
{
	uint32_t pa, size = 4;

	if (arg_number(p, argv[1], &pa) || (argc > 2 && arg_size(p, argv[2], &size)))
		return -1;
	pfn_t pfn = PADDR_TO_PFN(pa);
	if (pfn >= pmm.max_pfn || mem_map[pfn].link == PAGE_RESERVED)
		return play_error(p, "0x%08x is not a page mem_map manages (reserved: firmware, the "
				  "kernel image, a hole or a device): the kernel does not read it here",
				  pa);
	if (PGOFF(pa) + size > PGSIZE)
		return play_error(p, "0x%08x+%u crosses into the next page", pa, size);
	int direct = pfn < lowmem_end_pfn;
	const volatile char *at = (const char *)page_address(pfn, KMAP_PEEK) + PGOFF(pa);
	uint32_t v = size == 1 ? *(const volatile uint8_t *)at
		     : size == 2 ? *(const volatile uint16_t *)at
				 : *(const volatile uint32_t *)at;
	p->value = v;
	p->have_value = 1;
	play_say("kernel: read phys 0x%08x at 0x%08x (%s) = 0x%0*x (%u)", pa, (uint32_t)at,
		 direct ? "the direct map: 3G + phys" : "a kmap slot: highmem", (int)size * 2, v, v);
	return 0;
}

const struct command kernel_commands[] = {
	{ "kread", 1, 2, cmd_kread, "<phys> [byte|half|word]",
	  "the kernel reads physical memory through its own mapping" },
	{ 0, 0, 0, 0, 0, 0 },
};
