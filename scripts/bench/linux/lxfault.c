/*
 * lxfault.c - the Linux peer's anonymous-memory figures: the floors, demand
 * zero, the zero page, copy-on-write, fork and exit.
 *
 * Called once by lxinit.c, in /init itself (the root cgroup, nothing else
 * running). The method is the one user/prog/bench.c uses on our kernel,
 * figure for figure and name for name (docs/bench.md, "The figures"): a
 * fenced TSC read before and after a loop that touches one byte per page,
 * divided by the pages; per operation for fork and exit; median, min and
 * max over the rounds. faults_per_page is getrusage's minor plus major
 * faults of the median round, per page: 1.000 says every page took exactly
 * one fault. A child reports its TSC reading through a MAP_SHARED page.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lxbench.h"

#define DZ_PAGES 4096  /* 16 MiB, as user/prog/bench.c */
#define COW_PAGES 1024 /* 4 MiB */
#define WORDS_PER_PAGE (PG / 4)

static const uint32_t fork_pages[] = { 0, 1024, 4096 };

static uint32_t stos_page[WORDS_PER_PAGE] __attribute__((aligned(4096)));
static uint32_t movs_page[WORDS_PER_PAGE] __attribute__((aligned(4096)));

/* A page parent and child both see: what the child measured. */
struct shared {
	volatile uint64_t child_tsc;
	volatile uint64_t child_ticks;
	volatile int64_t child_faults;
};

static struct shared *shared_page(void)
{
	struct shared *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				-1, 0);

	if (s == MAP_FAILED)
		die("mmap of the shared page");
	memset(s, 0, sizeof *s); /* present before anything is timed */
	return s;
}

/* ------------------------------------------------------------- floors --- */

static uint64_t time_stos(void)
{
	return bench_time_stos(stos_page);
}

static uint64_t time_movs(void)
{
	return bench_time_movs(movs_page, stos_page);
}

/* getpid through int $0x80, as our kernel is entered (glibc would use
 * the vDSO's sysenter). */
static uint64_t time_int80(void)
{
	int32_t r;
	uint64_t t0 = tsc();

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(SYS_getpid) : "memory");
	(void)r;
	return tsc() - t0;
}

static void bench_floors(void)
{
	static struct figure rd, stos, movs, sys;

	fig_init(&rd, "rdtsc_overhead_cycles", NULL, NULL, NULL, NULL);
	fig_init(&stos, "rep_stosl_4k_cycles", NULL, NULL, NULL, NULL);
	fig_init(&movs, "rep_movsl_4k_cycles", NULL, NULL, NULL, NULL);
	fig_init(&sys, "null_syscall_cycles", NULL, NULL, NULL, NULL);
	memset(stos_page, 1, PG);
	memset(movs_page, 1, PG);
	for (int r = 0; r < bench_rounds; r++) {
		uint64_t t0 = tsc();
		uint64_t t1 = tsc();

		fig_value(&rd, t1 - t0);
		fig_value(&stos, time_stos());
		fig_value(&movs, time_movs());
		fig_value(&sys, time_int80());
	}
	fig_report(&rd);
	fig_report(&stos);
	fig_report(&movs);
	fig_report(&sys);
}

/* ---------------------------------------------------------- anonymous --- */

/* Ticks per page, and faults per page, of one touch loop. */
static void timed_touch(struct figure *f, volatile char *p, uint32_t pages, int write)
{
	int64_t f0 = faults_all();
	uint64_t ticks = touch(p, pages, write);

	fig_add(f, ticks / pages, per_milli(faults_all() - f0, pages), EXTRA_NONE, EXTRA_NONE,
		EXTRA_NONE);
}

