/*
 * segfault.c - a #GP or #SS from ring 3, said in words: which segment,
 * which offset, which limit.
 *
 * A limit violation reports nothing but error code 0 (SDM vol. 3, 6.15:
 * #GP and #SS). The kernel reads the faulting instruction through the
 * task's page tables, decodes its memory accesses (insn.c), and compares
 * each with the limit of the segment it goes through, read from the
 * task's LDT (or the GDT): the one past its limit is the culprit. An
 * instruction fetch past CS's limit faults with EIP past it. Called from
 * user_exception() (core/task/syscall.c), in the faulting task's context.
 */
#include <arch/insn.h>
#include <arch/segment.h>
#include <arch/trap.h>

#include "core/task/task.h"
#include "lib/fmt.h"

#define X86_INSN_MAX 15 /* bytes: the longest x86 instruction */

static uint16_t read_fs(void)
{
	uint16_t v;

	__asm__ volatile("mov %%fs, %0" : "=r"(v));
	return v;
}

static uint16_t read_gs(void)
{
	uint16_t v;

	__asm__ volatile("mov %%gs, %0" : "=r"(v));
	return v;
}

/* The instruction's bytes at linear va, as many as are present (it may
 * end on a page that is not). */
static uint32_t read_code(struct aspace *as, vaddr_t va, uint8_t *code)
{
	uint32_t first = PGSIZE - PGOFF(va);

	if (first >= X86_INSN_MAX)
		return vmm_peek(as, va, code, X86_INSN_MAX) ? 0 : X86_INSN_MAX;
	if (vmm_peek(as, va, code, first))
		return 0;
	return vmm_peek(as, va + first, code + first, X86_INSN_MAX - first) ? first : X86_INSN_MAX;
}

static int past(uint32_t offset, uint32_t size, uint32_t limit)
{
	return offset > limit || size - 1 > limit - offset;
}

int trap_segment_violation(const struct trapframe *tf, char *buf, unsigned size)
{
	struct task *t = current;
	const struct seg_desc *cs = seg_lookup((uint16_t)tf->cs, t->ldt_sel);
	uint8_t code[X86_INSN_MAX];
	struct insn_decoded d;

	if (tf->error || !cs || !t->as)
		return 0; /* a selector's fault carries the selector: not a limit */
	if (tf->eip > seg_limit(cs)) {
		fmt_snprintf(buf, size, "instruction fetch at CS:0x%08x, past the code segment's "
			     "limit 0x%08x (selector 0x%04x, base 0x%08x)", tf->eip, seg_limit(cs),
			     tf->cs, seg_base(cs));
		return 1;
	}
	struct insn_regs regs = { { tf->eax, tf->ecx, tf->edx, tf->ebx, tf->user_esp, tf->ebp,
				    tf->esi, tf->edi } };
	uint32_t n = read_code(t->as, seg_base(cs) + tf->eip, code);
	if (insn_decode(code, n, &regs, &d))
		return 0;
	const uint16_t sel[SR_NONE] = { (uint16_t)tf->es, (uint16_t)tf->cs, (uint16_t)tf->user_ss,
					(uint16_t)tf->ds, read_fs(), read_gs() };
	for (int i = 0; i < d.n; i++) {
		const struct mem_access *a = &d.access[i];
		const struct seg_desc *s = seg_lookup(sel[a->seg], t->ldt_sel);
		if (!s || !seg_present(s) || !past(a->offset, a->size, seg_limit(s)))
			continue;
		fmt_snprintf(buf, size, "%s of %u byte%s at %s:0x%08x, past the %s segment's limit "
			     "0x%08x (selector 0x%04x, base 0x%08x)", a->write ? "write" : "read",
			     a->size, a->size == 1 ? "" : "s", seg_reg_name(a->seg), a->offset,
			     a->seg == SR_SS ? "stack" : a->seg == SR_CS ? "code" : "data",
			     seg_limit(s), sel[a->seg], seg_base(s));
		return 1;
	}
	return 0;
}
