/*
 * syscall.c - int 0x80: the system-call table.
 *
 * Linux i386 convention: EAX holds the number, EBX ECX EDX ESI EDI the
 * arguments, and the result goes back in EAX (negative: -errno). Every
 * pointer argument goes through uaccess.c, so a bad pointer is an error
 * return, never a kernel fault. The table is in docs/tasks.md.
 *
 * Addresses a task passes and gets back are offsets in its segments; the
 * kernel's areas, break and page tables use linear addresses. For a flat
 * task the two are equal; a Linux 0.11-mode task's segments start at its
 * slot, and user_linear() adds the base after checking the limit.
 */
#include "core/task/task.h"

#include <arch/machine.h>
#include <arch/trap.h>
#include <layout.h>

#include "core/kernel.h"
#include "core/log.h"
#include "core/play/play.h"
#include "core/tap.h"
#include "core/task/bench.h"
#include "lib/string.h"

#define MMAP_BASE 0x40000000u /* where mmap looks for room, bottom-up */
#define MMAP_BASE_LINUX011 0x01000000u /* the same, inside a 64 MiB slot */
#define NAME_MAX 64

typedef int32_t (*syscall_fn)(struct trapframe *tf);

void task_flush_output(struct task *t)
{
	if (t->out_len)
		kprintf("pid %d: %.*s\n", t->pid, t->out_len, t->out);
	t->out_len = 0;
}

/* write(fd, buf, len): fd 1 and 2 go to the kernel log, a line at a time,
 * each line prefixed with the pid. */
static int32_t sys_write(struct trapframe *tf)
{
	uint32_t fd = tf->ebx, buf = tf->ecx, len = tf->edx;
	char chunk[64];

	if (fd != 1 && fd != 2)
		return -EBADF;
	for (uint32_t done = 0; done < len;) {
		uint32_t n = MIN(len - done, sizeof chunk);
		if (copy_from_user(chunk, buf + done, n))
			return done ? (int32_t)done : -EFAULT;
		for (uint32_t i = 0; i < n; i++) {
			if (chunk[i] == '\n' || current->out_len == sizeof current->out)
				task_flush_output(current);
			if (chunk[i] != '\n')
				current->out[current->out_len++] = chunk[i];
		}
		done += n;
	}
	return (int32_t)len;
}

static int32_t sys_exit(struct trapframe *tf)
{
	task_exit(W_MAKE_EXIT(tf->ebx));
}

static int32_t sys_fork(struct trapframe *tf)
{
	return task_fork(tf);
}

static int32_t sys_waitpid(struct trapframe *tf)
{
	int status = 0;
	int pid = task_wait((int32_t)tf->ebx, &status, tf->edx & WNOHANG);

	if (pid > 0 && tf->ecx && copy_to_user(tf->ecx, &status, sizeof status))
		return -EFAULT;
	return pid;
}

static int32_t sys_getpid(struct trapframe *tf)
{
	(void)tf;
	return current->pid;
}

static int32_t sys_getppid(struct trapframe *tf)
{
	(void)tf;
	return current->parent ? current->parent->pid : 0;
}

static int32_t sys_kill(struct trapframe *tf)
{
	struct task *t = task_by_pid((int32_t)tf->ebx);

	if (!t || t->state == TASK_ZOMBIE)
		return -ESRCH;
	if (!t->as)
		return -EPERM; /* kernel threads cannot be killed */
	task_kill(t, TERM_KILLED);
	return 0;
}

/* brk(addr): move the break; returns the new break, or the old one if the
 * move is impossible (Linux's convention). brk(0) asks for it. */
static int32_t sys_brk(struct trapframe *tf)
{
	struct task *t = current;
	vaddr_t base = t->as->base, want, end;
	int32_t old = (int32_t)(t->brk - base);

	if (!tf->ebx || user_linear(t, tf->ebx, 0, &want))
		return old;
	end = PG_ROUND_UP(want);
	if (want < t->heap_start || want >= base + user_stack_top(t->as))
		return old;
	if (!t->heap) {
		if (end > t->heap_start &&
		    vmm_map(t->as, t->heap_start, end - t->heap_start, AREA_WRITE, "heap"))
			return old;
		t->heap = end > t->heap_start ? vmm_find_area(t->as, t->heap_start) : NULL;
	} else if (vmm_resize(t->as, t->heap, end)) {
		return old;
	}
	t->brk = want;
	return (int32_t)tf->ebx;
}

/* The lowest gap of len bytes at or above MMAP_BASE (in a slot: above
 * MMAP_BASE_LINUX011), below the stack area. Linear; 0 if none. */
