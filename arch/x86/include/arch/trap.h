/* trap.h - the trap frame and vector numbers. */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#define T_DIVIDE 0
#define T_DEBUG 1
#define T_NMI 2
#define T_BRKPT 3
#define T_OFLOW 4
#define T_ILLOP 6
#define T_NOMATH 7 /* #NM: CR0.EM is set, there is no x87 */
#define T_DBLFLT 8
#define T_STACK 12 /* #SS: through SS, past its limit */
#define T_GPFLT 13
#define T_PGFLT 14
#define T_IRQ0 32 /* the 8259s are remapped to 32..47 */
#define T_SYSCALL 0x80
#define T_SPURIOUS 0xFF /* the local APIC's spurious vector */
/* Above the 8259's 16: every vector from here on but T_SYSCALL (from ring
 * 3) and T_SPURIOUS is unused, so whatever arrives there is stray. */
#define FIRST_UNUSED_VECTOR (T_IRQ0 + 16)

/* Byte offsets in struct trapframe, for the unwind tables of vectors.S
 * (checked against the struct below). */
#define TF_EDI 0
#define TF_ESI 4
#define TF_EBP 8
#define TF_EBX 16
#define TF_EDX 20
#define TF_ECX 24
#define TF_EAX 28
#define TF_ES 32
#define TF_DS 36
#define TF_EIP 48
#define TF_CS 52
#define TF_EFLAGS 56
#define TF_USER_ESP 60 /* where the CPU's push began, for a trap from ring 0 */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/*
 * What trap_common (vectors.S) leaves on the kernel stack, lowest address
 * first: the general registers (pushal), the data segments, the vector and
 * error code, then what the CPU pushed. user_esp and user_ss exist only
 * when the trap came from ring 3.
 */
struct trapframe {
	uint32_t edi, esi, ebp, esp_at_pushal, ebx, edx, ecx, eax;
	uint32_t es, ds;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
	uint32_t user_esp, user_ss;
};
#define TF_AT(field, off) (offsetof(struct trapframe, field) == (off))
_Static_assert(TF_AT(edi, TF_EDI) && TF_AT(esi, TF_ESI) && TF_AT(ebp, TF_EBP) &&
		       TF_AT(ebx, TF_EBX) && TF_AT(edx, TF_EDX) && TF_AT(ecx, TF_ECX) &&
		       TF_AT(eax, TF_EAX) && TF_AT(es, TF_ES) && TF_AT(ds, TF_DS) &&
		       TF_AT(eip, TF_EIP) && TF_AT(cs, TF_CS) && TF_AT(eflags, TF_EFLAGS) &&
		       TF_AT(user_esp, TF_USER_ESP),
	       "the TF_* offsets of vectors.S's unwind tables match struct trapframe");
#undef TF_AT

static inline int trap_from_user(const struct trapframe *tf)
{
	return (tf->cs & 3) == 3;
}

/* Exception-table entry: a kernel instruction allowed to fault, and where
 * to resume when it does (used by user copies and boot probes). */
struct extable_entry {
	uint32_t insn, fixup;
};

void idt_init(void);
void trap_dispatch(struct trapframe *tf);
/*
 * Let NMIs through again: the trampoline masked them (bit 7 of the CMOS
 * index port 0x70) for the mode switch, and nothing else unmasks them.
 * Call once the kernel's IDT is loaded: an NMI then lands in
 * trap_dispatch as vector 2. (The local APIC's LINT1, where the chipset
 * wires NMI, is set to deliver it by apic_quiesce.)
 */
void nmi_enable(void);
void trap_dump(const struct trapframe *tf, uint32_t cr2);
/* A #GP or #SS the current task raised in ring 3: when it was a segment
 * limit, 1 with a line into buf naming the access, the segment, its limit
 * (segfault.c); else 0. */
int trap_segment_violation(const struct trapframe *tf, char *buf, unsigned size);
void double_fault_task(void);

/*
 * Interrupt handlers run in the interrupt, with interrupts off: they must
 * not sleep. Each returns IRQ_HANDLED when its device raised the
 * interrupt, IRQ_NONE when it did not (a PCI INTx line is shared: every
 * handler on it is asked). ctx is what the driver registered with.
 */
#define IRQ_NONE 0
#define IRQ_HANDLED 1
typedef int (*irq_handler_fn)(void *ctx);

#define IRQ_LINES 16     /* the two 8259s */
#define IRQ_CHAIN_MAX 4  /* handlers sharing one line */

/* Add fn(ctx) to the chain of 8259 line `line` (0-15); the caller unmasks
 * the line (pic_unmask) once its device is ready. Registering the same
 * fn and ctx again changes nothing. 0, -EINVAL for a bad line, -ENOSPC
 * when the chain is full. */
int irq_register(int line, irq_handler_fn fn, void *ctx);
/* Take fn(ctx) off the line's chain (a driver's teardown). */
void irq_unregister(int line, irq_handler_fn fn, void *ctx);

/*
 * A vector of its own for fn(ctx), for a device's MSI or MSI-X message
 * (drivers/pci.c builds the message, apic_msi_message the address): one
 * of FIRST_UNUSED_VECTOR (0x30) and up, never T_SYSCALL or T_SPURIOUS.
 * trap_dispatch calls fn, then ends the vector at the local APIC (EOI).
 * Returns the vector, or -ENOSPC when none is left. A vector nobody owns
 * stays a stray interrupt (apic_stray_interrupt).
 */
int irq_alloc_vector(irq_handler_fn fn, void *ctx);
void irq_free_vector(int vector);
/* Interrupts taken on a vector irq_alloc_vector gave (show pci). */
uint32_t irq_vector_count(int vector);
/* Interrupts taken on an 8259 line, and how many of them no handler
 * claimed (a device that raised the line and was not asked, or noise). */
void irq_line_stats(int line, uint32_t *taken, uint32_t *unclaimed);

/* Boot probes: read or write a word, returning -1 instead of faulting. */
int probe_read(const volatile uint32_t *addr, uint32_t *out);
int probe_write(volatile uint32_t *addr, uint32_t value);
/* CR2 and error code of the last fault a fixup absorbed. */
extern uint32_t fixup_last_cr2, fixup_last_error;
#endif

#endif
