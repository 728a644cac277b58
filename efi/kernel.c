/*
 * kernel.c - load the 32-bit kernel embedded in this EFI binary.
 *
 * kernel.elf is linked at KERNEL_LINK_ADDR but must run at
 * KERNEL_VIRT_BASE + (wherever the firmware gave us memory), because the
 * kernel lives in its own direct map. It is linked with --emit-relocs, so
 * its relocation sections survive; we allocate the image anywhere below
 * LOADER_ALLOC_LIMIT and slide it by applying them:
 *   R_386_32   (absolute):    add the slide, unless the symbol is absolute;
 *   R_386_PC32 (relative):    nothing moves relative to the code, unless
 *                             the symbol is absolute: then subtract it.
 * We never ask for a fixed physical address: 1 MiB may not be free.
 */
#include "loader.h"

#include "lib/elf32.h"

extern const char kernel_elf_start[], kernel_elf_end[];

struct reloc_ctx {
	const char *image;
	size_t len;
	const struct elf32_shdr *sh;
	unsigned shnum;
	uint8_t *dest;    /* where the segments were copied */
	uint32_t lo, hi;  /* link-time span */
	uint32_t delta;   /* run address - link address */
	uint32_t applied;
};

static const struct elf32_sym *symbol(struct reloc_ctx *c, const struct elf32_shdr *symtab,
				      uint32_t index)
{
	if (index >= symtab->size / sizeof(struct elf32_sym))
		return NULL;
	return (const struct elf32_sym *)(c->image + symtab->offset) + index;
}

/* Apply one SHT_REL section. Returns NULL or an error message. */
static const char *apply_rel_section(struct reloc_ctx *c, const struct elf32_shdr *rel)
{
	if (rel->link >= c->shnum || rel->offset > c->len || rel->size > c->len - rel->offset)
		return "relocation section outside the file";
	const struct elf32_shdr *symtab = &c->sh[rel->link];
	if (symtab->offset > c->len || symtab->size > c->len - symtab->offset)
		return "symbol table outside the file";
	const struct elf32_rel *r = (const void *)(c->image + rel->offset);
	uint32_t n = rel->size / sizeof *r;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t type = ELF32_R_TYPE(r[i].info);
		const struct elf32_sym *sym = symbol(c, symtab, ELF32_R_SYM(r[i].info));
		if (type == R_386_NONE)
			continue;
		if (!sym)
			return "relocation names a missing symbol";
		if (r[i].offset < c->lo || r[i].offset > c->hi - 4)
			return "relocation outside the image";
		uint32_t *where = (uint32_t *)(c->dest + (r[i].offset - c->lo));
		int movable = sym->shndx != SHN_UNDEF && sym->shndx < SHN_LORESERVE;
		if (type == R_386_32) {
			if (movable)
				*where += c->delta;
		} else if (type == R_386_PC32 || type == R_386_PLT32) {
			if (!movable)
				*where -= c->delta;
		} else {
			return "unsupported relocation type";
		}
		c->applied++;
	}
	return NULL;
}

static const char *relocate(struct reloc_ctx *c)
{
	const struct elf32_ehdr *eh = (const void *)c->image;

	if (eh->shentsize != sizeof(struct elf32_shdr) || eh->shoff > c->len ||
	    (size_t)eh->shnum * sizeof(struct elf32_shdr) > c->len - eh->shoff)
		return "bad section header table";
	c->sh = (const void *)(c->image + eh->shoff);
	c->shnum = eh->shnum;
	for (unsigned i = 0; i < c->shnum; i++) {
		const struct elf32_shdr *s = &c->sh[i];
		/* Only relocations against loaded sections matter (not debug info). */
		if (s->type != SHT_REL || s->info >= c->shnum || !(c->sh[s->info].flags & SHF_ALLOC))
			continue;
		const char *err = apply_rel_section(c, s);
		if (err)
			return err;
	}
	return c->applied ? NULL : "no relocations found (link with --emit-relocs)";
}

EFI_STATUS load_kernel(struct kernel_image *out)
{
	const char *image = kernel_elf_start;
	size_t len = (size_t)(kernel_elf_end - kernel_elf_start);
	const char *err = elf32_validate(image, len);
	struct reloc_ctx c = { .image = image, .len = len };

	if (err) {
		lprintf("loader: error: embedded kernel.elf: %s\n", err);
		return EFI_LOAD_ERROR;
	}
	elf32_load_span(image, &c.lo, &c.hi);
	if (c.lo != KERNEL_LINK_ADDR || c.hi <= c.lo) {
		lprintf("loader: error: kernel.elf is not linked at 0x%x\n", KERNEL_LINK_ADDR);
		return EFI_LOAD_ERROR;
	}
	UINTN pages = (c.hi - c.lo + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t phys = alloc_low_pages(EfiLoaderCode, pages);
	if (!phys) {
		lprintf("loader: error: no %lu KiB below 0x%x for the kernel\n",
			(unsigned long)pages * 4, LOADER_ALLOC_LIMIT);
		return EFI_OUT_OF_RESOURCES;
	}
	c.dest = (uint8_t *)(UINTN)phys;
	SetMem(c.dest, pages * PAGE_SIZE, 0); /* this zeroes the bss too */

	const struct elf32_phdr *ph = elf32_phdrs(image);
	const struct elf32_ehdr *eh = (const void *)image;
	for (unsigned i = 0; i < eh->phnum; i++)
		if (ph[i].type == PT_LOAD)
			CopyMem(c.dest + (ph[i].vaddr - c.lo), image + ph[i].offset, ph[i].filesz);

	c.delta = (uint32_t)(phys + KERNEL_VIRT_BASE) - c.lo;
	err = relocate(&c);
	if (err) {
		lprintf("loader: error: relocating kernel.elf: %s\n", err);
		uefi_call_wrapper(BS->FreePages, 2, phys, pages);
		return EFI_LOAD_ERROR;
	}
	*out = (struct kernel_image){
		.phys = phys,
		.virt = (uint32_t)(phys + KERNEL_VIRT_BASE),
		.size = (uint32_t)(pages * PAGE_SIZE),
		.entry = eh->entry + c.delta,
		.delta = c.delta,
		.nrelocs = c.applied,
	};
	return EFI_SUCCESS;
}