static void bench_anon(void)
{
	static struct figure dz, again, zr, zw;

	fig_init(&dz, "demand_zero_fault_cycles", "faults_per_page", NULL, NULL, NULL);
	fig_init(&zr, "zero_page_read_fault_cycles", "faults_per_page", NULL, NULL, NULL);
	fig_init(&zw, "zero_page_write_fault_cycles", "faults_per_page", NULL, NULL, NULL);
	fig_init(&again, "touch_no_fault_cycles", "faults_per_page", NULL, NULL, NULL);
	for (int r = 0; r < bench_rounds; r++) {
		volatile char *p = map_anon(DZ_PAGES);

		timed_touch(&dz, p, DZ_PAGES, 1);
		timed_touch(&again, p, DZ_PAGES, 1);
		munmap((void *)p, (size_t)DZ_PAGES * PG);
		p = map_anon(DZ_PAGES);
		timed_touch(&zr, p, DZ_PAGES, 0);
		timed_touch(&zw, p, DZ_PAGES, 1);
		munmap((void *)p, (size_t)DZ_PAGES * PG);
	}
	fig_report(&dz);
	fig_report(&zr);
	fig_report(&zw);
	fig_report(&again);
}

/* ------------------------------------------------------ copy-on-write --- */

/* The child writes pages it shares with us (a copy each) and exits; then
 * we write them (alone again: each entry is just made writable). */
static void bench_cow(void)
{
	static struct figure copy, reuse;
	struct shared *s = shared_page();
	volatile char *p = map_anon(COW_PAGES);

	fig_init(&copy, "cow_fault_cycles", "faults_per_page", NULL, NULL, NULL);
	fig_init(&reuse, "cow_reuse_fault_cycles", "faults_per_page", NULL, NULL, NULL);
	touch(p, COW_PAGES, 1);
	for (int r = 0; r < bench_rounds; r++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			int64_t f0 = faults_all();

			s->child_ticks = touch(p, COW_PAGES, 1);
			s->child_faults = faults_all() - f0;
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		fig_add(&copy, s->child_ticks / COW_PAGES, per_milli(s->child_faults, COW_PAGES),
			EXTRA_NONE, EXTRA_NONE, EXTRA_NONE);
		timed_touch(&reuse, p, COW_PAGES, 1);
	}
	munmap((void *)p, (size_t)COW_PAGES * PG);
	munmap(s, PG);
	fig_report(&copy);
	fig_report(&reuse);
}

/* --------------------------------------------------------------- fork --- */

static void fork_figure(struct figure *f, const char *what, uint32_t pages)
{
	char name[64];

	snprintf(name, sizeof name, "%s_cycles_%upages", what, pages);
	fig_init(f, name, NULL, NULL, NULL, NULL);
}

/*
 * fork() in a process with `pages` written pages: until it returns in the
 * parent; until the child's first act (reading the TSC); until waitpid()
 * returns; and from the child's first act to that return (its exit, the
 * teardown of its memory, the switch back: exit_teardown).
 */
static void bench_fork(uint32_t pages)
{
	static struct figure ret, run, rtt, ex;
	struct shared *s = shared_page();
	volatile char *p = pages ? map_anon(pages) : NULL;

	fork_figure(&ret, "fork_return", pages);
	fork_figure(&run, "fork_to_child_run", pages);
	fork_figure(&rtt, "fork_exit_wait", pages);
	fork_figure(&ex, "exit_teardown", pages);
	if (p)
		touch(p, pages, 1);
	for (int r = 0; r < bench_rounds; r++) {
		uint64_t t0 = tsc(), t1, t2;
		pid_t pid = fork();

		if (pid == 0) {
			s->child_tsc = tsc();
			_exit(0);
		}
		t1 = tsc();
		if (pid < 0)
			die("fork");
		waitpid(pid, NULL, 0);
		t2 = tsc();
		fig_value(&ret, t1 - t0);
		fig_value(&run, s->child_tsc - t0);
		fig_value(&rtt, t2 - t0);
		fig_value(&ex, t2 - s->child_tsc);
	}
	if (p)
		munmap((void *)p, (size_t)pages * PG);
	munmap(s, PG);
	fig_report(&ret);
	fig_report(&run);
	fig_report(&rtt);
	fig_report(&ex);
}

void bench_faults(void)
{
	bench_floors();
	bench_anon();
	bench_cow();
	for (unsigned i = 0; i < sizeof fork_pages / sizeof fork_pages[0]; i++)
		bench_fork(fork_pages[i]);
}
