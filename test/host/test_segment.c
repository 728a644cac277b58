/*
 * test_segment.c - segment descriptors (arch/x86/desc.c) and the decoder
 * of memory accesses behind the segment-limit kill line (arch/x86/insn.c).
 *
 * Descriptors are checked byte for byte against the layout of Intel SDM
 * vol. 3, 3.4.5, for the ones the kernel writes (flat user segments, a
 * Linux 0.11 slot, an LDT, a TSS) and the ones it must refuse; the
 * decoder against hand-assembled instructions whose operands are known.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <arch/insn.h>
#include <arch/segment.h>

/* The two 32-bit words of a descriptor, high first, as the SDM draws them. */
static uint64_t raw(const struct seg_desc *d)
{
	uint64_t v;

	memcpy(&v, d, sizeof v);
	return v;
}

static struct seg_spec spec(enum seg_kind kind, uint32_t base, uint32_t limit, unsigned dpl)
{
	return (struct seg_spec){ .kind = kind, .base = base, .limit = limit, .dpl = dpl, .bits = 32 };
}

static void encodes(struct seg_spec s, uint64_t want)
{
	struct seg_desc d;
	const char *why = NULL;

	assert_int_equal(seg_encode(&s, &d, &why), 0);
	assert_null(why);
	assert_int_equal(raw(&d), want);
}

static void refused(struct seg_spec s, const char *reason_part)
{
	struct seg_desc d;
	const char *why = NULL;

	memset(&d, 0x5A, sizeof d);
	assert_int_equal(seg_encode(&s, &d, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, reason_part));
	assert_int_equal(raw(&d), 0x5A5A5A5A5A5A5A5AULL); /* untouched */
}

static void test_flat_user_segments(void **state)
{
	(void)state;
	/* Base 0, limit 0xbfffffff: G set, field 0xbffff; P DPL3 S, type
	 * execute/read (accessed) = 0xfb, data read/write = 0xf3; D/B. */
	encodes(spec(SEG_CODE, 0, USER_SEG_LIMIT, 3), 0x00CBFB000000FFFFULL);
	encodes(spec(SEG_DATA, 0, USER_SEG_LIMIT, 3), 0x00CBF3000000FFFFULL);
	/* The kernel's: 4 GiB, DPL 0. */
	encodes(spec(SEG_CODE, 0, 0xFFFFFFFFu, 0), 0x00CF9B000000FFFFULL);
	encodes(spec(SEG_DATA, 0, 0xFFFFFFFFu, 0), 0x00CF93000000FFFFULL);
}

static void test_linux011_slot(void **state)
{
	(void)state;
	/* Task nr 1: base 64 MiB, limit 64 MiB - 1 (0.11's set_limit stores
	 * (limit - 1) >> 12 = 0x3fff with G set). */
	encodes(spec(SEG_DATA, 0x04000000u, 0x03FFFFFFu, 3), 0x04C0F30000003FFFULL);
	/* Task nr 47, the last below 3 GiB: base 0xbc000000. */
	encodes(spec(SEG_CODE, 0xBC000000u, 0x03FFFFFFu, 3), 0xBCC0FB0000003FFFULL);
}

static void test_byte_granular_limits(void **state)
{
	struct seg_desc d;
	struct seg_spec s = spec(SEG_DATA, 0x12345678u, 0, 0);

	(void)state;
	/* Limit 0: one byte, no G (the boot's probe of limit checking). */
	encodes(s, 0x1240933456780000ULL);
	/* Up to 1 MiB - 1 a limit counts bytes; past it, 4 KiB pages. */
	encodes(spec(SEG_DATA, 0, 0xFFFFFu, 3), 0x004FF3000000FFFFULL);
	encodes(spec(SEG_DATA, 0, 0x100FFFu, 3), 0x00C0F30000000100ULL);
	s = spec(SEG_DATA, 0, 0x9FFFFu, 3); /* 0.11's task 0: 640 KiB */
	assert_int_equal(seg_encode(&s, &d, NULL), 0);
	assert_int_equal(seg_limit(&d), 0x9FFFFu);
	assert_int_equal(d.limit_flags & DESC_G, 0);
}

