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

void sim_boot(uint32_t pages, uint32_t low_pages);
void sim_clear_log(void);



/* One user byte access the way the MMU would do it, faulting as needed.
 * Returns the fault kind taken (-1: none), or -2 - kind when the access
 * failed (segv, oom). */
int sim_write(struct aspace *as, vaddr_t va, unsigned char v);
int sim_read(struct aspace *as, vaddr_t va, unsigned char *v);
unsigned char *sim_access(struct aspace *as, vaddr_t va, int write, int *kind);

#endif
