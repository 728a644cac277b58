/*
 * kernel.h - entry points the architecture code calls in the core, and a
 * few kernel-wide helpers.
 */
#ifndef CORE_KERNEL_H
#define CORE_KERNEL_H

#include <bootinfo.h>
#include <stddef.h>
#include <stdint.h>

struct trapframe;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

extern const struct bootinfo *boot_info;

/* Page fault (vector 14). Returns 1 when handled; 0 for a kernel bug
 * (the caller tries the exception table, then panics). */
int page_fault(struct trapframe *tf, uint32_t cr2);
/* int 0x80 from ring 3. */
void syscall_dispatch(struct trapframe *tf);
/* Any other exception raised in ring 3: the task dies, the kernel goes on. */
void user_exception(struct trapframe *tf);
/* Last step before iret to ring 3: pending kills, rescheduling. */
void return_to_user(struct trapframe *tf);
/* Every PIT tick (IRQ 0), interrupts off. */
void timer_tick(void);

/* "write,user,protection" for a page-fault error code. */
void page_fault_error_str(uint32_t err, char *buf, size_t size);

/* Does this kernel instruction have an exception-table entry? */
int trap_has_fixup(uint32_t eip);

/* Name of a vector for logs ("#PF page fault"). */
const char *trap_name(uint32_t vector);

#endif
