/*
 * lxswap.c - the Linux peer's swap figures: kernel instructions per page
 * written to swap, per page read back, and per fault of a task thrashing
 * (one page in and one out), the device time left out.
 *
 * Called once by lxinit.c after swapon(/dev/vda1) (virtio-blk, the disk
 * kind our kernel swaps to). The work runs in a child process in its own
 * cgroup v2 group, whose memory.max is the pressure: when a charge passes
 * the limit, the kernel reclaims in the charging task's own context
 * (direct reclaim), so the swap-out work is on that task's CPU time, not
 * kswapd's (which sleeps: the machine as a whole has memory to spare).
 * vm.page-cluster = 0 turns swap readahead off: one major fault, one read.
 *
 * How the device time is left out: every figure is on-CPU time, the
 * task's schedstat run time (cpu_ns()), in which a task sleeping for its
 * page (swap-in) or throttled behind writeback is not running. Under QEMU's
 * -icount shift=0 a nanosecond of it is one guest instruction. Writes go
 * out asynchronously and the task does not wait for them. From each timed
 * loop the same loop without pressure is subtracted (the same faults, or
 * none, with nothing going to or from the disk), and the rest is divided
 * by the pages that moved, counted by /proc/vmstat's pswpout and pswpin;
 * getrusage's major faults must match pswpin. The TSC per page, device
 * time and all, is printed beside each figure.
 *
 * What the task's time leaves out: the disk's completion interrupt when it
 * arrives while the CPU idles (the usual case: the task sleeps for its
 * page), and the completion work done in it. So every round is run a
 * second time with an idle-priority spinner beside it (lxbusy.c), which
 * turns idle time into spinner time and counts everything else: those are
 * the *_allctx figures, CPU time in any context, the task's own beside.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lxbench.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP CGROUP_ROOT "/lxbench"
#define REGION_PAGES 12288      /* 48 MiB touched ... */
#define LIMIT "16777216"        /* ... through 16 MiB of memory */
#define SWAP_ROUNDS_DEFAULT 3   /* each moves ~40000 pages to and fro */

/* One timed loop over the region, and what it moved. busy is CPU time in
 * any context (lxbusy.c), counted only while a spinner runs. */
struct phase {
	uint64_t cpu, busy, ticks, thread_ns;
	int64_t major, pswpin, pswpout;
};

static int with_spinner;

static uint64_t thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct phase measure(volatile char *p, int write)
{
	struct phase s;
	int64_t in0 = vmstat("pswpin"), out0 = vmstat("pswpout"), m0 = faults_major();
	uint64_t b0 = with_spinner ? busy_now() : 0;
	uint64_t c0 = cpu_ns(), n0 = thread_ns();

	s.ticks = touch(p, REGION_PAGES, write);
	s.cpu = cpu_ns() - c0;
	s.thread_ns = thread_ns() - n0;
	s.busy = with_spinner ? busy_now() - b0 : 0;
	s.major = faults_major() - m0;
	s.pswpin = vmstat("pswpin") - in0;
	s.pswpout = vmstat("pswpout") - out0;
	return s;
}

static void set_limit(const char *bytes)
{
	if (write_file(CGROUP "/memory.max", bytes) < 0)
		die("cannot write %s to " CGROUP "/memory.max", bytes);
}

static void join_cgroup(void)
{
	char pid[16];

	if (write_file(CGROUP_ROOT "/cgroup.subtree_control", "+memory") < 0)
		die("cannot enable the memory controller");
	if (mkdir(CGROUP, 0755) < 0)
		die("mkdir " CGROUP);
	snprintf(pid, sizeof pid, "%d", getpid());
	if (write_file(CGROUP "/cgroup.procs", pid) < 0)
		die("cannot move into " CGROUP);
	if (write_file("/proc/sys/vm/page-cluster", "0") < 0)
		die("cannot set vm.page-cluster to 0");
}

/* (loaded - unloaded) / moved: the kernel's instructions per page moved,
 * in the task's own time, or (busy) in any context. */
static uint64_t overhead(const struct phase *loaded, const struct phase *unloaded, int64_t moved,
			 int busy, const char *what)
{
	uint64_t l = busy ? loaded->busy : loaded->cpu, u = busy ? unloaded->busy : unloaded->cpu;

	if (moved <= 0)
		fail("%s: no page moved (is swap on?)", what);
	if (l < u)
		fail("%s: less CPU under pressure than without", what);
	return (l - u) / (uint64_t)moved;
}

/* The three figures, in the task's time (task) or in any context (all). */
struct swap_figures {
	struct figure out, in, trip;
};

