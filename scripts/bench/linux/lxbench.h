/*
 * lxbench.h - what the parts of the Linux peer's benchmark share.
 *
 * The peer is one static i386 program, run as /init by Debian's kernel
 * under QEMU (scripts/bench/linux_peer.py boots it; docs/bench.md says
 * what every figure means). lxinit.c sets the machine up and calls the
 * parts in turn: lxfault.c (anonymous faults, copy-on-write, fork, exit),
 * lxfile.c (file faults, exec) and lxswap.c (swap under a cgroup's limit).
 * Each part prints its figures with fig_report(), one line each:
 *
 *     LINUX <figure> median=<n> min=<n> max=<n> n=<rounds> [<extra>=<x.xxx> ...]
 *
 * Under QEMU's -icount shift=0 one guest instruction is one TSC tick and one
 * nanosecond of the kernel's clocks, so every figure is an instruction count.
 */
#ifndef LXBENCH_H
#define LXBENCH_H

#include <stdint.h>

#include <bench_timing.h> /* user/include: shared with user/prog/bench.c */

#define PG 4096u
#define ROUNDS_MAX 31
#define EXTRAS_MAX 4

/* One round of one figure: its value, and per-unit counts x 1000 (the
 * faults a loop took per page, say), or EXTRA_NONE. */
#define EXTRA_NONE INT64_MIN
struct round {
	uint64_t value;
	int64_t extra_milli[EXTRAS_MAX];
};

/* A figure: its name, the names of its extras (NULL: none), its rounds. */
struct figure {
	char name[64];
	const char *extra_names[EXTRAS_MAX];
	struct round r[ROUNDS_MAX];
	int n;
};

/* Set by lxinit.c from the environment before any part runs. */
extern int bench_rounds;

/* The fenced TSC, the same instructions our benchmark reads it with. */
static inline uint64_t tsc(void)
{
	return bench_tsc();
}

/* lxinit.c: output and the counters every part reads. */
void fig_init(struct figure *f, const char *name, const char *e0, const char *e1,
	      const char *e2, const char *e3);
/* Adds a round: its value and its extras, each made by per_milli() or
 * EXTRA_NONE for one that was not counted. fig_value adds one without. */
void fig_add(struct figure *f, uint64_t value, int64_t e0, int64_t e1, int64_t e2, int64_t e3);
void fig_value(struct figure *f, uint64_t value);
/* count / units in thousandths (an extra); EXTRA_NONE stays EXTRA_NONE. */
int64_t per_milli(int64_t count, uint64_t units);
/* Prints median, min and max over the rounds, and the extras of the median
 * round. */
void fig_report(struct figure *f);
/* An information line: LINUX info <key>=<value>. */
void info(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "LINUX error ..." and power the machine off: the run failed.
 * die() after a failed system call (adds errno), fail() otherwise. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Faults this process took (minor + major), and major ones alone. */
int64_t faults_all(void);
int64_t faults_major(void);
/* This task's on-CPU time in ns (= instructions): /proc/self/schedstat's
 * first field, brought up to date by a yield first (it is refreshed only
 * when the scheduler runs). Device waits are sleeps, so they are not in it. */
uint64_t cpu_ns(void);
/* A /proc/vmstat counter (pswpin, pswpout, pgmajfault...); dies if absent. */
int64_t vmstat(const char *name);
/* Writes a short string to a /proc or /sys file; 0 or -errno. */
int write_file(const char *path, const char *text);
/* Reads a /proc or /sys file's first line (without the newline) into buf;
 * 0 or -errno. */
int read_line(const char *path, char *buf, int size);

/* A private anonymous mapping of `pages` pages (dies if mmap fails). */
volatile char *map_anon(uint32_t pages);
/* Touches one byte per page (write or read); returns the ticks it took. */
uint64_t touch(volatile char *p, uint32_t pages, int write);

/* lxbusy.c: CPU time in any context, as the ticks an idle-priority
 * spinner did not get. busy_start forks the spinner; busy_now sleeps a
 * moment (the spinner catches up) and returns its counter; busy_stop ends
 * it. At most one spinner at a time. */
void busy_start(void);
uint64_t busy_now(void);
void busy_stop(void);

/* The parts. */
void bench_faults(void);
void bench_files(void);
void bench_swap(void);

#endif
