/*
 * task.h - tasks: the unit that owns an address space and runs.
 *
 * A user task runs in ring 3 in its own address space and enters the
 * kernel on traps and system calls, each on its own one-page kernel stack.
 * A kernel thread (idle, init) has no address space of its own.
 * States:  RUNNABLE -> (BLOCKED | SLEEPING | WAITING) -> RUNNABLE
 *          any -> ZOMBIE (exited, status kept until the parent waits)
 */
#ifndef CORE_TASK_TASK_H
#define CORE_TASK_TASK_H

#include <config.h>
#include <stdint.h>
#include <syscalls.h>

#include "core/mm/mm.h"

#define MAX_TASKS 128
#define TASK_NAME_MAX 16

enum task_state {
	TASK_FREE,
	TASK_RUNNABLE, /* running, or on the run queue */
	TASK_SLEEPING, /* until wake_tick */
	TASK_WAITING,  /* for a child to exit */
	TASK_BLOCKED,  /* for something else: the playground, the console */
	TASK_ZOMBIE,
};

struct trapframe;

struct task {
	int pid;
	char name[TASK_NAME_MAX];
	enum task_state state;
	struct task *parent;
	struct task *first_child;  /* its children, zombies too, newest first */
	struct task *next_sibling; /* the next child of parent */
	struct aspace *as; /* NULL for kernel threads */
	uint16_t ldt_sel;  /* its LDT's descriptor in the GDT; 0 for kernel threads */
	uint32_t kstack;   /* lowest address of the kernel stack page */
	uint32_t esp;      /* saved by switch_to() while not running */
	int exit_status;   /* for wait(), once a zombie */
	int term;          /* pending: kill on the way back to ring 3 */
	uint32_t wake_tick;
	int wait_for;      /* pid waited for, or -1 for any child */
	struct area *heap; /* the brk area; heap_start and brk below are linear */
	struct task *run_next;
	struct trapframe *tf; /* user registers, while in the kernel */
	uint32_t switches;
	uint32_t preemptions; /* switches forced by the timer */
	vaddr_t heap_start;
	vaddr_t brk; /* the break: the heap area ends at PG_ROUND_UP(brk) */
	char out[120]; /* what write() gave us since the last newline */
	uint8_t out_len;
	void *agent; /* playground agent state (core/play) */
};

extern int need_resched;
extern struct task *current;
extern struct task *init_task;

static inline struct task *current_task(void)
{
	return current;
}

/* task.c */
void task_init(void);
struct task *task_by_pid(int pid);
/* Start a built-in program (user/) as a child of parent. pid or -errno. */
int task_spawn(const char *program, uint32_t arg, struct task *parent);
/* The same in a mode: flat, or in a slot of Linux 0.11's one directory
 * (-EAGAIN when the 47 slots are taken). */
int task_spawn_mode(const char *program, uint32_t arg, struct task *parent, enum task_mode mode);
static inline enum task_mode task_mode_of(const struct task *t)
{
	return t->as && t->as->slot ? TASK_MODE_LINUX011 : TASK_MODE_FLAT;
}
/* A kernel thread running fn(arg); its return value is its exit code. */
struct task *kthread_create(const char *name, int (*fn)(void *), void *arg);
int task_fork(struct trapframe *tf);
void task_exit(int status) __attribute__((noreturn));
/* Wait for child pid (-1: any). Returns its pid and status, or -errno;
 * with nohang, 0 when no child has exited yet. */
int task_wait(int pid, int *status, int nohang);
/* Kill t: it dies on its way back to ring 3 (or when it next wakes). */
void task_kill(struct task *t, int term);
int task_count(void);
/* Apply fn to every live task (for listings and the checker). */
void task_for_each(void (*fn)(struct task *t, void *ctx), void *ctx);
const char *task_state_name(enum task_state s);

/* sched.c */
void sched_init(struct task *idle);
void sched_wake(struct task *t);
void schedule(void);
/* Sleep n ticks (at most 2^31 - 1, about 248 days: more is that). */
void sched_sleep(uint32_t ticks);
/* Block the current task until sched_wake(); returns after it. */
void sched_block(void);
void sched_idle_loop(void) __attribute__((noreturn));

/* uaccess.c: copies checked against the current task's data segment
 * (its limit, in software: an emulator may not check it) and its areas.
 * Addresses are offsets in the segment, as the task sees them. 0 or
 * -EFAULT. */
int copy_from_user(void *dst, vaddr_t src, uint32_t n);
int copy_to_user(vaddr_t dst, const void *src, uint32_t n);
/* A NUL-terminated string of at most max-1 bytes; its length or -errno. */
int strncpy_from_user(char *dst, vaddr_t src, uint32_t max);
/* The linear address of [off, off + n) in t's data segment: 0, or -EFAULT
 * when a byte of it lies past the limit (what the CPU's own check would
 * say of an access there). n = 0 checks off alone. */
int user_linear(const struct task *t, vaddr_t off, uint32_t n, vaddr_t *linear);
/* The base and limit of t's data segment, read from its LDT: what the CPU
 * uses. -1 for a task without one (a kernel thread). */
int user_segment(const struct task *t, uint32_t *base, uint32_t *limit);

/* syscall.c */
void task_flush_output(struct task *t);

/* exec.c */
struct user_program {
	const char *name;
	const char *start, *end;
};
/* A program linked for mode: at 0x08048000 for flat tasks, at 0x1000
 * (inside a 64 MiB segment) for Linux 0.11-mode ones. */
const struct user_program *program_find(const char *name, enum task_mode mode);
void program_for_each(void (*fn)(const struct user_program *p, void *ctx), void *ctx);
/* Give t a fresh address space (of mode's kind) holding program p; entry
 * and esp are offsets in its segments. 0 or -errno. */
int exec_program(struct task *t, const struct user_program *p, enum task_mode mode,
		 uint32_t *entry, uint32_t *esp);
/* The offset where t's stack ends: USER_STACK_TOP, or 64 MiB in a slot. */
uint32_t user_stack_top(const struct aspace *as);
#define USER_STACK_SIZE (8u << 20)

#endif
