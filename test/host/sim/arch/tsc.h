/*
 * Host replacement for arch/x86/include/arch/tsc.h: a simulated TSC, so
 * that tests of bounded waits and timeouts are exact. Each read moves
 * it on by sim_tsc_step (code that polls sees time pass); a test moves
 * it further by hand (sim_tsc += ...) to let a deadline expire.
 */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include <stdint.h>

extern uint64_t sim_tsc, sim_tsc_step; /* test/host/sim/sim.c */

static inline uint64_t rdtsc(void)
{
	return sim_tsc += sim_tsc_step;
}

static inline uint64_t rdtsc_fenced(void)
{
	return rdtsc();
}

#endif
