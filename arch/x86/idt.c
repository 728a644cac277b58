/*
 * idt.c - the interrupt descriptor table.
 *
 * Every vector gets an interrupt gate (the CPU clears IF on entry, so
 * kernel code always runs with interrupts off), DPL 0 except int 0x80,
 * which ring 3 may raise. Vector 8 is a task gate: a double fault switches
 * to a fresh stack (see gdt.c).
 */
#include <arch/cpu.h>
#include <arch/segment.h>
#include <arch/trap.h>


#define GATE_INT32 0x8E  /* present, DPL 0, 32-bit interrupt gate */
#define GATE_USER 0x60   /* DPL 3: reachable with int from ring 3 */
#define GATE_TASK 0x85   /* present, DPL 0, task gate */

struct gate idt[256] __attribute__((aligned(8)));
extern const uint32_t trap_vectors[256];

static void set_gate(int v, uint32_t handler, uint16_t sel, uint8_t type)
{
	idt[v] = (struct gate){ handler & 0xFFFF, sel, 0, type, handler >> 16 };
}

void idt_init(void)
{
	struct descriptor_table_reg r = { sizeof idt - 1, (uint32_t)idt };

	for (int v = 0; v < 256; v++)
		set_gate(v, trap_vectors[v], KERNEL_CS, GATE_INT32);
	/* int $0x80, and int3 and into as Linux allows them: ring 3 reaching
	 * any other gate with int gets #GP instead. */
	set_gate(T_SYSCALL, trap_vectors[T_SYSCALL], KERNEL_CS, GATE_INT32 | GATE_USER);
	set_gate(T_BRKPT, trap_vectors[T_BRKPT], KERNEL_CS, GATE_INT32 | GATE_USER);
	set_gate(T_OFLOW, trap_vectors[T_OFLOW], KERNEL_CS, GATE_INT32 | GATE_USER);
	set_gate(T_DBLFLT, 0, DF_TSS_SEL, GATE_TASK);
	__asm__ volatile("lidt %0" : : "m"(r));
}
