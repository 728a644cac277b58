/*
 * insn.c - which memory an instruction accesses: the part of the x86
 * decoder that finds its segment, offset and size.
 *
 * A #GP or #SS for a segment limit carries no address (the error code is
 * 0, CR2 is not set), so to say which access ran past which limit the
 * kernel decodes the faulting instruction (segfault.c). This knows what
 * 32-bit ring-3 code holds: prefixes, ModRM with SIB and displacements
 * (Intel SDM vol. 2, 2.1), the string instructions, the stack's pushes
 * and pops. Anything else is "not decoded": 16-bit addressing (a 0x67
 * prefix), x87, and the instructions that touch no memory (hlt, cli...),
 * whose #GP is not a limit's anyway.
 * Pure code, no state: test/host/test_segment.c runs it on the host.
 */
#include <arch/insn.h>

/* The reader of the instruction's bytes: out of bytes is "not decoded". */
struct reader {
	const uint8_t *code;
	uint32_t n, at;
	int ok;
};

static uint8_t byte(struct reader *r)
{
	if (r->at >= r->n) {
		r->ok = 0;
		return 0;
	}
	return r->code[r->at++];
}

static uint32_t dword(struct reader *r)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)byte(r) << (8 * i);
	return v;
}

/* What a ModRM byte (and its SIB and displacement) addresses. Returns 0
 * for a register operand (mod 3), 1 with *off and *seg for memory. */
static int modrm_operand(struct reader *r, uint8_t modrm, const struct insn_regs *regs,
			 uint32_t *off, enum seg_reg *seg)
{
	unsigned mod = modrm >> 6, rm = modrm & 7;
	uint32_t addr = 0;
	int base_reg = -1;

	if (mod == 3)
		return 0;
	if (rm == 4) { /* SIB */
		uint8_t sib = byte(r);
		unsigned scale = sib >> 6, index = (sib >> 3) & 7, base = sib & 7;
		if (index != 4)
			addr += regs->r[index] << scale;
		if (base == 5 && mod == 0)
			addr += dword(r);
		else
			base_reg = (int)base;
	} else if (rm == 5 && mod == 0) {
		addr = dword(r);
	} else {
		base_reg = (int)rm;
	}
	if (base_reg >= 0)
		addr += regs->r[base_reg];
	if (mod == 1)
		addr += (uint32_t)(int32_t)(int8_t)byte(r);
	else if (mod == 2)
		addr += dword(r);
	*off = addr;
	/* Through ESP or EBP the default segment is the stack's. */
	*seg = base_reg == REG_ESP || base_reg == REG_EBP ? SR_SS : SR_DS;
	return 1;
}

enum { RD = 0, WR = 1 };

static void add(struct insn_decoded *d, enum seg_reg seg, uint32_t off, uint32_t size, int write)
{
	d->access[d->n++] = (struct mem_access){ seg, off, size, write };
}

/* A ModRM-addressed operand of size bytes, written or not. */
static void modrm_access(struct reader *r, struct insn_decoded *d, const struct insn_regs *regs,
			 enum seg_reg override, uint32_t size, int write)
{
	uint8_t modrm = byte(r);
	uint32_t off;
	enum seg_reg seg;

	d->modrm_reg = (modrm >> 3) & 7;
	if (modrm_operand(r, modrm, regs, &off, &seg))
		add(d, override != SR_NONE ? override : seg, off, size, write);
}

/* The stack's implicit access: a push of size bytes, or a pop. */
static void stack(struct insn_decoded *d, const struct insn_regs *regs, uint32_t size, int push)
{
	add(d, SR_SS, push ? regs->r[REG_ESP] - size : regs->r[REG_ESP], size, push);
}

/* Two-byte opcodes (0x0F xx) with a ModRM memory operand. */
static int two_byte(struct reader *r, struct insn_decoded *d, const struct insn_regs *regs,
		    enum seg_reg ov, uint32_t opsize)
{
	uint8_t op = byte(r);

	if (op == 0xB6 || op == 0xBE)
		modrm_access(r, d, regs, ov, 1, RD); /* movzx, movsx r, r/m8 */
	else if (op == 0xB7 || op == 0xBF)
		modrm_access(r, d, regs, ov, 2, RD); /* r/m16 */
	else if ((op >= 0x40 && op <= 0x4F) || op == 0xAF || op == 0xA3 || op == 0xBC ||
		 op == 0xBD)
		modrm_access(r, d, regs, ov, opsize, RD); /* cmov, imul, bt, bsf, bsr */
	else if (op >= 0x90 && op <= 0x9F)
		modrm_access(r, d, regs, ov, 1, WR); /* setcc */
	else if (op == 0xAB || op == 0xB3 || op == 0xBB || op == 0xB1 || op == 0xC1 || op == 0xA4 ||
		 op == 0xA5 || op == 0xAC || op == 0xAD)
		modrm_access(r, d, regs, ov, opsize, WR); /* bts btr btc cmpxchg xadd shld shrd */
	else if (op == 0xB0 || op == 0xC0)
		modrm_access(r, d, regs, ov, 1, WR); /* cmpxchg, xadd r/m8 */
	else
		return -1;
	return 0;
}

