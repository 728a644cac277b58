/*
 * task.c - creating, forking, ending and reaping tasks.
 *
 * Tasks live in a fixed table, as in Linux 0.11 (NR_TASKS), each with a
 * one-page kernel stack from the page allocator. Task 0 is the idle task,
 * running on the boot stack; pid 1 is init, a kernel thread that runs the
 * configured work and reaps orphans.
 *
 * exit frees the address space at once; the kernel stack and the table
 * slot stay until the parent collects the status with wait (a zombie).
 * Children of an exiting task are handed to init, which reaps them.
 * Each task lists its children (zombies too), so wait and exit walk
 * those, never the whole table.
 *
 * Every user task has an LDT (arch/x86/ldt.c) whose code and data
 * segments span its address space's window: flat (base 0, limit just
 * under 3 GiB), or its Linux 0.11 slot. A fork child gets its parent's
 * limits at its own base, as 0.11's copy_process does; exit gives it back
 * with the address space.
 */
#include "core/task/task.h"

#include <arch/context.h>
#include <arch/machine.h>
#include <arch/mmu_ops.h>
#include <arch/segment.h>
#include <arch/trap.h>
#include <layout.h>

#include "core/log.h"
#include "core/play/play.h"
#include "lib/string.h"

static struct task tasks[MAX_TASKS];
static int next_pid = 1;
struct task *current;
struct task *init_task;
extern char boot_stack[];

static const char *const state_names[] = { "free", "runnable", "sleeping", "waiting",
					   "blocked", "zombie" };

const char *task_state_name(enum task_state s)
{
	return s <= TASK_ZOMBIE ? state_names[s] : "?";
}

void task_init(void)
{
	struct task *idle = &tasks[0];

	memset(tasks, 0, sizeof tasks);
	idle->pid = 0;
	strlcpy(idle->name, "idle", sizeof idle->name);
	idle->state = TASK_RUNNABLE;
	idle->kstack = (uint32_t)boot_stack;
	*(uint32_t *)idle->kstack = KSTACK_CANARY;
	current = idle;
	sched_init(idle);
}

static struct task *task_alloc(const char *name)
{
	for (int i = 1; i < MAX_TASKS; i++) {
		struct task *t = &tasks[i];
		if (t->state != TASK_FREE)
			continue;
		pfn_t stack = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL);
		if (!stack)
			return NULL;
		memset(t, 0, sizeof *t);
		t->kstack = (uint32_t)phys_to_virt(PFN_TO_PADDR(stack));
		t->pid = next_pid++;
		t->state = TASK_BLOCKED; /* not runnable until set up */
		strlcpy(t->name, name, sizeof t->name);
		return t;
	}
	return NULL;
}

/* Give back the slot and the kernel stack of a task that will not run again. */
static void task_free(struct task *t)
{
	if (t->ldt_sel) {
		ldt_free(t->ldt_sel);
		t->ldt_sel = 0;
	}
	page_ref_dec(PADDR_TO_PFN(virt_to_phys((void *)t->kstack)));
	t->state = TASK_FREE;
	t->pid = 0;
}

struct task *task_by_pid(int pid)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (tasks[i].state != TASK_FREE && tasks[i].pid == pid)
			return &tasks[i];
	return NULL;
}

int task_count(void)
{
	int n = 0;

	for (int i = 0; i < MAX_TASKS; i++)
		n += tasks[i].state != TASK_FREE;
	return n;
}

void task_for_each(void (*fn)(struct task *t, void *ctx), void *ctx)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (tasks[i].state != TASK_FREE)
			fn(&tasks[i], ctx);
}

/* Make t the newest child of parent: wait and exit walk these lists
 * instead of the whole task table. */
static void task_adopt(struct task *parent, struct task *t)
{
	t->parent = parent;
	if (!parent)
		return;
	t->next_sibling = parent->first_child;
	parent->first_child = t;
}

struct task *kthread_create(const char *name, int (*fn)(void *), void *arg)
{
	struct task *t = task_alloc(name);

	if (!t)
		return NULL;
	task_adopt(current, t);
	context_init_kthread(t, fn, arg);
	sched_wake(t);
	return t;
}

/* t's LDT: segments over its address space's window. */
static int task_ldt(struct task *t)
{
	int sel = ldt_alloc(t->as->base, t->as->end - t->as->base - 1);

	if (sel < 0)
		return sel;
	t->ldt_sel = (uint16_t)sel;
	return 0;
}

int task_spawn(const char *program, uint32_t arg, struct task *parent)
{
	return task_spawn_mode(program, arg, parent, TASK_MODE_FLAT);
}