static void test_system_descriptors(void **state)
{
	(void)state;
	/* An LDT of 3 entries: limit 23, type 2, DPL 0, no D/B. */
	encodes(spec(SEG_LDT, 0xC0123400u, 23, 0), 0xC000821234000017ULL);
	/* A 32-bit TSS: type 9. */
	encodes(spec(SEG_TSS, 0xC0100000u, 103, 0), 0xC000891000000067ULL);
}

static void test_refusals(void **state)
{
	struct seg_spec s;

	(void)state;
	s = spec(SEG_DATA, 0, USER_SEG_LIMIT, 3);
	s.bits = 16;
	refused(s, "16-bit");
	s = spec(SEG_CODE, 0, USER_SEG_LIMIT, 3);
	s.bits = 16;
	refused(s, "16-bit");
	s = spec(SEG_DATA, 0, 0xFFFF, 3);
	s.expand_down = 1;
	refused(s, "expand-down");
	s = spec(SEG_CODE, 0, USER_SEG_LIMIT, 3);
	s.conforming = 1;
	refused(s, "conforming");
	refused(spec(SEG_DATA, 0, 0x100000u, 3), "4 KiB pages");
	refused(spec(SEG_DATA, 0, 0x03FFF000u, 3), "4 KiB pages");
	refused(spec(SEG_DATA, 0, USER_SEG_LIMIT, 4), "DPL");
	refused(spec(SEG_DATA, 0xC0000000u, 0x4FFFFFFFu, 3), "wrap");
	refused(spec(SEG_DATA, 1, 0xFFFFFFFFu, 0), "wrap");
}

static void test_decode_round_trip(void **state)
{
	static const struct {
		enum seg_kind kind;
		uint32_t base, limit;
		unsigned dpl;
		int read_only;
	} cases[] = {
		{ SEG_CODE, 0, USER_SEG_LIMIT, 3, 0 },	     { SEG_DATA, 0, USER_SEG_LIMIT, 3, 0 },
		{ SEG_DATA, 0x08000000u, 0x03FFFFFFu, 3, 0 }, { SEG_DATA, 0x1000u, 0xFFF, 3, 1 },
		{ SEG_CODE, 0x1000u, 0x1FFF, 3, 1 },	     { SEG_LDT, 0xC0000000u, 23, 0, 0 },
		{ SEG_TSS, 0xC0000100u, 103, 0, 0 },
	};
	(void)state;
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct seg_spec s = spec(cases[i].kind, cases[i].base, cases[i].limit, cases[i].dpl), back;
		struct seg_desc d;
		s.read_only = cases[i].read_only;
		assert_int_equal(seg_encode(&s, &d, NULL), 0);
		assert_int_equal(seg_decode(&d, &back, NULL), 0);
		assert_int_equal(back.kind, s.kind);
		assert_int_equal(back.base, s.base);
		assert_int_equal(back.limit, s.limit);
		assert_int_equal(back.dpl, s.dpl);
		assert_int_equal(back.read_only, s.read_only);
		assert_int_equal(seg_base(&d), s.base);
		assert_int_equal(seg_limit(&d), s.limit);
	}
}

static void test_decode_refuses_what_we_never_write(void **state)
{
	struct seg_desc d;
	struct seg_spec s;
	const char *why = NULL;

	(void)state;
	memset(&d, 0, sizeof d);
	assert_int_equal(seg_decode(&d, &s, &why), -1); /* not present */
	assert_string_equal(seg_type_name(&d), "not present");
	/* A 16-bit data segment, hand-made: type 3, P, DPL 3, no D/B. */
	uint64_t v16 = 0x0000F3000000FFFFULL;
	memcpy(&d, &v16, sizeof d);
	assert_int_equal(seg_decode(&d, &s, &why), -1);
	assert_string_equal(why, "16-bit");
	/* Expand-down, 32-bit: type 7. */
	uint64_t vdown = 0x00CFF7000000FFFFULL;
	memcpy(&d, &vdown, sizeof d);
	assert_int_equal(seg_decode(&d, &s, &why), -1);
	assert_string_equal(why, "expand-down");
	/* A 32-bit call gate (type 0xc) is no descriptor of ours. */
	uint64_t gate = 0x0000EC0000080000ULL;
	memcpy(&d, &gate, sizeof d);
	assert_int_equal(seg_decode(&d, &s, &why), -1);
	assert_string_equal(seg_type_name(&d), "unusual (see its access byte)");
}

