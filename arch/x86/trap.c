/*
 * trap.c - where every exception, IRQ and system call lands.
 *
 * trap_dispatch() sorts a trap by vector. Exceptions from ring 3 end the
 * task (it cannot take the kernel down); exceptions in ring 0 are kernel
 * bugs unless the faulting instruction has an exception-table entry (user
 * copies, boot probes), and end in a panic with a full register dump.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/machine.h>
#include <arch/segment.h>
#include <arch/trap.h>

#include <errnum.h>

#include "core/kernel.h"
#include "core/log.h"
#include "lib/fmt.h"

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM no math coprocessor",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization",
	"#CP control protection",
};

/* Who is called for an interrupt: a chain per 8259 line (INTx lines are
 * shared), one owner per MSI vector. Written at boot and by drivers in
 * task context, read in the interrupt: interrupts are off for both. */
struct irq_action {
	irq_handler_fn fn;
	void *ctx;
};

static struct irq_action irq_chain[IRQ_LINES][IRQ_CHAIN_MAX];
static struct irq_action vector_owner[256];
static uint32_t vector_taken[256];
static uint32_t line_taken[IRQ_LINES], line_unclaimed[IRQ_LINES];
uint32_t fixup_last_cr2, fixup_last_error;

extern const struct extable_entry __extable_start[], __extable_end[];

int irq_register(int line, irq_handler_fn fn, void *ctx)
{
	struct irq_action *free_slot = 0;

	if (line < 0 || line >= IRQ_LINES || !fn)
		return -EINVAL;
	for (int i = 0; i < IRQ_CHAIN_MAX; i++) {
		struct irq_action *a = &irq_chain[line][i];
		if (a->fn == fn && a->ctx == ctx)
			return 0;
		if (!a->fn && !free_slot)
			free_slot = a;
	}
	if (!free_slot)
		return -ENOSPC;
	*free_slot = (struct irq_action){ fn, ctx };
	return 0;
}

void irq_unregister(int line, irq_handler_fn fn, void *ctx)
{
	if (line < 0 || line >= IRQ_LINES)
		return;
	for (int i = 0; i < IRQ_CHAIN_MAX; i++)
		if (irq_chain[line][i].fn == fn && irq_chain[line][i].ctx == ctx)
			irq_chain[line][i] = (struct irq_action){ 0, 0 };
}

/* Vectors a device may own: not the 8259's, the system call's or the
 * local APIC's spurious vector. */
static int vector_assignable(int v)
{
	return v >= FIRST_UNUSED_VECTOR && v < T_SPURIOUS && v != T_SYSCALL;
}

int irq_alloc_vector(irq_handler_fn fn, void *ctx)
{
	if (!fn)
		return -EINVAL;
	for (int v = FIRST_UNUSED_VECTOR; v < T_SPURIOUS; v++) {
		if (vector_assignable(v) && !vector_owner[v].fn) {
			vector_owner[v] = (struct irq_action){ fn, ctx };
			vector_taken[v] = 0;
			return v;
		}
	}
	return -ENOSPC;
}

void irq_free_vector(int vector)
{
	if (vector_assignable(vector))
		vector_owner[vector] = (struct irq_action){ 0, 0 };
}

uint32_t irq_vector_count(int vector)
{
	return vector >= 0 && vector < 256 ? vector_taken[vector] : 0;
}

void irq_line_stats(int line, uint32_t *taken, uint32_t *unclaimed)
{
	int ok = line >= 0 && line < IRQ_LINES;

	*taken = ok ? line_taken[line] : 0;
	*unclaimed = ok ? line_unclaimed[line] : 0;
}

const char *trap_name(uint32_t vector)
{
	if (vector < 32)
		return exception_names[vector] ? exception_names[vector] : "reserved";
	if (vector >= T_IRQ0 && vector < T_IRQ0 + 16)
		return "IRQ";
	if (vector == T_SYSCALL)
		return "system call";
	return vector == T_SPURIOUS ? "APIC spurious" : "unexpected vector";
}

int trap_has_fixup(uint32_t eip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->insn == eip)
			return 1;
	return 0;
}

/* Resume at the fixup of the faulting instruction, if it has one. */
int trap_fixup(struct trapframe *tf, uint32_t cr2)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
		if (e->insn == tf->eip) {
			fixup_last_cr2 = cr2;
			fixup_last_error = tf->error;
			tf->eip = e->fixup;
			return 1;
		}
	}
	return 0;
}

void trap_dump(const struct trapframe *tf, uint32_t cr2)
{
	char err[64] = "";
	uint32_t esp = trap_from_user(tf) ? tf->user_esp : (uint32_t)(uintptr_t)&tf->user_esp;

	if (tf->vector == T_PGFLT)
		page_fault_error_str(tf->error, err, sizeof err);
	kprintf(" vector=%u (%s) error=0x%08x %s cr2=0x%08x\n", tf->vector, trap_name(tf->vector),
		tf->error, err, cr2);
	kprintf(" eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", tf->eax, tf->ebx, tf->ecx,
		tf->edx);
	kprintf(" esi=0x%08x edi=0x%08x ebp=0x%08x esp=0x%08x\n", tf->esi, tf->edi, tf->ebp, esp);
	kprintf(" eip=0x%08x cs=0x%04x eflags=0x%08x ds=0x%04x es=0x%04x\n", tf->eip, tf->cs,
		tf->eflags, tf->ds, tf->es);
	kprintf(" cr0=0x%08x cr3=0x%08x cr4=0x%08x\n", read_cr0(), read_cr3(), read_cr4());
	if (!trap_from_user(tf))
		machine_backtrace((void *)(uintptr_t)tf->ebp);
}