int task_spawn_mode(const char *program, uint32_t arg, struct task *parent, enum task_mode mode)
{
	const struct user_program *p = program_find(program, mode);
	uint32_t entry, esp;

	if (!p)
		return -ENOENT;
	struct task *t = task_alloc(p->name);
	if (!t)
		return -EAGAIN;
	int rc = exec_program(t, p, mode, &entry, &esp);
	if (!rc && (rc = task_ldt(t)))
		vmm_destroy(t->as);
	if (rc) {
		task_free(t);
		return rc;
	}
	task_adopt(parent, t);
	context_init_user(t, entry, esp, arg);
	sched_wake(t);
	return t->pid;
}

int task_fork(struct trapframe *tf)
{
	struct task *child = task_alloc(current->name);

	if (!child)
		return -EAGAIN;
	if (current->as->slot && linux011_slots_used() == LINUX011_SLOTS) {
		task_free(child);
		return -EAGAIN; /* no 0.11 slot for the child */
	}
	child->as = vmm_fork(current->as);
	int sel = child->as ? ldt_clone(current->ldt_sel, child->as->base) : -ENOMEM;
	if (sel < 0) {
		if (child->as)
			vmm_destroy(child->as);
		task_free(child);
		return sel;
	}
	child->ldt_sel = (uint16_t)sel;
	task_adopt(current, child);
	/* The same heap, in the child's slot when that is another. */
	vaddr_t shift = child->as->base - current->as->base;
	child->heap_start = current->heap_start + shift;
	child->brk = current->brk + shift;
	child->heap = current->heap ? vmm_find_area(child->as, child->heap_start) : NULL;
	child->agent = NULL;
	context_init_fork(child, tf);
	sched_wake(child);
	return child->pid;
}

static int is_waiting_for(struct task *parent, struct task *child)
{
	return parent->state == TASK_WAITING &&
	       (parent->wait_for == -1 || parent->wait_for == child->pid);
}

/* Hand t's children, zombies too, to init, which reaps them: init's list
 * takes t's whole. */
static void orphan_children(struct task *t)
{
	struct task *last = NULL;

	for (struct task *c = t->first_child; c; c = c->next_sibling) {
		c->parent = init_task;
		if (c->state == TASK_ZOMBIE && is_waiting_for(init_task, c))
			sched_wake(init_task);
		last = c;
	}
	if (!last)
		return;
	last->next_sibling = init_task->first_child;
	init_task->first_child = t->first_child;
	t->first_child = NULL;
}

void task_exit(int status)
{
	struct task *t = current;

	if (t == init_task || t->pid == 0)
		panic("%s tried to exit (status 0x%x)", t->name, status);
	task_flush_output(t); /* a line it had not ended, killed or not */
	if (t->as) {
		struct aspace *as = t->as;
		t->as = NULL;
		vmm_destroy(as); /* switches CR3 to the kernel directory first */
		ldt_free(t->ldt_sel); /* LDTR keeps its copy until the next task's lldt */
		t->ldt_sel = 0;
	}
	orphan_children(t);
	t->exit_status = status;
	t->state = TASK_ZOMBIE;
	play_task_exit(t); /* a playground agent: wake its interpreter */
	if (t->parent && is_waiting_for(t->parent, t))
		sched_wake(t->parent);
	schedule();
	panic("zombie pid %d scheduled", t->pid);
}

void kthread_exit(int code)
{
	task_exit(W_MAKE_EXIT(code));
}

/* The link to a zombie child of current matching pid (-1: any child), or
 * NULL; *any says whether any child matches at all. */
static struct task **find_zombie(int pid, int *any)
{
	*any = 0;
	for (struct task **pp = &current->first_child; *pp; pp = &(*pp)->next_sibling) {
		struct task *c = *pp;
		if (pid != -1 && c->pid != pid)
			continue;
		*any = 1;
		if (c->state == TASK_ZOMBIE)
			return pp;
	}
	return NULL;
}

int task_wait(int pid, int *status, int nohang)
{
	for (;;) {
		int any;
		struct task **link = find_zombie(pid, &any);
		if (link) {
			struct task *z = *link;
			int zpid = z->pid;
			if (status)
				*status = z->exit_status;
			*link = z->next_sibling; /* no longer our child */
			task_free(z);
			return zpid;
		}
		if (!any)
			return -ECHILD;
		if (nohang)
			return 0;
		if (current->term)
			return -EINTR; /* killed while waiting: go and die */
		current->wait_for = pid;
		current->state = TASK_WAITING;
		schedule();
	}
}

void task_kill(struct task *t, int term)
{
	if (t->state == TASK_ZOMBIE || t->state == TASK_FREE || t->term)
		return;
	t->term = term;
	if (t->state != TASK_RUNNABLE)
		sched_wake(t); /* blocked calls return, and it dies on the way out */
}
