/* context.h - building and switching task contexts (arch/x86/context.c). */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include <stdint.h>

struct task;
struct trapframe;

void switch_to(uint32_t *save_esp, uint32_t next_esp);
/* A user task's first kernel stack: iret to entry in ring 3 with esp. */
void context_init_user(struct task *t, uint32_t entry, uint32_t user_esp, uint32_t arg);
/* A kernel thread: runs fn(arg) in ring 0; returning exits the thread. */
void context_init_kthread(struct task *t, int (*fn)(void *), void *arg);
/* A fork child: the parent's user registers, with 0 as fork's result. */
void context_init_fork(struct task *child, const struct trapframe *parent);
/* The user registers of a user task that is not running: the frame its
 * last entry to the kernel (trap, system call) saved at the top of its
 * kernel stack. */
const struct trapframe *context_user_frame(const struct task *t);
/* Before running t: the stack the CPU takes on a trap from ring 3, and
 * t's LDT (a user task's) in LDTR. */
void context_prepare(struct task *t);
/* The bottom word of every kernel stack; checked at every switch. */
#define KSTACK_CANARY 0x57ACC0DEu

#endif
