/*
 * sys_bench.c - the kernel side of the benchmark (user/prog/bench.c).
 *
 * The benchmark measures in ring 3, with the TSC, around the accesses
 * that fault; the kernel only helps with what ring 3 cannot do alone:
 *
 *   SYS_bench_report  print one BENCH line (format: docs/bench.md)
 *   SYS_bench_stash   a 64-bit value a child leaves for its parent: we
 *   SYS_bench_fetch   have no shared memory (the Linux peer uses a
 *                     MAP_SHARED page for this)
 *   SYS_bench_skip    arm the bare-fault floor: see bench_fault_skip()
 *   SYS_bench_alloc   take pages from the allocator and give them back,
 *                     so that its cost can be timed without a fault
 *   SYS_bench_hold    ballast: hold part of memory, as a busy machine
 *                     would, to show what a mem_map scan then costs
 *
 * The last three hold kernel state (pages, an armed skip), so they answer
 * only while run = bench is running (-EPERM otherwise): another program
 * must not strand pages that only the benchmark's end gives back.
 *
 * None of it is on a hot path: the fault path calls bench_fault_skip()
 * only for a fault that is about to kill the task.
 */
#include "core/task/bench.h"

#include <arch/mmu_ops.h>
#include <arch/trap.h>
#include <config.h>

#include "core/kernel.h"
#include "core/log.h"
#include "core/task/task.h"
#include "lib/fmt.h"

#define ALLOC_MAX 1024   /* pages SYS_bench_alloc holds at most */
#define X86_INSN_MAX 15 /* bytes: the longest x86 instruction */

static uint64_t slots[BENCH_SLOTS];
static pfn_t allocated[ALLOC_MAX];
static uint32_t nallocated;
static pfn_t ballast;      /* first held page; each holds the next's pfn */
static uint32_t nballast;
static int running;        /* bench_run() is waiting for the benchmark */

/* The armed skip: a fault of task pid at eip resumes at eip + len. */
static struct {
	int pid;
	uint32_t eip, len;
} skip;

/* bench_report(figure): BENCH ours <name> median= min= max= n= [faults_per_page=] */
int32_t sys_bench_report(struct trapframe *tf)
{
	struct pg_bench_figure f;
	char faults[32] = "";

	if (copy_from_user(&f, tf->ebx, sizeof f))
		return -EFAULT;
	f.name[BENCH_NAME_MAX - 1] = '\0';
	if (f.faults_milli >= 0)
		fmt_snprintf(faults, sizeof faults, " faults_per_page=%d.%03d", f.faults_milli / 1000,
			     f.faults_milli % 1000);
	kprintf("BENCH ours %s median=%u min=%u max=%u n=%u%s\n", f.name, f.median, f.min, f.max,
		f.n, faults);
	return 0;
}

/* bench_stash(slot, low word, high word) */
int32_t sys_bench_stash(struct trapframe *tf)
{
	if (tf->ebx >= BENCH_SLOTS)
		return -EINVAL;
	slots[tf->ebx] = (uint64_t)tf->edx << 32 | tf->ecx;
	return 0;
}

/* bench_fetch(slot, uint64_t *out) */
int32_t sys_bench_fetch(struct trapframe *tf)
{
	if (tf->ebx >= BENCH_SLOTS)
		return -EINVAL;
	return copy_to_user(tf->ecx, &slots[tf->ebx], sizeof slots[0]);
}

/* bench_skip(eip, len): arm for the caller; len 0 disarms. */
int32_t sys_bench_skip(struct trapframe *tf)
{
	if (!running)
		return -EPERM;
	if (tf->ecx > X86_INSN_MAX)
		return -EINVAL;
	skip.pid = tf->ecx ? current->pid : 0;
	skip.eip = tf->ebx;
	skip.len = tf->ecx;
	return 0;
}

/*
 * The floor under every fault figure: trap entry, the decision that the
 * fault cannot be served (no area), and the return. The benchmark arms a
 * skip of one load from an address no area covers; instead of dying, the
 * task resumes after the load. Pids are never reused, so a skip armed by
 * a task that is gone matches nothing.
 */
