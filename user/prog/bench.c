/*
 * bench.c - what a page fault, a fork and an exit cost, seen from ring 3.
 *
 * Every figure is TSC ticks per page (or per operation), read with a
 * fenced rdtsc before and after the accesses, one value per round; the
 * kernel prints median, min and max over the rounds as one BENCH line
 * (SYS_bench_report). Under QEMU's -icount shift=0 a tick is one guest
 * instruction, so a figure is an instruction count that repeats exactly.
 * The Linux peer (scripts/bench/linux/lxfault.c) measures the same way,
 * figure for figure and under the same names, so that the rows can be
 * compared; docs/bench.md says what each figure measures.
 *
 * arg: the number of rounds (0: the default, 9), and BENCH_ARG_* bits:
 * the kernel runs the fork figures again with fork copying page tables
 * (names ending in _copy) and in Linux 0.11 mode (this program linked at
 * 0x1000 and running in a slot: names ending in _linux011), each pass
 * with the context-switch figure of its kind of task.
 */
#include <bench_timing.h>
#include <ulib.h>

#include "lib/fmt.h"

#define PG 4096u
#define WORDS_PER_PAGE (PG / 4)
#define ROUNDS_DEFAULT 9
#define ROUNDS_MAX 31
#define DZ_PAGES 4096   /* 16 MiB: demand-zero and zero-page figures, as the peer */
#define COW_PAGES 1024  /* 4 MiB: copy-on-write figures, as the peer */
#define ALLOC_PAGES 64  /* pages per allocator round */
#define NO_AREA 0x1000u /* below the text, never in an area: the bare fault's target */
#define SLOT_CHILD 0    /* bench_stash slot for what a child reports */
#define NOT_COUNTED (-1)
#define SWITCH_PAGES 16   /* each task's working set between two switches */
#define SWITCH_WARMUP 8   /* untimed turns: the child's first run and faults */
#define SWITCH_YIELDS 200 /* timed turns of each task */
#define LINUX011_END 0x04000000u /* the 0.11 link puts text below 64 MiB */

/* One round's result: ticks per unit, faults per unit x 1000. */
struct res {
	uint32_t cyc;
	int32_t flt_milli;
};

static int rounds;
static const char *suffix = ""; /* "_copy", "_linux011": which pass this is */
static uint32_t stos_page[WORDS_PER_PAGE] __attribute__((aligned(PG)));
static uint32_t movs_page[WORDS_PER_PAGE] __attribute__((aligned(PG)));

static inline uint64_t tsc(void)
{
	return bench_tsc();
}

static void stash(uint64_t v)
{
	syscall3(SYS_bench_stash, SLOT_CHILD, (uint32_t)v, (uint32_t)(v >> 32));
}

static uint64_t fetch(void)
{
	uint64_t v = 0;

	syscall2(SYS_bench_fetch, SLOT_CHILD, (uint32_t)&v);
	return v;
}

/* Faults this address space has served (not the ones that kill). */
static uint32_t faults_served(void)
{
	struct pg_mm_stat s;
	uint32_t n = 0;

	mm_stat(&s);
	for (int k = 0; k < 6; k++) /* demand-zero .. spurious: enum fault_kind */
		n += s.my_faults[k];
	return n;
}

static struct res per_unit(uint64_t ticks, uint32_t faults, uint32_t units)
{
	return (struct res){ (uint32_t)(ticks / units), (int32_t)(faults * 1000 / units) };
}

static struct res once(uint64_t ticks)
{
	return (struct res){ (uint32_t)ticks, NOT_COUNTED };
}