static vaddr_t find_gap(struct aspace *as, uint32_t len)
{
	vaddr_t at = as->base + (as->slot ? MMAP_BASE_LINUX011 : MMAP_BASE);
	vaddr_t stop = as->base + user_stack_top(as) - USER_STACK_SIZE;

	for (struct area *a = as->areas; a; a = a->next) {
		if (a->end <= at)
			continue;
		if (a->start >= at + len && at + len > at)
			break;
		at = a->end;
	}
	return at + len > at && at + len <= stop ? at : 0;
}

/* mmap2(addr, len, prot, flags, fd, pgoff): anonymous private memory only,
 * so fd must be -1 and pgoff (EBP) 0: there is no file to offset into. */
static int32_t sys_mmap2(struct trapframe *tf)
{
	uint32_t addr = tf->ebx, len = PG_ROUND_UP(tf->ecx), prot = tf->edx, flags = tf->esi;

	if (!len || len < tf->ecx || (flags & ~MAP_FIXED) != (MAP_PRIVATE | MAP_ANONYMOUS) ||
	    (int32_t)tf->edi != -1 || tf->ebp)
		return -EINVAL;
	vaddr_t base = current->as->base, va;
	/* Each cause its own code (docs/tasks.md), so that the playground
	 * can name it: Linux says ENOMEM for both a full area table and no
	 * gap, ENOSPC here tells them apart. */
	if (!(flags & MAP_FIXED)) {
		va = find_gap(current->as, len);
		if (!va)
			return -ENOSPC; /* no gap that big below the stack */
	} else if (PGOFF(addr)) {
		return -EINVAL;
	} else if (user_linear(current, addr, len, &va)) {
		return -EFAULT; /* outside user space: past the segment's limit */
	}
	int rc = vmm_map(current->as, va, len, prot & PROT_WRITE ? AREA_WRITE : 0, "anon");
	return rc ? rc : (int32_t)(va - base);
}

/* After an unmap, the heap area may be shorter, split or gone. */
static void heap_refresh(struct task *t)
{
	struct area *h = vmm_find_area(t->as, t->heap_start);

	t->heap = h && h->start == t->heap_start ? h : NULL;
	if (!t->heap)
		t->brk = t->heap_start;
	else if (t->brk > t->heap->end)
		t->brk = t->heap->end;
}

static int32_t sys_munmap(struct trapframe *tf)
{
	uint32_t len = PG_ROUND_UP(tf->ecx);
	vaddr_t va;

	if (PGOFF(tf->ebx) || user_linear(current, tf->ebx, len, &va))
		return -EINVAL;
	int rc = vmm_unmap(current->as, va, len);
	if (!rc)
		heap_refresh(current);
	return rc;
}

static int32_t sys_sched_yield(struct trapframe *tf)
{
	(void)tf;
	schedule();
	return 0;
}

