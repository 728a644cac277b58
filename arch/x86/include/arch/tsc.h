/*
 * tsc.h - reading the time-stamp counter: shared by the 32-bit kernel
 * (through arch/cpu.h) and the 64-bit loader (efi/), the same code for
 * both word sizes (RDTSC returns EDX:EAX in either mode).
 *
 * RDTSC is not ordered: the CPU may read the counter before the
 * instructions ahead of it have finished. That is fine for a deadline
 * (a bounded wait that ends a few dozen cycles early or late) or a time
 * stamp compared with another far away (ExitBootServices to kmain), so
 * rdtsc() stays plain and cheap; the kernel's uses are all of that kind.
 * Measuring an interval wants both ends in place: rdtsc_fenced() puts
 * LFENCE first, which starts no later instruction before the earlier ones
 * are done (Intel; AMD when LFENCE is dispatch-serializing, as recent
 * firmware and Linux set it). LFENCE is SSE2, which every x86-64 CPU,
 * and so every machine this boots on, has.
 */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include <stdint.h>

/* The counter now, unordered: for deadlines and far-apart stamps. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The counter once everything before has completed: for the two ends of
 * a measured interval. Needs SSE2 (LFENCE). */
static inline uint64_t rdtsc_fenced(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

#endif