/* Opcodes 0x00-0x3F: add, or, adc, sbb, and, sub, xor, cmp, in their
 * ModRM forms (the low three bits 0..3). */
static int alu(struct reader *r, struct insn_decoded *d, const struct insn_regs *regs,
	       enum seg_reg ov, uint8_t op, uint32_t opsize)
{
	uint32_t size = op & 1 ? opsize : 1;
	int to_rm = !(op & 2) && (op & 0x38) != 0x38; /* the r/m is the destination; cmp writes none */

	modrm_access(r, d, regs, ov, size, to_rm ? WR : RD);
	return 0;
}

/* Groups whose ModRM reg field picks the operation. */
static int group(struct reader *r, struct insn_decoded *d, const struct insn_regs *regs,
		 enum seg_reg ov, uint8_t op, uint32_t opsize)
{
	uint32_t size = op & 1 ? opsize : 1;
	unsigned reg = (r->at < r->n ? r->code[r->at] >> 3 : 0) & 7; /* ModRM's, peeked */

	switch (op) {
	case 0x80: case 0x81: case 0x83: /* add..cmp r/m, imm: cmp (/7) reads */
		modrm_access(r, d, regs, ov, op == 0x80 ? 1 : opsize, reg == 7 ? RD : WR);
		break;
	case 0xC0: case 0xC1: case 0xD0: case 0xD1: case 0xD2: case 0xD3: /* shifts */
		modrm_access(r, d, regs, ov, size, WR);
		break;
	case 0xF6: case 0xF7: /* test (/0 /1), not, neg: written; mul, div: read */
		modrm_access(r, d, regs, ov, size, reg == 2 || reg == 3 ? WR : RD);
		break;
	case 0xFE: /* inc, dec r/m8 */
		if (reg > 1)
			return -1;
		modrm_access(r, d, regs, ov, 1, WR);
		break;
	case 0xFF: /* inc dec call callf jmp jmpf push */
		if (reg == 7)
			return -1;
		modrm_access(r, d, regs, ov, reg == 3 || reg == 5 ? 6 : opsize, reg <= 1 ? WR : RD);
		if (reg == 2 || reg == 6)
			stack(d, regs, opsize, 1); /* call pushes EIP, push pushes */
		break;
	default:
		return -1;
	}
	return 0;
}

/* The string instructions: DS:ESI (or the override) and ES:EDI. */
static void string_op(struct insn_decoded *d, const struct insn_regs *regs, enum seg_reg ov,
		      uint8_t op, uint32_t opsize)
{
	uint32_t size = op & 1 ? opsize : 1;
	enum seg_reg src = ov != SR_NONE ? ov : SR_DS;

	switch (op & ~1u) {
	case 0xA4: /* movs */
		add(d, src, regs->r[REG_ESI], size, RD);
		add(d, SR_ES, regs->r[REG_EDI], size, WR);
		break;
	case 0xA6: /* cmps */
		add(d, src, regs->r[REG_ESI], size, RD);
		add(d, SR_ES, regs->r[REG_EDI], size, RD);
		break;
	case 0xAA: /* stos */
		add(d, SR_ES, regs->r[REG_EDI], size, WR);
		break;
	case 0xAC: /* lods */
		add(d, src, regs->r[REG_ESI], size, RD);
		break;
	default: /* 0xAE scas */
		add(d, SR_ES, regs->r[REG_EDI], size, RD);
	}
}

