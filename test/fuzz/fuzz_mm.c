/*
 * fuzz_mm.c - libFuzzer target: every input is a sequence of memory-manager
 * operations (test/host/mm_ops.c), checked against a model and by the
 * invariant checker after every step. `make fuzz` runs it.
 */
#include <stddef.h>
#include <stdint.h>

#include "test/host/mm_ops.h"
#include "test/host/sim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte picks the machine: tight RAM or roomy, highmem or not. */
	static const uint32_t machines[4][2] = { { 96, 32 }, { 96, 96 }, { 512, 128 }, { 512, 512 } };
	const uint32_t *m = machines[size ? data[0] % 4 : 0];

	sim_boot(m[0], m[1]);
	if (size)
		mm_ops_run(data + 1, size - 1, 1);
	return 0;
}