static int32_t sys_nanosleep(struct trapframe *tf)
{
	struct pg_timespec ts;

	if (copy_from_user(&ts, tf->ebx, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	/* 100 Hz: round up to whole ticks, plus one for the part of the
	 * current tick already gone, so a sleep is never shorter than asked. */
	uint64_t n = (uint64_t)ts.tv_sec * 100 + ((uint32_t)ts.tv_nsec + 9999999) / 10000000 + 1;
	sched_sleep(n > UINT32_MAX ? UINT32_MAX : (uint32_t)n); /* sched_sleep caps it */
	return current->term ? -EINTR : 0;
}

static int32_t sys_sleep_ticks(struct trapframe *tf)
{
	sched_sleep(tf->ebx);
	return current->term ? -EINTR : 0;
}

static int32_t sys_mm_stat(struct trapframe *tf)
{
	struct pg_mm_stat s;
	struct aspace *as = current->as;

	memset(&s, 0, sizeof s);
	s.free_pages = pmm_free_pages();
	s.total_pages = pmm.total;
	s.rss = as->rss;
	s.shared = vmm_shared_pages(as);
	for (int k = 0; k < FAULT_NKINDS && k < 8; k++) {
		s.faults[k] = mm_counters.faults[k];
		s.my_faults[k] = as->counters.faults[k];
	}
	s.table_copies = mm_counters.table_copies;
	s.table_reuses = mm_counters.table_reuses;
	s.errors = pmm.errors;
	return copy_to_user(tf->ebx, &s, sizeof s);
}

static int32_t sys_page_info(struct trapframe *tf)
{
	struct pg_page_info info;
	struct walk w;
	vaddr_t va, off = tf->ebx;

	if (user_linear(current, off, 1, &va) || va >= USER_TOP)
		return -EFAULT;
	vmm_walk(current->as, va, &w);
	memset(&info, 0, sizeof info);
	info.pde = w.pde;
	info.pte = w.pte;
	info.phys = w.ok ? PG_ROUND_DOWN(w.pa) : 0;
	info.refs = w.ok ? page_refs(PADDR_TO_PFN(w.pa)) : 0;
	info.table_refs = w.table_pfn ? page_refs(w.table_pfn) : 0;
	/* Who else maps this page here: forks share pages at the same offset
	 * (the same linear address, unless they are in 0.11 slots). */
	off = va - current->as->base;
	for (struct aspace *as = vmm_first(); as && w.ok; as = as->next_all) {
		struct walk o;
		if (off >= as->end - as->base)
			continue;
		vmm_walk(as, as->base + off, &o);
		info.mapcount += o.ok && PG_ROUND_DOWN(o.pa) == info.phys;
	}
	return copy_to_user(tf->ecx, &info, sizeof info);
}

static int32_t sys_task_stat(struct trapframe *tf)
{
	struct pg_task_stat s = { (uint32_t)current->pid, current->switches, current->preemptions,
				  ticks };

	return copy_to_user(tf->ebx, &s, sizeof s);
}

static int32_t sys_agent_next(struct trapframe *tf)
{
	return play_agent_next(current, tf->ebx, tf->ecx);
}

static int32_t sys_mm_check(struct trapframe *tf)
{
	(void)tf;
	return (int32_t)mm_check();
}

/* tap(ok, description, diagnostic or 0): one TAP result, numbered with
 * the kernel's own; the diagnostic is printed under a failure. */
static int32_t sys_tap(struct trapframe *tf)
{
	char desc[NAME_MAX * 2], diag[NAME_MAX * 2];
	int n = strncpy_from_user(desc, tf->ecx, sizeof desc);

	if (n < 0)
		return n;
	if (tf->edx && (n = strncpy_from_user(diag, tf->edx, sizeof diag)) < 0)
		return n;
	tap_ok(tf->ebx != 0, "%s: %s", current->name, desc);
	if (!tf->ebx && tf->edx)
		tap_diag("  %s", diag);
	return (int32_t)tap_count();
}

static int32_t sys_spawn(struct trapframe *tf)
{
	char name[NAME_MAX];
	int n = strncpy_from_user(name, tf->ebx, sizeof name);

	return n < 0 ? n : task_spawn_mode(name, tf->ecx, current, task_mode_of(current));
}

static const syscall_fn syscalls[SYS_max] = {
	[SYS_exit] = sys_exit,
	[SYS_fork] = sys_fork,
	[SYS_write] = sys_write,
	[SYS_waitpid] = sys_waitpid,
	[SYS_getpid] = sys_getpid,
	[SYS_kill] = sys_kill,
	[SYS_brk] = sys_brk,
	[SYS_getppid] = sys_getppid,
	[SYS_munmap] = sys_munmap,
	[SYS_sched_yield] = sys_sched_yield,
	[SYS_nanosleep] = sys_nanosleep,
	[SYS_mmap2] = sys_mmap2,
	[SYS_sleep_ticks] = sys_sleep_ticks,
	[SYS_mm_stat] = sys_mm_stat,
	[SYS_page_info] = sys_page_info,
	[SYS_tap] = sys_tap,
	[SYS_spawn] = sys_spawn,
	[SYS_task_stat] = sys_task_stat,
	[SYS_mm_check] = sys_mm_check,
	/* The benchmark's (core/task/sys_bench.c). */
	[SYS_bench_report] = sys_bench_report,
	[SYS_bench_stash] = sys_bench_stash,
	[SYS_bench_fetch] = sys_bench_fetch,
	[SYS_bench_skip] = sys_bench_skip,
	[SYS_bench_alloc] = sys_bench_alloc,
	[SYS_bench_hold] = sys_bench_hold,
	[SYS_agent_next] = sys_agent_next,
};

void syscall_dispatch(struct trapframe *tf)
{
	uint32_t nr = tf->eax;

	current->tf = tf;
	if (nr < SYS_max && syscalls[nr])
		tf->eax = (uint32_t)syscalls[nr](tf);
	else
		tf->eax = (uint32_t)-ENOSYS;
}

/* Exceptions other than page faults, raised in ring 3: the task dies. A
 * segment limit's #GP or #SS says which access passed which limit. */
void user_exception(struct trapframe *tf)
{
	char why[160];

	if ((tf->vector == T_GPFLT || tf->vector == T_STACK) &&
	    trap_segment_violation(tf, why, sizeof why)) {
		kprintf("limit: pid=%d (%s) %s eip=0x%08x: %s; killed\n", current->pid,
			current->name, tf->vector == T_STACK ? "#SS" : "#GP", tf->eip, why);
		task_kill(current, TERM_SEGV);
		return;
	}
	int term = tf->vector == T_DIVIDE ? TERM_FPE
		   : tf->vector == T_ILLOP || tf->vector == T_NOMATH ? TERM_ILL
		   : tf->vector == T_BRKPT || tf->vector == T_OFLOW ? TERM_TRAP
								  : TERM_SEGV;

	kprintf("trap: pid=%d (%s) %s error=0x%x eip=0x%08x: killed\n", current->pid,
		current->name, trap_name(tf->vector), tf->error, tf->eip);
	task_kill(current, term);
}
