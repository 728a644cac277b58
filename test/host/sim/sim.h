/* sim.h - the simulated machine for host tests of core/mm. */
#ifndef TEST_HOST_SIM_H
#define TEST_HOST_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/mm/mm.h"

#define SIM_LOG_SIZE 65536
#define SIM_FIXUP_EIP 0xC0DEF1C5u /* the one "kernel instruction" with a fixup */

extern char sim_log[SIM_LOG_SIZE];
extern size_t sim_log_len;
extern uint32_t sim_invlpg, sim_full_flush, sim_kmaps;
extern unsigned char *sim_ram;
extern int sim_killed_term;
extern uint32_t sim_reported_faults; /* report_fault() calls while the report was on */

/* The TLB model (sim.c): a stale entry used aborts, unless tolerated. */
extern int sim_tlb_tolerate;
extern uint32_t sim_tlb_stale, sim_tlb_hits;

void sim_boot(uint32_t pages, uint32_t low_pages);
void sim_clear_log(void);

/* One user byte access the way the MMU would do it, through the TLB model,
 * faulting as needed; as becomes the running space first (a context
 * switch: CR3 load) if it is not. Returns the fault kind taken (-1: none),
 * or -2 - kind when the access failed (segv, oom). */
int sim_write(struct aspace *as, vaddr_t va, unsigned char v);
int sim_read(struct aspace *as, vaddr_t va, unsigned char *v);
unsigned char *sim_access(struct aspace *as, vaddr_t va, int write, int *kind);
/* The same from ring 0, as a user copy in a system call does: faults go
 * through page_fault(). Same return values; v is read or written. */
int sim_kernel_access(struct aspace *as, vaddr_t va, int write, unsigned char *v);

#endif