/* One-byte opcodes without ModRM that touch memory; -1 for the rest. */
static int implicit(struct reader *r, struct insn_decoded *d, const struct insn_regs *regs,
		    enum seg_reg ov, uint8_t op, uint32_t opsize)
{
	if (op >= 0x50 && op <= 0x57)
		stack(d, regs, opsize, 1); /* push r */
	else if (op >= 0x58 && op <= 0x5F)
		stack(d, regs, opsize, 0); /* pop r */
	else if (op == 0x68 || op == 0x6A || op == 0x9C || op == 0xE8)
		stack(d, regs, opsize, 1); /* push imm, pushf, call */
	else if (op == 0x9D || op == 0xC3 || op == 0xC2)
		stack(d, regs, opsize, 0); /* popf, ret */
	else if (op == 0x60 || op == 0x61)
		stack(d, regs, 8 * opsize, op == 0x60); /* pusha, popa */
	else if (op == 0xC9)
		add(d, SR_SS, regs->r[REG_EBP], opsize, RD); /* leave: pop from EBP */
	else if (op >= 0xA0 && op <= 0xA3)
		add(d, ov != SR_NONE ? ov : SR_DS, dword(r), op & 1 ? opsize : 1, op >= 0xA2);
	else if (op >= 0xA4 && op <= 0xAF && op != 0xA8 && op != 0xA9)
		string_op(d, regs, ov, op, opsize);
	else
		return -1;
	return 0;
}

/* With ModRM: mov, xchg, test, lea, imul, les/lds, mov r/m imm. */
static int with_modrm(struct reader *r, struct insn_decoded *d, const struct insn_regs *regs,
		      enum seg_reg ov, uint8_t op, uint32_t opsize)
{
	uint32_t size = op & 1 ? opsize : 1;

	switch (op) {
	case 0x84: case 0x85: /* test */
		modrm_access(r, d, regs, ov, size, RD);
		break;
	case 0x86: case 0x87: case 0x88: case 0x89: case 0xC6: case 0xC7: /* xchg, mov r/m */
		modrm_access(r, d, regs, ov, size, WR);
		break;
	case 0x8A: case 0x8B: /* mov r, r/m */
		modrm_access(r, d, regs, ov, size, RD);
		break;
	case 0x69: case 0x6B: /* imul r, r/m, imm */
		modrm_access(r, d, regs, ov, opsize, RD);
		break;
	case 0x8C: /* mov r/m16, sreg */
		modrm_access(r, d, regs, ov, 2, WR);
		break;
	case 0x8E: /* mov sreg, r/m16 */
		modrm_access(r, d, regs, ov, 2, RD);
		break;
	case 0x8D: /* lea: an address, no access */
		byte(r);
		break;
	case 0x8F: /* pop r/m */
		modrm_access(r, d, regs, ov, opsize, WR);
		stack(d, regs, opsize, 0);
		break;
	case 0xC4: case 0xC5: /* les, lds: a far pointer */
		modrm_access(r, d, regs, ov, opsize + 2, RD);
		break;
	default:
		return -1;
	}
	return 0;
}

int insn_decode(const uint8_t *code, uint32_t n, const struct insn_regs *regs,
		struct insn_decoded *d)
{
	static const enum seg_reg overrides[8] = { [0] = SR_ES, [1] = SR_CS, [2] = SR_SS,
						   [3] = SR_DS };
	struct reader r = { code, n, 0, 1 };
	enum seg_reg ov = SR_NONE;
	uint32_t opsize = 4;
	uint8_t op;
	int rc;

	d->n = 0;
	d->modrm_reg = 0;
	for (;;) {
		op = byte(&r);
		if (op == 0x26 || op == 0x2E || op == 0x36 || op == 0x3E)
			ov = overrides[(op >> 3) & 3];
		else if (op == 0x64 || op == 0x65)
			ov = op == 0x64 ? SR_FS : SR_GS;
		else if (op == 0x66)
			opsize = 2;
		else if (op == 0x67)
			return -1; /* 16-bit addressing */
		else if (op != 0xF0 && op != 0xF2 && op != 0xF3)
			break;
		if (!r.ok || r.at >= 15)
			return -1;
	}
	if (op == 0x0F)
		rc = two_byte(&r, d, regs, ov, opsize);
	else if (op < 0x40 && (op & 7) < 4)
		rc = alu(&r, d, regs, ov, op, opsize);
	else if (op == 0x80 || op == 0x81 || op == 0x83 || op == 0xC0 || op == 0xC1 ||
		 (op >= 0xD0 && op <= 0xD3) || op == 0xF6 || op == 0xF7 || op == 0xFE || op == 0xFF)
		rc = group(&r, d, regs, ov, op, opsize);
	else if (op >= 0xD8 && op <= 0xDF)
		rc = -1; /* x87: tasks have none (CR0.EM) */
	else if ((rc = with_modrm(&r, d, regs, ov, op, opsize)) < 0)
		rc = implicit(&r, d, regs, ov, op, opsize);
	return r.ok ? rc : -1;
}

const char *seg_reg_name(enum seg_reg s)
{
	static const char *const names[] = { "ES", "CS", "SS", "DS", "FS", "GS", "?" };

	return names[s <= SR_NONE ? s : SR_NONE];
}
