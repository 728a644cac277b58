/*
 * uses.c - how each kind of page and each entry state looks: the one
 * table the screen, the characters on serial and the report (which gets
 * it in its header records) all read.
 *
 * Adding a use of physical pages (swap cache, page cache, slab, a free
 * buddy block by order...): a value in mm.h's enum page_use, where its
 * rank belongs, a case in pmm_page_use(), and a row here. Colours are
 * chosen for a dark screen and a projector: free pages dark, the pages a
 * lesson is about bright. Characters must be unique and not digits (the
 * report's records count runs with digits), and legends short (at most
 * LEGEND_MAX characters, so a count fits beside them in a legend's
 * column); view_check_styles() says so at boot. docs/pictures.md says in
 * full what each one means ("shared page": a user page of count > 1,
 * mapped read-only in each space for copy-on-write; "shared table": a
 * page table that fork left shared, count > 1 or write-protected...).
 */
#include "core/view/view.h"

#include <stdarg.h>

#include "core/log.h"
#include "lib/fmt.h"
#include "lib/string.h"

const struct view_style page_use_styles[PAGE_NUSES] = {
	[PAGE_USE_FREE] = { "free", "free", 0x383838, '.' },
	[PAGE_USE_RESERVED] = { "reserved", "reserved", 0x6b5444, '#' },
	[PAGE_USE_KERNEL] = { "kernel", "kernel", 0x4a6cd4, 'K' },
	[PAGE_USE_PGDIR] = { "page-directory", "page directory", 0xc848d8, 'D' },
	[PAGE_USE_PGTABLE] = { "page-table", "page table", 0xe8a020, 't' },
	[PAGE_USE_PGTABLE_SHARED] = { "shared-table", "shared table", 0xff6a10, 'T' },
	[PAGE_USE_ZERO] = { "zero-page", "zero page", 0xf4f4f4, 'z' },
	[PAGE_USE_USER] = { "user", "user page", 0x3cc85a, 'u' },
	[PAGE_USE_SHARED] = { "shared", "shared page", 0xe83030, 'S' },
};

const struct view_style entry_styles[ENTRY_NSTATES] = {
	[ENTRY_EMPTY] = { "empty", "empty", 0x282828, '.' },
	[ENTRY_SWAP] = { "swap", "swap entry", 0x8c8cff, '~' },
	[ENTRY_KERNEL] = { "kernel", "kernel half", 0x4a6cd4, 'k' },
	[ENTRY_TABLE] = { "table", "page table", 0xe8a020, 't' },
	[ENTRY_TABLE_SHARED] = { "shared-table", "shared table", 0xff6a10, 'T' },
	[ENTRY_READ_ONLY] = { "read-only", "read-only", 0x38a8b0, 'r' },
	[ENTRY_WRITABLE] = { "writable", "writable", 0x3cc85a, 'w' },
	[ENTRY_ZERO] = { "zero-page", "zero page", 0xf4f4f4, 'z' },
	[ENTRY_COW] = { "cow", "copy-on-write", 0xe83030, 'c' },
};

enum entry_state entry_state_of_pde(uint32_t pdx, pde_t pde)
{
	if (!(pde & PTE_P))
		return pde ? ENTRY_SWAP : ENTRY_EMPTY;
	if (pdx >= KERNEL_PDX || (pde & PTE_PS))
		return ENTRY_KERNEL;
	if (!(pde & PTE_W) || page_refs(PTE_PFN(pde)) > 1)
		return ENTRY_TABLE_SHARED;
	return ENTRY_TABLE;
}

enum entry_state entry_state_of_pte(pte_t pte)
{
	if (!(pte & PTE_P))
		return pte ? ENTRY_SWAP : ENTRY_EMPTY;
	if (PTE_PFN(pte) == pmm.zero_pfn)
		return ENTRY_ZERO;
	if (pte & PTE_W)
		return ENTRY_WRITABLE;
	return page_refs(PTE_PFN(pte)) > 1 ? ENTRY_COW : ENTRY_READ_ONLY;
}

/* Every row filled, and no character twice or a digit. */
static unsigned check_table(const char *what, const struct view_style *t, unsigned n)
{
	unsigned problems = 0;

	for (unsigned i = 0; i < n; i++) {
		int bad = !t[i].name || !t[i].legend || !t[i].ch || (t[i].ch >= '0' && t[i].ch <= '9') ||
			  strlen(t[i].legend) > LEGEND_MAX;
		for (unsigned j = 0; j < i && !bad; j++)
			bad = t[j].ch == t[i].ch;
		if (bad) {
			kprintf("view: %s style %u is missing or its character is taken\n", what, i);
			problems++;
		}
	}
	return problems;
}

unsigned view_check_styles(void)
{
	return check_table("page-use", page_use_styles, PAGE_NUSES) +
	       check_table("entry", entry_styles, ENTRY_NSTATES);
}

void view_say(int screen_too, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (screen_too)
		kprintf("  %s\n", line);
	else
		kprintf_serial("  %s\n", line);
}

const char *view_size(unsigned shift, char *buf, unsigned size)
{
	unsigned kib = 4u << shift;

	if (kib >= 1024 * 1024)
		fmt_snprintf(buf, size, "%u GiB", kib >> 20);
	else if (kib >= 1024)
		fmt_snprintf(buf, size, "%u MiB", kib >> 10);
	else
		fmt_snprintf(buf, size, "%u KiB", kib);
	return buf;
}
