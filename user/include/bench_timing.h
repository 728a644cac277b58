/*
 * bench_timing.h - the clock and the floors both benchmarks time with:
 * ours (user/prog/bench.c, on our kernel) and the Linux peer's
 * (scripts/bench/linux/lxfault.c), so that on both sides the same
 * instructions are timed. Freestanding: it needs <stdint.h> only.
 *
 * Under QEMU's -icount shift=0 a TSC tick is one guest instruction, and a
 * rep-prefixed instruction counts once per iteration: 1024 for a page.
 */
#ifndef USER_BENCH_TIMING_H
#define USER_BENCH_TIMING_H

#include <stdint.h>

#define BENCH_PAGE_WORDS 1024u /* 32-bit words in a 4 KiB page */

/* The TSC, fenced: the lfences keep the read from moving across the
 * accesses it brackets. */
static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* rep stosl over one present page: the floor under a demand-zero fault.
 * Returns the ticks. */
static inline uint64_t bench_time_stos(void *page)
{
	uint32_t n = BENCH_PAGE_WORDS;
	uint64_t t0 = bench_tsc();

	__asm__ volatile("rep stosl" : "+D"(page), "+c"(n) : "a"(0) : "memory");
	return bench_tsc() - t0;
}

/* rep movsl of one page between present pages: the floor under a
 * copy-on-write copy. Returns the ticks. */
static inline uint64_t bench_time_movs(void *dst, const void *src)
{
	uint32_t n = BENCH_PAGE_WORDS;
	uint64_t t0 = bench_tsc();

	__asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return bench_tsc() - t0;
}

#endif