/* Sort by ticks; print median, min, max; the fault rate of the median round. */
static void report(const char *name, struct res *r)
{
	struct pg_bench_figure f;

	for (int i = 1; i < rounds; i++)
		for (int j = i; j > 0 && r[j - 1].cyc > r[j].cyc; j--) {
			struct res t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	memset(&f, 0, sizeof f);
	strlcpy(f.name, name, sizeof f.name);
	f.median = r[rounds / 2].cyc;
	f.min = r[0].cyc;
	f.max = r[rounds - 1].cyc;
	f.n = (uint32_t)rounds;
	f.faults_milli = r[rounds / 2].flt_milli;
	syscall1(SYS_bench_report, (uint32_t)&f);
}

static void report_pages(const char *what, uint32_t pages, struct res *r)
{
	char name[BENCH_NAME_MAX];

	fmt_snprintf(name, sizeof name, "%s_cycles_%upages%s", what, pages, suffix);
	report(name, r);
}

static volatile char *map_pages(uint32_t pages)
{
	char *p = mmap(0, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);

	if (p == MAP_FAILED) {
		printf("bench: mmap of %u pages failed\n", pages);
		exit(1);
	}
	return p;
}

/* One access per page, timed as a whole: ticks and faults per page. */
static struct res touch(volatile char *p, uint32_t pages, int write)
{
	uint32_t f0 = faults_served();
	uint64_t t0 = tsc();

	if (write)
		for (uint32_t i = 0; i < pages; i++)
			p[i * PG] = 1;
	else
		for (uint32_t i = 0; i < pages; i++)
			(void)p[i * PG];
	uint64_t t1 = tsc();
	return per_unit(t1 - t0, faults_served() - f0, pages);
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

static uint64_t time_null_syscall(void)
{
	int32_t r;
	uint64_t t0 = tsc();

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(SYS_getpid) : "memory");
	return tsc() - t0;
}

/* The load that faults is bracketed by labels, so that the kernel can be
 * told exactly which instruction to skip; noinline keeps them unique. */
extern const char bench_fault_load[], bench_fault_next[];

static __attribute__((noinline, noclone)) uint64_t time_bare_fault(void)
{
	uint32_t v;
	uint64_t t0 = tsc();

	__asm__ volatile("bench_fault_load: movl (%1), %0\n"
			 "bench_fault_next:"
			 : "=r"(v)
			 : "r"(NO_AREA)
			 : "memory");
	return tsc() - t0;
}

static void bench_floors(void)
{
	struct res tsc_cost[ROUNDS_MAX], stos[ROUNDS_MAX], movs[ROUNDS_MAX];
	struct res sys[ROUNDS_MAX], fault[ROUNDS_MAX];

	memset(stos_page, 1, PG); /* both pages present before any timing */
	memset(movs_page, 1, PG);
	syscall2(SYS_bench_skip, (uint32_t)bench_fault_load,
		 (uint32_t)(bench_fault_next - bench_fault_load));
	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = tsc();
		tsc_cost[r] = once(tsc() - t0);
		stos[r] = once(time_stos());
		movs[r] = once(time_movs());
		sys[r] = once(time_null_syscall());
		fault[r] = once(time_bare_fault());
	}
	syscall2(SYS_bench_skip, 0, 0);
	report("rdtsc_overhead_cycles", tsc_cost);
	report("rep_stosl_4k_cycles", stos);
	report("rep_movsl_4k_cycles", movs);
	report("null_syscall_cycles", sys);
	report("bare_fault_cycles", fault);
}

/* ---------------------------------------------------------- allocator --- */

/* Per page: taking ALLOC_PAGES pages (not zeroed), and giving them back. */
static void time_alloc(struct res *alloc, struct res *give_back)
{
	uint64_t t0 = tsc();
	int32_t n = syscall1(SYS_bench_alloc, ALLOC_PAGES);
	uint64_t t1 = tsc();

	syscall1(SYS_bench_alloc, 0);
	uint64_t t2 = tsc();
	if (n <= 0) {
		printf("bench: the allocator gave no page\n");
		exit(1);
	}
	*alloc = once((t1 - t0) / (uint32_t)n);
	*give_back = once((t2 - t1) / (uint32_t)n);
}

/* Also with half of the free memory held, as on a busy machine: free
 * lists do not care, a scan of mem_map (make MM_SCAN_ALLOC=1) does. */
static void bench_alloc(void)
{
	struct res alloc[ROUNDS_MAX], give[ROUNDS_MAX], busy[ROUNDS_MAX], unused;
	struct pg_mm_stat s;

	for (int r = 0; r < rounds; r++)
		time_alloc(&alloc[r], &give[r]);
	mm_stat(&s);
	syscall1(SYS_bench_hold, s.free_pages / 2);
	for (int r = 0; r < rounds; r++)
		time_alloc(&busy[r], &unused);
	syscall1(SYS_bench_hold, 0);
	report("page_alloc_cycles", alloc);
	report("page_free_cycles", give);
	report("page_alloc_half_full_cycles", busy);
}

/* ---------------------------------------------------------- anonymous --- */

/* Demand-zero writes, the same pages again (the loop without faults),
 * zero-page reads, and the writes that follow them. */
static void bench_anon(void)
{
	struct res dz[ROUNDS_MAX], again[ROUNDS_MAX], zr[ROUNDS_MAX], zw[ROUNDS_MAX];

	for (int r = 0; r < rounds; r++) {
		volatile char *p = map_pages(DZ_PAGES);
		dz[r] = touch(p, DZ_PAGES, 1);
		again[r] = touch(p, DZ_PAGES, 1);
		munmap((void *)p, DZ_PAGES * PG);

		p = map_pages(DZ_PAGES);
		zr[r] = touch(p, DZ_PAGES, 0);
		zw[r] = touch(p, DZ_PAGES, 1);
		munmap((void *)p, DZ_PAGES * PG);
	}
	report("demand_zero_fault_cycles", dz);
	report("zero_page_read_fault_cycles", zr);
	report("zero_page_write_fault_cycles", zw);
	report("touch_no_fault_cycles", again);
}

/* ------------------------------------------------------ copy-on-write --- */

/* The child writes pages it shares with us (copies), reports through a
 * stash slot and exits; then we write them (reuse: we are alone again). */