/* Stop everything: "PANIC: <what> at eip=...", the registers, the end. */
static void __attribute__((noreturn)) trap_panic(const struct trapframe *tf, uint32_t cr2,
						 const char *what)
{
	machine_irq_disable();
	kprintf("PANIC: %s at eip=0x%08x\n", what, tf->eip);
	trap_dump(tf, cr2);
	kprintf("PANIC: system halted\n");
	machine_finish(MACHINE_EXIT_PANIC);
}

static void kernel_exception(struct trapframe *tf, uint32_t cr2)
{
	char what[48];

	if (trap_fixup(tf, cr2))
		return;
	fmt_snprintf(what, sizeof what, "%s in kernel mode", trap_name(tf->vector));
	trap_panic(tf, cr2, what);
}

static void irq(struct trapframe *tf)
{
	int line = (int)tf->vector - T_IRQ0;

	if (pic_spurious(line))
		return;
	/* Every handler is asked: on a shared line several devices may have
	 * raised it at once. */
	int claimed = 0;
	for (int i = 0; i < IRQ_CHAIN_MAX; i++)
		if (irq_chain[line][i].fn)
			claimed |= irq_chain[line][i].fn(irq_chain[line][i].ctx) == IRQ_HANDLED;
	line_taken[line]++;
	line_unclaimed[line] += !claimed;
	pic_eoi(line);
}

/* An MSI vector a driver owns: its handler, then the EOI the local APIC
 * waits for before it delivers that priority class again. */
static void device_vector(uint32_t v)
{
	vector_taken[v]++;
	vector_owner[v].fn(vector_owner[v].ctx);
	apic_end_vector(v);
}

/* NMI: nobody's fault in particular, so never the interrupted task's. The
 * chipset's port 0x61 says whether it was a bus error (SERR) or an I/O
 * channel check (IOCHK): hardware failing, so stop; anything else (a
 * watchdog, a button) is logged and left. */
#define PORT_NMI_STATUS 0x61
#define NMI_SERR 0x80
#define NMI_IOCHK 0x40

static void nmi(struct trapframe *tf)
{
	uint8_t why = inb(PORT_NMI_STATUS);
	char what[64];

	if (why & (NMI_SERR | NMI_IOCHK)) {
		fmt_snprintf(what, sizeof what, "NMI: %s (port 0x61 = 0x%02x)",
			     why & NMI_SERR ? "system bus error (SERR)" : "I/O channel check (IOCHK)",
			     why);
		trap_panic(tf, read_cr2(), what);
	}
	kprintf("nmi: NMI for no reason the chipset gives (port 0x61 = 0x%02x) at eip=0x%08x: "
		"ignored\n",
		why, tf->eip);
}

#define CMOS_INDEX 0x70    /* bit 7 of what is written here masks NMI */
#define CMOS_DATA 0x71
#define CMOS_STATUS_D 0x0D /* read-only RTC status: reading it changes nothing */

void nmi_enable(void)
{
	/* Bit 7 of the index clear lets NMI through. An RTC expects each index
	 * write to be followed by a data access, so read the register named. */
	outb(CMOS_INDEX, CMOS_STATUS_D);
	(void)inb(CMOS_DATA);
}

void trap_dispatch(struct trapframe *tf)
{
	uint32_t v = tf->vector;

	if (v == T_PGFLT) {
		uint32_t cr2 = read_cr2();
		if (!page_fault(tf, cr2))
			kernel_exception(tf, cr2);
	} else if (v == T_SYSCALL && trap_from_user(tf)) {
		syscall_dispatch(tf);
	} else if (v >= T_IRQ0 && v < T_IRQ0 + 16) {
		irq(tf);
	} else if (v == T_NMI) {
		nmi(tf);
	} else if (v == T_SPURIOUS) {
		apic_spurious_interrupt();
	} else if (vector_assignable((int)v) && vector_owner[v].fn) {
		device_vector(v);
	} else if (v >= FIRST_UNUSED_VECTOR) {
		/* Nobody's vector, so a device interrupt the firmware left
		 * armed, not a CPU exception (0-31): no panic, and from ring 3
		 * no reason to kill the task it happened to interrupt. This
		 * takes T_SYSCALL from ring 0 too: the kernel never makes a
		 * system call, so a device sent it, maybe at boot with no task
		 * for syscall_dispatch to serve. */
		apic_stray_interrupt(v);
	} else if (trap_from_user(tf)) {
		user_exception(tf);
	} else {
		kernel_exception(tf, read_cr2());
	}
	if (trap_from_user(tf))
		return_to_user(tf);
}

/* Runs as its own task on its own stack; the interrupted state is in tss. */
void double_fault_task(void)
{
	kprintf("PANIC: #DF double fault (a fault while raising a fault: a bad kernel stack?)\n");
	kprintf(" eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", tss.eax, tss.ebx, tss.ecx,
		tss.edx);
	kprintf(" esi=0x%08x edi=0x%08x ebp=0x%08x esp=0x%08x\n", tss.esi, tss.edi, tss.ebp,
		tss.esp);
	kprintf(" eip=0x%08x cs=0x%04x eflags=0x%08x ds=0x%04x es=0x%04x ss=0x%04x\n", tss.eip,
		tss.cs, tss.eflags, tss.ds, tss.es, tss.ss);
	/* A task switch saves no CR3 in the old TSS: the interrupted one is lost. */
	kprintf(" cr0=0x%08x cr2=0x%08x cr4=0x%08x\n", read_cr0(), read_cr2(), read_cr4());
	kprintf("PANIC: system halted\n");
	machine_finish(MACHINE_EXIT_PANIC);
}
