/* insn.h - the memory accesses of one x86 instruction (arch/x86/insn.c). */
#ifndef ARCH_INSN_H
#define ARCH_INSN_H

#include <stdint.h>

/* Segment registers, in the order of their prefixes and encodings. */
enum seg_reg { SR_ES, SR_CS, SR_SS, SR_DS, SR_FS, SR_GS, SR_NONE };

/* General registers by their encoding (ModRM, SIB). */
enum { REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_ESP, REG_EBP, REG_ESI, REG_EDI };
struct insn_regs {
	uint32_t r[8];
};

struct mem_access {
	enum seg_reg seg;
	uint32_t offset; /* first byte, in the segment */
	uint32_t size;   /* bytes */
	int write;
};

struct insn_decoded {
	int n;                       /* accesses found */
	struct mem_access access[3]; /* e.g. movs: DS:ESI read, ES:EDI written */
	unsigned modrm_reg;          /* the ModRM reg field, when there was one */
};

/* Decode the instruction at code (n bytes available) with these register
 * values. 0 with d filled, or -1: not decoded (too short, a prefix or
 * opcode this decoder does not know -- see insn.c). */
int insn_decode(const uint8_t *code, uint32_t n, const struct insn_regs *regs,
		struct insn_decoded *d);
const char *seg_reg_name(enum seg_reg s);

#endif
