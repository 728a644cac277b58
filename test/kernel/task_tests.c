/*
 * task_tests.c - user programs (user/prog) run as ring-3 tasks. Each
 * reports its own TAP results through SYS_tap; here we check what only
 * the kernel sees: the exit status, that every page came back, and the
 * invariant checker, after each program.
 */
#include <syscalls.h>

#include "core/log.h"
#include "core/mm/mm.h"
#include "core/tap.h"
#include "core/task/task.h"
#include "test/kernel/ktests.h"

/* init also reaps orphans: wait until no child is left. */
static void reap_all(void)
{
	int status;

	while (task_wait(-1, &status, 0) > 0)
		;
}

static void run_mode(const char *program, uint32_t arg, int want_status, enum task_mode mode)
{
	const char *how = mode == TASK_MODE_LINUX011 ? " in 0.11 mode" : "";
	uint32_t baseline = pmm_free_pages();
	int status = -1;

	int pid = task_spawn_mode(program, arg, current, mode);
	if (pid > 0)
		task_wait(pid, &status, 0);
	reap_all();
	tap_eq((uint32_t)status, (uint32_t)want_status, "%s(%u)%s: exit status", program, arg, how);
	tap_eq(pmm_free_pages(), baseline, "%s(%u)%s: free pages back to the baseline", program,
	       arg, how);
	tap_eq(mm_check(), 0, "%s(%u)%s: invariant checker", program, arg, how);
}

static void run(const char *program, uint32_t arg, int want_status)
{
	run_mode(program, arg, want_status, TASK_MODE_FLAT);
}

/* The same programs in Linux 0.11 mode (linked at 0x1000, each task in a
 * 64 MiB slot of one directory): fork is copy_page_tables, exit
 * free_page_tables. When the last is gone, so is the shared directory. */
static void linux011_tasks(void)
{
	static const struct {
		const char *program;
		uint32_t arg;
		int status;
	} runs[] = {
		{ "hello", 7, W_MAKE_EXIT(7) }, { "forktest", 0, 0 }, { "threeway", 0, 0 },
		{ "forktree", 0, 0 },		 { "forktree", 1, 0 }, { "growth", 0, 0 },
		{ "faults", 0, 0 },		 { "badaccess", 0, TERM_SEGV },
		{ "segments", 0, 0 },		 { "spin", 0, 0 },
	};
	for (unsigned i = 0; i < sizeof runs / sizeof runs[0]; i++)
		run_mode(runs[i].program, runs[i].arg, runs[i].status, TASK_MODE_LINUX011);
	tap_eq(linux011_pgdir(), 0, "0.11 mode: the shared directory is gone with the last task");
	tap_eq(linux011_slots_used(), 0, "0.11 mode: every slot is free again");
}

void ktest_tasks(void)
{
	tap_suite("task");
	run("hello", 0, W_MAKE_EXIT(0));
	run("hello", 42, W_MAKE_EXIT(42));
	run("forktest", 0, 0);
	run("threeway", 0, 0);
	for (int round = 0; round < 2; round++) { /* twice: the first leaked nothing */
		run("forktree", 0, 0);
		run("forktree", 1, 0);
	}
	run("growth", 0, 0);
	run("faults", 0, 0);
	run("badaccess", 0, TERM_SEGV);
	run("badptr", 0, 0);
	run("segments", 0, 0);
	run("spin", 0, 0);
	run("oom", 0, 0);
	linux011_tasks();
}

/* Debug builds (make MM_DEBUG=1) run the checker after every operation. */
#ifdef MM_DEBUG
#define STRESS_CHECK (1u << 16)
#else
#define STRESS_CHECK 0
#endif

void ktest_stress(void)
{
	tap_suite("stress");
	run("stress", 1 | STRESS_CHECK, 0);
	run("stress", 2 | STRESS_CHECK, 0);
}
