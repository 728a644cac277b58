/* mm_ops.h - drive core/mm with a byte string (random tests, fuzzing). */
#ifndef TEST_HOST_MM_OPS_H
#define TEST_HOST_MM_OPS_H

#include <stddef.h>
#include <stdint.h>

/* Run the operations encoded in data on the booted simulator; abort()
 * with a message on any disagreement with the model or the checker. */
void mm_ops_run(const uint8_t *data, size_t len, int check_every_step);

/* How often the rarer paths ran, over all runs (the random test asserts
 * that each did). */
struct mm_ops_stats {
	uint32_t shared_table_drops; /* unmaps covering a whole fork-shared table */
	uint32_t brk_shrinks;        /* vmm_resize giving pages back */
	uint32_t brk_unshares;       /* ... from a fork-shared table */
	uint32_t kernel_faults;      /* faults served for a kernel user copy */
	uint32_t linux011_spaces;    /* spaces made in a slot of the shared 0.11 directory */
	uint32_t linux011_forks;     /* forks of those: copy_page_tables into another slot */
};
extern struct mm_ops_stats mm_ops_stats;

#endif