static struct swap_figures task, all;

/* A round's figure: in the task's time; or, with the spinner, in any
 * context, with the task's own figure beside it. */
static void add(struct figure *f, const struct phase *loaded, const struct phase *unloaded,
		int64_t moved, const char *what, int64_t e0, int64_t e1)
{
	int64_t ticks = per_milli((int64_t)loaded->ticks, (uint64_t)moved);

	if (!with_spinner)
		fig_add(f, overhead(loaded, unloaded, moved, 0, what), e0, e1, ticks, EXTRA_NONE);
	else
		fig_add(f, overhead(loaded, unloaded, moved, 1, what), e0, e1, ticks,
			(int64_t)overhead(loaded, unloaded, moved, 0, what) * 1000);
}

static void swap_round(struct swap_figures *f, int first)
{
	volatile char *p = map_anon(REGION_PAGES);
	struct phase zero, out, in, present, trip, written;

	/* Out: the first write of each page, with and without the limit. */
	set_limit("max");
	zero = measure(p, 1);
	munmap((void *)p, (size_t)REGION_PAGES * PG);
	p = map_anon(REGION_PAGES);
	set_limit(LIMIT);
	out = measure(p, 1);
	add(&f->out, &out, &zero, out.pswpout, "swap-out", per_milli(out.pswpout, REGION_PAGES),
	    per_milli(out.major, (uint64_t)out.pswpout));

	/* In: read every page back with no limit, then read them present. */
	set_limit("max");
	in = measure(p, 0);
	present = measure(p, 0);
	add(&f->in, &in, &present, in.pswpin, "swap-in", per_milli(in.major, (uint64_t)in.pswpin),
	    per_milli(in.pswpout, (uint64_t)in.pswpin));

	/* Round trip: under the limit again, write every page twice (the
	 * first pass makes them all dirty and in motion); then the same
	 * writes with every page present. */
	set_limit(LIMIT);
	measure(p, 1);
	trip = measure(p, 1);
	set_limit("max");
	measure(p, 0);
	written = measure(p, 1);
	add(&f->trip, &trip, &written, trip.major, "round trip",
	    per_milli(trip.pswpin, (uint64_t)trip.major), per_milli(trip.pswpout, (uint64_t)trip.major));
	munmap((void *)p, (size_t)REGION_PAGES * PG);
	if (first && !with_spinner)
		info("swap_cpu_clocks", "schedstat %llu ns, CLOCK_THREAD_CPUTIME_ID %llu ns"
		     " (the swap-out loop of round 1)", (unsigned long long)out.cpu,
		     (unsigned long long)out.thread_ns);
}

static void swap_figures_init(struct swap_figures *f, const char *suffix, const char *last)
{
	char name[64];

	snprintf(name, sizeof name, "swap_out_page%s_cycles", suffix);
	fig_init(&f->out, name, "pswpout_per_touch", "major_per_out", "tsc_per_out", last);
	snprintf(name, sizeof name, "swap_in_fault%s_cycles", suffix);
	fig_init(&f->in, name, "major_per_in", "pswpout_per_in", "tsc_per_in", last);
	snprintf(name, sizeof name, "swap_round_trip%s_cycles", suffix);
	fig_init(&f->trip, name, "pswpin_per_fault", "pswpout_per_fault", "tsc_per_fault", last);
}

static void swap_figures_report(struct swap_figures *f)
{
	fig_report(&f->out);
	fig_report(&f->in);
	fig_report(&f->trip);
}

static void swap_child(void)
{
	char *env = getenv("LXBENCH_SWAP_ROUNDS");
	int rounds = env ? atoi(env) : SWAP_ROUNDS_DEFAULT;

	if (rounds < 1 || rounds > ROUNDS_MAX)
		fail("LXBENCH_SWAP_ROUNDS=%s: 1 to %d", env, ROUNDS_MAX);
	join_cgroup();
	info("swap_setup", "%u pages touched, memory.max %s, page-cluster 0", REGION_PAGES, LIMIT);
	swap_figures_init(&task, "", NULL);
	for (int r = 0; r < rounds; r++)
		swap_round(&task, r == 0);
	swap_figures_report(&task);

	swap_figures_init(&all, "_allctx", "task_per_unit");
	busy_start();
	with_spinner = 1;
	for (int r = 0; r < rounds; r++)
		swap_round(&all, 0);
	with_spinner = 0;
	busy_stop();
	swap_figures_report(&all);
	fflush(stdout);
	_exit(0);
}

void bench_swap(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		swap_child();
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("the swap benchmark's process ended with status 0x%x", status);
}