static void test_type_names(void **state)
{
	struct seg_desc d;
	struct seg_spec s = spec(SEG_DATA, 0, 0xFFF, 3);

	(void)state;
	seg_encode(&s, &d, NULL);
	assert_string_equal(seg_type_name(&d), "data");
	s.read_only = 1;
	seg_encode(&s, &d, NULL);
	assert_string_equal(seg_type_name(&d), "data, read-only");
	s = spec(SEG_CODE, 0, 0xFFF, 3);
	seg_encode(&s, &d, NULL);
	assert_string_equal(seg_type_name(&d), "code");
	s = spec(SEG_LDT, 0, 23, 0);
	seg_encode(&s, &d, NULL);
	assert_string_equal(seg_type_name(&d), "LDT");
	s = spec(SEG_TSS, 0, 103, 0);
	seg_encode(&s, &d, NULL);
	assert_string_equal(seg_type_name(&d), "32-bit TSS");
	d.access |= 0x2; /* the CPU marks the TSS in TR busy */
	assert_string_equal(seg_type_name(&d), "32-bit TSS (busy)");
}

static void test_selector_parts(void **state)
{
	(void)state;
	assert_int_equal(USER_CS, 0x0F); /* 0.11's selectors */
	assert_int_equal(USER_DS, 0x17);
	assert_int_equal(SEL_INDEX(USER_DS), LDT_DATA);
	assert_true(SEL_IS_LDT(USER_DS));
	assert_int_equal(SEL_RPL(USER_DS), 3);
	assert_false(SEL_IS_LDT(KERNEL_DS));
	assert_int_equal(SEL_INDEX(KERNEL_DS), GDT_KDATA);
	assert_int_equal(DESC_DPL(0xF3), 3);
	assert_int_equal(DESC_DPL(0x93), 0);
}

/* ------------------------------------------------------------ decoder --- */

static struct insn_regs regs(void)
{
	struct insn_regs r;

	for (int i = 0; i < 8; i++)
		r.r[i] = 0x1000u * (uint32_t)(i + 1);
	r.r[REG_ESP] = 0x2000;
	return r;
}

