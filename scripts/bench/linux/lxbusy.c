/*
 * lxbusy.c - CPU time spent in any context, measured by what is left to an
 * idle-priority spinner.
 *
 * A task's schedstat time (cpu_ns()) leaves out the disk's completion
 * interrupt and what runs in it when it arrives while the CPU idles, which
 * is when it usually arrives: the task sleeps for its page. To count that
 * work too, lxswap.c and lxfile.c can run their loops a second time with a
 * spinner beside them: a SCHED_IDLE process that reads the TSC in a tight
 * loop and adds every jump of more than GAP_MIN ticks to a counter in a
 * shared page. It runs only when nothing else wants the CPU, so the jumps
 * add up to everything else: the task, the interrupts, the kernel threads.
 * While a device works the spinner runs instead of the idle loop, so the
 * device time is spinner time, not in the counter; under -icount the
 * guest never halts, and its clock does not jump.
 *
 * The counter is read at a boundary: the caller sleeps for a moment, so
 * that the spinner runs and adds the jump it has been away for. The jump
 * that starts at the wake-up belongs to the next interval; the constant
 * cost of the boundary cancels when two intervals are subtracted.
 *
 * One CPU (-smp 1): the spinner and the task never run at once, which the
 * sequence count below relies on.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lxbench.h"

#define GAP_MIN 200             /* ticks: one turn of the loop is ~15 */
#define BOUNDARY_NS 1000000L    /* the sleep that lets the spinner run */
#define BOUNDARY_TRIES 100

struct spin {
	volatile uint32_t seq;  /* odd while busy is being updated */
	volatile uint64_t busy; /* ticks the spinner was away */
	volatile uint32_t stop;
};

static struct spin *spin;
static pid_t spinner;

static __attribute__((noreturn)) void spin_loop(void)
{
	struct sched_param param = { 0 };
	uint64_t last, now;

	if (sched_setscheduler(0, SCHED_IDLE, &param) < 0)
		die("SCHED_IDLE for the spinner");
	/* Resident for good: under a cgroup's limit, reclaim would otherwise
	 * take the spinner's pages, and its faults would be counted. */
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		die("mlockall for the spinner");
	last = tsc();
	while (!spin->stop) {
		now = tsc();
		if (now - last > GAP_MIN) {
			spin->seq++;
			spin->busy += now - last;
			spin->seq++;
		}
		last = now;
	}
	_exit(0);
}

void busy_start(void)
{
	spin = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (spin == MAP_FAILED)
		die("mmap of the spinner's page");
	spin->seq = 0;
	spin->busy = 0;
	spin->stop = 0;
	spinner = fork();
	if (spinner < 0)
		die("fork of the spinner");
	if (spinner == 0)
		spin_loop();
}

uint64_t busy_now(void)
{
	struct timespec ts = { 0, BOUNDARY_NS };

	for (int i = 0; i < BOUNDARY_TRIES; i++) {
		nanosleep(&ts, NULL);
		uint32_t s0 = spin->seq;
		uint64_t busy = spin->busy;

		if (!(s0 & 1) && spin->seq == s0)
			return busy;
	}
	fail("the spinner's counter never settled");
}

void busy_stop(void)
{
	spin->stop = 1;
	waitpid(spinner, NULL, 0);
	munmap(spin, PG);
	spin = NULL;
}
