/* elf32.h - checks on an ELF32 i386 executable in memory (lib/elf32.c). */
#ifndef LIB_ELF32_H
#define LIB_ELF32_H

#include <stddef.h>

#include <elf_format.h>

/* NULL when image[0..len) is a well-formed i386 executable, else why not. */
const char *elf32_validate(const void *image, size_t len);

/* Program headers of a validated image. */
const struct elf32_phdr *elf32_phdrs(const void *image);

/* [lo, hi) covering every PT_LOAD segment of a validated image. */
void elf32_load_span(const void *image, uint32_t *lo, uint32_t *hi);

#endif
