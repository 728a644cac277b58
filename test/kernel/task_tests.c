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

static void run(const char *program, uint32_t arg, int want_status)
{
	uint32_t baseline = pmm_free_pages();
	int status = -1;

	int pid = task_spawn(program, arg, current);
	if (pid > 0)
		task_wait(pid, &status, 0);
	reap_all();
	tap_eq((uint32_t)status, (uint32_t)want_status, "%s(%u): exit status", program, arg);
	tap_eq(pmm_free_pages(), baseline, "%s(%u): free pages back to the baseline", program,
	       arg);
	tap_eq(mm_check(), 0, "%s(%u): invariant checker", program, arg);
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
	run("spin", 0, 0);
	run("oom", 0, 0);
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
