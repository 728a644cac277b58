/* elf32.h - the parts of the ELF32 format the loader and the kernel read. */
#ifndef ELF32_H
#define ELF32_H

#include <stdint.h>

#define ELF_MAGIC 0x464C457Fu /* "\x7fELF" read as a little-endian word */
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3

#define PT_LOAD 1
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

#define SHT_SYMTAB 2
#define SHT_REL 9
#define SHF_ALLOC 0x2

#define SHN_UNDEF 0
#define SHN_LORESERVE 0xff00
#define SHN_ABS 0xfff1

#define R_386_NONE 0
#define R_386_32 1
#define R_386_PC32 2
#define R_386_PLT32 4

struct elf32_ehdr {
	uint32_t magic;
	uint8_t class, data, version, osabi;
	uint8_t pad[8];
	uint16_t type, machine;
	uint32_t version2, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

struct elf32_shdr {
	uint32_t name, type, flags, addr, offset, size, link, info, addralign, entsize;
};

struct elf32_sym {
	uint32_t name, value, size;
	uint8_t info, other;
	uint16_t shndx;
};

struct elf32_rel {
	uint32_t offset, info;
};

#define ELF32_R_SYM(i) ((i) >> 8)
#define ELF32_R_TYPE(i) ((uint8_t)(i))

#endif
