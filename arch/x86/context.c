/*
 * context.c - the first kernel stack of a task.
 *
 * A kernel stack is one page. Its top holds a trap frame when the task
 * came from ring 3; below that, the frame switch_to() pops:
 *
 *   kstack + 4096  +-------------------------+
 *                  | struct trapframe        |  user tasks: iret target
 *                  +-------------------------+
 *                  | return address          |  user_start, or
 *                  | ebp ebx esi edi fs gs   |  kthread_trampoline
 *   t->esp ------> +-------------------------+
 *                  |   ... grows down ...    |
 *   kstack         | KSTACK_CANARY           |
 *
 * A user task's selectors (CS 0x0f, the others 0x17) have TI set: they
 * name entries of whichever LDT is loaded, so context_prepare() loads the
 * task's own with lldt before switch_to() pops its FS and GS and before
 * iret loads CS and SS. Kernel threads use the GDT only; their FS and GS
 * are the null selector, valid whatever LDTR holds.
 */
#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/segment.h>
#include <arch/trap.h>

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

extern char user_start[], kthread_trampoline[];

struct switch_frame {
	uint32_t gs, fs, edi, esi, ebx, ebp, ret;
};

static struct trapframe *top_frame(const struct task *t)
{
	return (struct trapframe *)(t->kstack + PGSIZE) - 1;
}

static void push_switch_frame(struct task *t, void *below, uint32_t ret, uint32_t ebx,
			      uint32_t esi, uint16_t fs_gs)
{
	struct switch_frame *sf = (struct switch_frame *)below - 1;

	memset(sf, 0, sizeof *sf);
	sf->ret = ret;
	sf->ebx = ebx;
	sf->esi = esi;
	sf->fs = sf->gs = fs_gs;
	t->esp = (uint32_t)sf;
	*(uint32_t *)t->kstack = KSTACK_CANARY;
}

const struct trapframe *context_user_frame(const struct task *t)
{
	return top_frame(t);
}

void context_init_user(struct task *t, uint32_t entry, uint32_t user_esp, uint32_t arg)
{
	struct trapframe *tf = top_frame(t);

	memset(tf, 0, sizeof *tf);
	tf->eip = entry;
	tf->cs = USER_CS;
	tf->ds = tf->es = tf->user_ss = USER_DS;
	tf->eflags = EFLAGS_IF | 0x2; /* interrupts on in ring 3 */
	tf->user_esp = user_esp;
	tf->eax = arg; /* crt0 passes it to main */
	push_switch_frame(t, tf, (uint32_t)user_start, 0, 0, USER_DS);
}

void context_init_kthread(struct task *t, int (*fn)(void *), void *arg)
{
	push_switch_frame(t, (void *)(t->kstack + PGSIZE), (uint32_t)kthread_trampoline,
			  (uint32_t)fn, (uint32_t)arg, 0);
}

void context_init_fork(struct task *child, const struct trapframe *parent)
{
	struct trapframe *tf = top_frame(child);

	*tf = *parent;
	tf->eax = 0; /* fork() returns 0 in the child */
	push_switch_frame(child, tf, (uint32_t)user_start, 0, 0, USER_DS);
}

void context_prepare(struct task *t)
{
	if (*(uint32_t *)t->kstack != KSTACK_CANARY)
		panic("kernel stack overflow in pid %d (%s): canary at 0x%08x is 0x%08x", t->pid,
		      t->name, t->kstack, *(uint32_t *)t->kstack);
	tss_set_kernel_stack(t->kstack + PGSIZE);
	if (t->ldt_sel)
		lldt(t->ldt_sel);
}
