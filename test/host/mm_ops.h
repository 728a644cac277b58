/* mm_ops.h - drive core/mm with a byte string (random tests, fuzzing). */
#ifndef TEST_HOST_MM_OPS_H
#define TEST_HOST_MM_OPS_H

#include <stddef.h>
#include <stdint.h>

/* Run the operations encoded in data on the booted simulator; abort()
 * with a message on any disagreement with the model or the checker. */
void mm_ops_run(const uint8_t *data, size_t len, int check_every_step);

#endif
