/*
 * sched.c - round-robin scheduling, preempted by the PIT.
 *
 * Runnable tasks wait in one FIFO queue. The timer (100 Hz) sets
 * need_resched; a task gives up the CPU on its way back to ring 3 when it
 * is set, or when it blocks, sleeps, waits or yields. The kernel never
 * preempts itself: kernel code runs with interrupts off, so no locks.
 * The idle task (the boot context) halts when nothing is runnable.
 */
#include "core/task/task.h"

#include <arch/context.h>
#include <arch/machine.h>
#include <arch/trap.h>

#include "core/blk/blk.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/view/view.h"

int need_resched;
static struct task *idle_task;
static struct task *runq_head, *runq_tail;

void sched_init(struct task *idle)
{
	idle_task = idle;
	runq_head = runq_tail = NULL;
}

static int queued(struct task *t)
{
	return t->run_next || runq_tail == t;
}

static void enqueue(struct task *t)
{
	if (t == idle_task || queued(t))
		return;
	t->run_next = NULL;
	if (runq_tail)
		runq_tail->run_next = t;
	else
		runq_head = t;
	runq_tail = t;
}

static struct task *dequeue(void)
{
	struct task *t = runq_head;

	if (t) {
		runq_head = t->run_next;
		if (!runq_head)
			runq_tail = NULL;
		t->run_next = NULL;
	}
	return t;
}

void sched_wake(struct task *t)
{
	t->state = TASK_RUNNABLE;
	if (t != current)
		enqueue(t);
}

void schedule(void)
{
	struct task *prev = current, *next;

	need_resched = 0;
	if (prev->state == TASK_RUNNABLE)
		enqueue(prev);
	next = dequeue();
	if (!next)
		next = idle_task;
	if (next == prev)
		return;
	current = next;
	next->switches++;
	context_prepare(next);
	/* Kernel threads run on whatever directory is loaded: its kernel half
	 * is the same in all of them. */
	if (next->as && next->as != vmm_current)
		vmm_activate(next->as);
	switch_to(&prev->esp, next->esp);
}

/* Due ticks are compared as signed differences (wake_one). */
#define SLEEP_TICKS_MAX 0x7FFFFFFFu

void sched_sleep(uint32_t n)
{
	current->wake_tick = ticks + (n > SLEEP_TICKS_MAX ? SLEEP_TICKS_MAX : n);
	current->state = TASK_SLEEPING;
	schedule();
}

void sched_block(void)
{
	current->state = TASK_BLOCKED;
	schedule();
}

/* Each tick: wake the sleepers that are due, and ask for a switch. */
static void wake_one(struct task *t, void *ctx)
{
	(void)ctx;
	if (t->state == TASK_SLEEPING && (int32_t)(ticks - t->wake_tick) >= 0)
		sched_wake(t);
}

void timer_tick(void)
{
	task_for_each(wake_one, NULL);
	blk_tick(); /* polled disks, and disks that stopped answering */
	need_resched = 1;
	watch_tick(); /* the live strip, when on and due (core/view/watch.c) */
}

void return_to_user(struct trapframe *tf)
{
	(void)tf;
	if (current->term)
		task_exit(current->term);
	if (need_resched) {
		uint32_t switches = current->switches;
		schedule();
		/* Counted only when another task ran in between: a tick with
		 * nobody else runnable takes nothing away. */
		if (current->switches != switches)
			current->preemptions++;
	}
	if (current->term)
		task_exit(current->term);
}

void sched_idle_loop(void)
{
	for (;;) {
		if (runq_head)
			schedule();
		else
			machine_idle();
	}
}