static void bench_cow(void)
{
	struct res child[ROUNDS_MAX], reuse[ROUNDS_MAX];
	volatile char *p = map_pages(COW_PAGES);

	touch(p, COW_PAGES, 1);
	for (int r = 0; r < rounds; r++) {
		int pid = fork();
		if (pid == 0) {
			struct res c = touch(p, COW_PAGES, 1);
			stash((uint64_t)(uint32_t)c.flt_milli << 32 | c.cyc);
			exit(0);
		}
		waitpid(pid, 0, 0);
		uint64_t v = fetch();
		child[r] = (struct res){ (uint32_t)v, (int32_t)(v >> 32) };
		reuse[r] = touch(p, COW_PAGES, 1);
	}
	munmap((void *)p, COW_PAGES * PG);
	report("cow_fault_cycles", child);
	report("cow_reuse_fault_cycles", reuse);
}

/* --------------------------------------------------------------- fork --- */

/*
 * Fork a task with `pages` touched pages: until fork returns in the
 * parent, until the child runs (its first act is to read the TSC), until
 * wait returns; and from the child's first act to the parent's return
 * from wait: the child's exit, its teardown and the switch back.
 */
static void bench_fork(uint32_t pages)
{
	struct res ret[ROUNDS_MAX], run[ROUNDS_MAX], rtt[ROUNDS_MAX], ex[ROUNDS_MAX];
	volatile char *p = pages ? map_pages(pages) : 0;

	if (p)
		touch(p, pages, 1);
	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = tsc();
		int pid = fork();
		if (pid == 0) {
			stash(tsc());
			exit(0);
		}
		uint64_t t1 = tsc();
		waitpid(pid, 0, 0);
		uint64_t t2 = tsc(), child = fetch();
		ret[r] = once(t1 - t0);
		run[r] = once(child - t0);
		rtt[r] = once(t2 - t0);
		ex[r] = once(t2 - child);
	}
	if (p)
		munmap((void *)p, pages * PG);
	report_pages("fork_return", pages, ret);
	report_pages("fork_to_child_run", pages, run);
	report_pages("fork_exit_wait", pages, rtt);
	report_pages("exit_teardown", pages, ex);
}

/* ------------------------------------------------------------- switch --- */

/* Read one byte of each page: the working set a task brings back. */
static void read_pages(volatile char *p)
{
	for (uint32_t i = 0; i < SWITCH_PAGES; i++)
		(void)p[i * PG];
}

/*
 * A context switch: parent and child take turns with sched_yield (no one
 * else is runnable), each reading SWITCH_PAGES pages between turns. Per
 * switch: the timed turns' ticks over the switches they made (two per
 * turn of the parent: to the child and back), a system call and the
 * reads included. Flat tasks have a directory each: every switch writes
 * CR3 and drops their TLB entries, which the reads then refill. Two 0.11-
 * mode tasks share one: no CR3 write, their entries stay. Under -icount a
 * TLB refill costs no instruction, so the two differ by a few; under
 * plain TCG (and on hardware) the refills show.
 */
static void bench_switch(void)
{
	struct res sw[ROUNDS_MAX];
	volatile char *p = map_pages(SWITCH_PAGES);
	char name[BENCH_NAME_MAX];

	touch(p, SWITCH_PAGES, 1);
	for (int r = 0; r < rounds; r++) {
		int pid = fork();
		if (pid == 0) {
			for (int i = 0; i < SWITCH_WARMUP + SWITCH_YIELDS; i++) {
				read_pages(p);
				sched_yield();
			}
			exit(0);
		}
		for (int i = 0; i < SWITCH_WARMUP; i++) {
			read_pages(p);
			sched_yield();
		}
		uint64_t t0 = tsc();
		for (int i = 0; i < SWITCH_YIELDS; i++) {
			read_pages(p);
			sched_yield();
		}
		uint64_t t1 = tsc();
		waitpid(pid, 0, 0);
		sw[r] = once((t1 - t0) / (2 * SWITCH_YIELDS));
	}
	munmap((void *)p, SWITCH_PAGES * PG);
	fmt_snprintf(name, sizeof name, "switch_cycles_%upages%s", SWITCH_PAGES, suffix);
	report(name, sw);
}

int main(uint32_t arg)
{
	rounds = arg & BENCH_ARG_ROUNDS ? (int)(arg & BENCH_ARG_ROUNDS) : ROUNDS_DEFAULT;
	if (rounds > ROUNDS_MAX)
		rounds = ROUNDS_MAX;
	if ((uint32_t)main < LINUX011_END)
		suffix = "_linux011";
	else if (arg & BENCH_ARG_COPY)
		suffix = "_copy";
	if (!(arg & BENCH_ARG_FORKS)) {
		bench_floors();
		bench_alloc();
		bench_anon();
		bench_cow();
	}
	bench_fork(0);
	bench_fork(1024);
	bench_fork(4096);
	if (!(arg & BENCH_ARG_COPY))
		bench_switch();
	return 0;
}
