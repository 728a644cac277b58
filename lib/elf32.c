/*
 * elf32.c - validate an ELF32 i386 executable held in memory.
 *
 * Used by the loader (the kernel image) and by the kernel (user programs).
 * Every offset and size is checked against the buffer before use, and sums
 * are checked for 32-bit overflow, so a corrupt file gives a message, not a
 * wild read.
 */
#include "lib/elf32.h"

static int range_ok(uint32_t off, uint32_t size, size_t len)
{
	return off <= len && size <= len - off;
}

const char *elf32_validate(const void *image, size_t len)
{
	const struct elf32_ehdr *eh = image;

	if (len < sizeof *eh)
		return "shorter than an ELF header";
	if (eh->magic != ELF_MAGIC)
		return "not an ELF file";
	if (eh->class != ELFCLASS32 || eh->data != ELFDATA2LSB)
		return "not 32-bit little-endian ELF";
	if (eh->type != ET_EXEC || eh->machine != EM_386)
		return "not an i386 executable";
	if (eh->phentsize != sizeof(struct elf32_phdr) || eh->phnum == 0)
		return "bad program header table";
	if (!range_ok(eh->phoff, (uint32_t)eh->phnum * sizeof(struct elf32_phdr), len))
		return "program headers outside the file";
	if (eh->phoff % 4)
		return "misaligned program headers";

	const struct elf32_phdr *ph = elf32_phdrs(image);
	int loads = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		loads++;
		if (!range_ok(ph[i].offset, ph[i].filesz, len))
			return "segment outside the file";
		if (ph[i].filesz > ph[i].memsz)
			return "segment file size above memory size";
		if (ph[i].vaddr + ph[i].memsz < ph[i].vaddr)
			return "segment wraps around 4 GiB";
	}
	return loads ? 0 : "no loadable segment";
}

const struct elf32_phdr *elf32_phdrs(const void *image)
{
	const struct elf32_ehdr *eh = image;

	return (const struct elf32_phdr *)((const char *)image + eh->phoff);
}

void elf32_load_span(const void *image, uint32_t *lo, uint32_t *hi)
{
	const struct elf32_ehdr *eh = image;
	const struct elf32_phdr *ph = elf32_phdrs(image);

	*lo = 0xFFFFFFFFu;
	*hi = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD || !ph[i].memsz)
			continue;
		if (ph[i].vaddr < *lo)
			*lo = ph[i].vaddr;
		if (ph[i].vaddr + ph[i].memsz > *hi)
			*hi = ph[i].vaddr + ph[i].memsz;
	}
}