int bench_fault_skip(struct task *t, struct trapframe *tf)
{
	if (!skip.pid || t->pid != skip.pid || tf->eip != skip.eip)
		return 0;
	tf->eip += skip.len;
	return 1;
}

static uint32_t free_allocated(void)
{
	uint32_t n = nallocated;

	while (nallocated)
		page_ref_dec(allocated[--nallocated]);
	return n;
}

/* bench_alloc(n): take n more pages as the fault path does, not zeroed;
 * bench_alloc(0): free them all. Returns the pages taken or freed. */
int32_t sys_bench_alloc(struct trapframe *tf)
{
	uint32_t want = MIN(tf->ebx, ALLOC_MAX - nallocated), got = 0;

	if (!running)
		return -EPERM;
	if (!tf->ebx)
		return (int32_t)free_allocated();
	for (; got < want; got++) {
		pfn_t pfn = pmm_alloc_page(PMM_USER, PAGE_KERNEL);
		if (!pfn)
			break;
		allocated[nallocated++] = pfn;
	}
	return (int32_t)got;
}

static void release_ballast(void)
{
	while (ballast) {
		pfn_t next = *(pfn_t *)page_address(ballast, KMAP_PEEK);
		page_ref_dec(ballast);
		ballast = next;
	}
	nballast = 0;
}

/* bench_hold(n): hold n more pages of the user zones; bench_hold(0):
 * release them all. Returns the pages now held. */
int32_t sys_bench_hold(struct trapframe *tf)
{
	pfn_t last = 0;

	if (!running)
		return -EPERM;
	if (!tf->ebx) {
		release_ballast();
		return 0;
	}
	for (uint32_t i = 0; i < tf->ebx; i++) {
		pfn_t pfn = pmm_hold_page(last);
		if (!pfn)
			break;
		*(pfn_t *)page_address(pfn, KMAP_PEEK) = ballast;
		ballast = last = pfn;
		nballast++;
	}
	return (int32_t)nballast;
}

/* One pass of user/prog/bench: its exit status (-1: it did not start). */
static int bench_pass(uint32_t arg, enum task_mode mode)
{
	int status = -1;
	int pid = task_spawn_mode("bench", arg, current, mode);

	if (pid > 0)
		task_wait(pid, &status, 0);
	while (task_wait(-1, NULL, 0) > 0)
		; /* orphans of a benchmark that died */
	return status;
}

/*
 * Three passes: everything, as configured (fork shares tables by
 * default), with flat tasks; then the fork figures again with fork
 * copying tables (only when the first pass shared them), and once more
 * in Linux 0.11 mode (copy_page_tables into another slot). The first and
 * last also time a context switch between two of their kind of task.
 */
void bench_run(uint32_t rounds)
{
	int saved = mm_fork_mode;

	kprintf("BENCH ours start pages=%u fork=%s alloc=%s\n", pmm.total,
		mm_fork_mode == FORK_COPY_TABLES ? "copy" : "share", PMM_ALLOCATOR_NAME);
	running = 1;
	if (rounds > BENCH_ARG_ROUNDS)
		rounds = BENCH_ARG_ROUNDS;
	int status = bench_pass(rounds, TASK_MODE_FLAT);
	if (!status && mm_fork_mode == FORK_SHARE_TABLES) {
		mm_fork_mode = FORK_COPY_TABLES;
		status = bench_pass(rounds | BENCH_ARG_FORKS | BENCH_ARG_COPY, TASK_MODE_FLAT);
		mm_fork_mode = saved;
	}
	if (!status)
		status = bench_pass(rounds | BENCH_ARG_FORKS, TASK_MODE_LINUX011);
	running = 0;
	skip.pid = 0;
	free_allocated();
	release_ballast();
	kprintf("BENCH ours done status=0x%x\n", (uint32_t)status);
}