/* Decode bytes; one access expected: segment, offset, size, write. */
static void one(const uint8_t *code, uint32_t n, enum seg_reg seg, uint32_t off, uint32_t size,
		int write)
{
	struct insn_regs r = regs();
	struct insn_decoded d;

	assert_int_equal(insn_decode(code, n, &r, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.access[0].seg, seg);
	assert_int_equal(d.access[0].offset, off);
	assert_int_equal(d.access[0].size, size);
	assert_int_equal(d.access[0].write, write);
}

#define ONE(bytes, ...)                                                 \
	do {                                                            \
		static const uint8_t c[] = bytes;                       \
		one(c, sizeof c, __VA_ARGS__);                          \
	} while (0)
#define B(...) { __VA_ARGS__ }

static void test_decode_modrm(void **state)
{
	(void)state;
	/* EAX 0x1000, ECX 0x2000, EDX 0x3000, EBX 0x4000, ESP 0x2000, EBP 0x6000,
	 * ESI 0x7000, EDI 0x8000 */
	ONE(B(0x8B, 0x00), SR_DS, 0x1000, 4, 0);		  /* mov (%eax),%eax */
	ONE(B(0x8B, 0x43, 0x04), SR_DS, 0x4004, 4, 0);	  /* mov 4(%ebx),%eax */
	ONE(B(0x89, 0x06), SR_DS, 0x7000, 4, 1);		  /* mov %eax,(%esi) */
	ONE(B(0xC6, 0x00, 0x01), SR_DS, 0x1000, 1, 1);	  /* movb $1,(%eax) */
	ONE(B(0x0F, 0xB6, 0x01), SR_DS, 0x2000, 1, 0);	  /* movzbl (%ecx),%eax */
	ONE(B(0x0F, 0xB7, 0x01), SR_DS, 0x2000, 2, 0);	  /* movzwl (%ecx),%eax */
	ONE(B(0x66, 0x89, 0x03), SR_DS, 0x4000, 2, 1);	  /* mov %ax,(%ebx) */
	ONE(B(0x8B, 0x04, 0x24), SR_SS, 0x2000, 4, 0);	  /* mov (%esp),%eax */
	ONE(B(0x8B, 0x45, 0xF8), SR_SS, 0x5FF8, 4, 0);	  /* mov -8(%ebp),%eax */
	ONE(B(0x8B, 0x54, 0x88, 0x10), SR_DS, 0x1000 + 0x8000 + 0x10, 4, 0); /* 0x10(%eax,%ecx,4) */
	ONE(B(0x8B, 0x04, 0x4D, 0x00, 0x01, 0x00, 0x00), SR_DS, 0x100 + 0x4000, 4, 0); /* 0x100(,%ecx,2) */
	ONE(B(0x8B, 0x05, 0x78, 0x56, 0x34, 0x12), SR_DS, 0x12345678, 4, 0); /* mov 0x12345678,%eax */
	ONE(B(0x8B, 0x80, 0x00, 0x00, 0x00, 0x04), SR_DS, 0x04001000, 4, 0); /* disp32(%eax) */
	ONE(B(0x26, 0x89, 0x07), SR_ES, 0x8000, 4, 1);	  /* mov %eax,%es:(%edi) */
	ONE(B(0x64, 0x8B, 0x00), SR_FS, 0x1000, 4, 0);	  /* mov %fs:(%eax),%eax */
	ONE(B(0x3E, 0x8B, 0x04, 0x24), SR_DS, 0x2000, 4, 0); /* %ds:(%esp): the override wins */
	ONE(B(0x01, 0x08), SR_DS, 0x1000, 4, 1);		  /* add %ecx,(%eax) */
	ONE(B(0x39, 0x08), SR_DS, 0x1000, 4, 0);		  /* cmp %ecx,(%eax): no write */
	ONE(B(0x3B, 0x08), SR_DS, 0x1000, 4, 0);		  /* cmp (%eax),%ecx */
	ONE(B(0x80, 0x38, 0x05), SR_DS, 0x1000, 1, 0);	  /* cmpb $5,(%eax) */
	ONE(B(0x83, 0x00, 0x05), SR_DS, 0x1000, 4, 1);	  /* addl $5,(%eax) */
	ONE(B(0xFF, 0x00), SR_DS, 0x1000, 4, 1);		  /* incl (%eax) */
	ONE(B(0xF7, 0x18), SR_DS, 0x1000, 4, 1);		  /* negl (%eax) */
	ONE(B(0xF7, 0x20), SR_DS, 0x1000, 4, 0);		  /* mull (%eax) */
	ONE(B(0x0F, 0x94, 0x00), SR_DS, 0x1000, 1, 1);	  /* sete (%eax) */
}

static void test_decode_implicit(void **state)
{
	(void)state;
	ONE(B(0x50), SR_SS, 0x1FFC, 4, 1);	     /* push %eax */
	ONE(B(0x58), SR_SS, 0x2000, 4, 0);	     /* pop %eax */
	ONE(B(0x6A, 0x01), SR_SS, 0x1FFC, 4, 1);   /* push $1 */
	ONE(B(0xE8, 0, 0, 0, 0), SR_SS, 0x1FFC, 4, 1); /* call */
	ONE(B(0xC3), SR_SS, 0x2000, 4, 0);	     /* ret */
	ONE(B(0x60), SR_SS, 0x2000 - 32, 32, 1);   /* pusha */
	ONE(B(0xC9), SR_SS, 0x6000, 4, 0);	     /* leave: pops at EBP */
	ONE(B(0xA1, 0x00, 0x10, 0x00, 0x04), SR_DS, 0x04001000, 4, 0); /* mov moffs,%eax */
	ONE(B(0xA2, 0x00, 0x10, 0x00, 0x04), SR_DS, 0x04001000, 1, 1); /* mov %al,moffs */
	ONE(B(0xF3, 0xAB), SR_ES, 0x8000, 4, 1);   /* rep stosl */
	ONE(B(0xAC), SR_DS, 0x7000, 1, 0);	     /* lodsb */
	ONE(B(0x26, 0xAC), SR_ES, 0x7000, 1, 0);   /* lodsb %es:(%esi) */
}

static void test_decode_two_accesses(void **state)
{
	struct insn_regs r = regs();
	struct insn_decoded d;
	static const uint8_t movs[] = { 0xF3, 0xA5 }, call[] = { 0xFF, 0x10 };

	(void)state;
	assert_int_equal(insn_decode(movs, sizeof movs, &r, &d), 0); /* rep movsl */
	assert_int_equal(d.n, 2);
	assert_int_equal(d.access[0].seg, SR_DS);
	assert_int_equal(d.access[0].offset, 0x7000);
	assert_false(d.access[0].write);
	assert_int_equal(d.access[1].seg, SR_ES);
	assert_int_equal(d.access[1].offset, 0x8000);
	assert_true(d.access[1].write);
	assert_int_equal(insn_decode(call, sizeof call, &r, &d), 0); /* call *(%eax) */
	assert_int_equal(d.n, 2);
	assert_int_equal(d.access[0].offset, 0x1000);
	assert_int_equal(d.access[1].seg, SR_SS);
	assert_int_equal(d.access[1].offset, 0x1FFC);
}

static void test_decode_no_access(void **state)
{
	struct insn_regs r = regs();
	struct insn_decoded d;
	static const uint8_t lea[] = { 0x8D, 0x58, 0x04 }, reg[] = { 0x89, 0xC3 };
	static const uint8_t hlt[] = { 0xF4 }, a16[] = { 0x67, 0x8B, 0x00 }, cut[] = { 0x8B };
	static const uint8_t cut_disp[] = { 0x8B, 0x80, 0x00 }, x87[] = { 0xD9, 0x00 };
	static const uint8_t prefixes[16] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
					      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66 };

	(void)state;
	assert_int_equal(insn_decode(lea, sizeof lea, &r, &d), 0); /* an address, no access */
	assert_int_equal(d.n, 0);
	assert_int_equal(insn_decode(reg, sizeof reg, &r, &d), 0); /* mov %eax,%ebx */
	assert_int_equal(d.n, 0);
	assert_int_equal(insn_decode(hlt, sizeof hlt, &r, &d), -1);
	assert_int_equal(insn_decode(a16, sizeof a16, &r, &d), -1);
	assert_int_equal(insn_decode(cut, sizeof cut, &r, &d), -1);
	assert_int_equal(insn_decode(cut_disp, sizeof cut_disp, &r, &d), -1);
	assert_int_equal(insn_decode(x87, sizeof x87, &r, &d), -1);
	assert_int_equal(insn_decode(prefixes, sizeof prefixes, &r, &d), -1); /* past 15 bytes */
	assert_string_equal(seg_reg_name(SR_SS), "SS");
	assert_string_equal(seg_reg_name(SR_GS), "GS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_user_segments),
		cmocka_unit_test(test_linux011_slot),
		cmocka_unit_test(test_byte_granular_limits),
		cmocka_unit_test(test_system_descriptors),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_decode_round_trip),
		cmocka_unit_test(test_decode_refuses_what_we_never_write),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_selector_parts),
		cmocka_unit_test(test_decode_modrm),
		cmocka_unit_test(test_decode_implicit),
		cmocka_unit_test(test_decode_two_accesses),
		cmocka_unit_test(test_decode_no_access),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
