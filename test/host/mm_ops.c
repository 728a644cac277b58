/*
 * mm_ops.c - run a byte string as a sequence of memory-manager operations
 * against a model of what every address space should read, checking the
 * invariants after every step. Shared by the random test (test_mm_random)
 * and the libFuzzer target (test/fuzz/fuzz_mm.c).
 */
#include "test/host/mm_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm/mm.h"
#include "test/host/sim/sim.h"

#define SLOTS 6
#define NPAGES 16
/* The area straddles a table boundary, so forks share two tables. */
#define AREA_BASE (0x08000000u + PTSPAN - 8 * PGSIZE)
#define RO_BASE 0x20000000u

struct slot {
	struct aspace *as;
	unsigned char value[NPAGES]; /* what byte 0 of each page reads */
	unsigned char mapped[NPAGES];
};

static struct slot slots[SLOTS];

static void fail(const char *what, unsigned step)
{
	fprintf(stderr, "mm_ops: step %u: %s\n", step, what);
	abort();
}

/* The slot whose space is running (CR3), or NULL. */
static struct slot *running(void)
{
	for (int k = 0; k < SLOTS; k++)
		if (slots[k].as && slots[k].as == vmm_current)
			return &slots[k];
	return NULL;
}

/* The slot b[0] names. Most steps on a live slot stay with the running
 * space instead, as a time slice would: what one step leaves in the
 * simulated TLB then meets the next step's changes. */
static struct slot *pick(const uint8_t *b, int want_live)
{
	struct slot *s = &slots[b[0] % SLOTS];

	if (want_live && b[0] >= 96 && running())
		s = running();
	return (s->as != NULL) == want_live ? s : NULL;
}

static void drop(struct slot *s)
{
	vmm_destroy(s->as);
	s->as = NULL;
}

static void op_create(struct slot *s)
{
	s->as = vmm_create();
	if (!s->as)
		return;
	if (vmm_map(s->as, AREA_BASE, NPAGES * PGSIZE, AREA_WRITE, "anon") ||
	    vmm_map(s->as, RO_BASE, PGSIZE, 0, "ro")) {
		drop(s);
		return;
	}
	memset(s->value, 0, sizeof s->value);
	memset(s->mapped, 1, sizeof s->mapped);
}

static void op_write(struct slot *s, unsigned page, unsigned char v, unsigned step)
{
	int kind = sim_write(s->as, AREA_BASE + page * PGSIZE, v);

	if (!s->mapped[page]) {
		if (kind != -2 - FAULT_SEGV)
			fail("write to an unmapped page did not segfault", step);
		return;
	}
	if (kind == -2 - FAULT_OOM) {
		drop(s); /* the kernel would kill this task */
		return;
	}
	if (kind < -1)
		fail("write failed", step);
	s->value[page] = v;
}

static void op_read(struct slot *s, unsigned page, unsigned step)
{
	unsigned char v;
	int kind = sim_read(s->as, AREA_BASE + page * PGSIZE, &v);

	if (!s->mapped[page]) {
		if (kind != -2 - FAULT_SEGV)
			fail("read of an unmapped page did not segfault", step);
		return;
	}
	if (kind == -2 - FAULT_OOM) {
		drop(s);
		return;
	}
	if (kind < -1 || v != s->value[page])
		fail("read returned the wrong value", step);
	if (sim_write(s->as, RO_BASE, 1) != -2 - FAULT_SEGV)
		fail("write to a read-only area did not segfault", step);
}

static void op_fork(struct slot *parent, struct slot *child)
{
	child->as = vmm_fork(parent->as);
	if (!child->as)
		return;
	memcpy(child->value, parent->value, sizeof child->value);
	memcpy(child->mapped, parent->mapped, sizeof child->mapped);
}

static void op_unmap(struct slot *s, unsigned page, unsigned step)
{
	int rc = vmm_unmap(s->as, AREA_BASE + page * PGSIZE, PGSIZE);

	if (rc == -12)
		return; /* no memory to un-share the table: nothing changed */
	if (rc)
		fail("unmap failed", step);
	s->mapped[page] = 0;
}

static void op_remap(struct slot *s, unsigned page, unsigned step)
{
	if (s->mapped[page])
		return;
	if (vmm_map(s->as, AREA_BASE + page * PGSIZE, PGSIZE, AREA_WRITE, "anon"))
		fail("remap failed", step);
	s->mapped[page] = 1;
	s->value[page] = 0;
}

void mm_ops_run(const uint8_t *data, size_t len, int check_every_step)
{
	uint32_t baseline = pmm_free_pages();
	unsigned step = 0;

	memset(slots, 0, sizeof slots);
	for (size_t i = 0; i + 3 <= len; i += 3, step++) {
		const uint8_t *b = data + i;
		unsigned page = b[1] % NPAGES;
		struct slot *s;
		switch (b[2] % 8) {
		case 0:
			if ((s = pick(b, 0)))
				op_create(s);
			break;
		case 1:
		case 2:
			if ((s = pick(b, 1)))
				op_write(s, page, b[1], step);
			break;
		case 3:
			if ((s = pick(b, 1)))
				op_read(s, page, step);
			break;
		case 4: {
			struct slot *c = &slots[(b[0] + 1 + b[1] % (SLOTS - 1)) % SLOTS];
			if ((s = pick(b, 1)) && !c->as)
				op_fork(s, c);
			break;
		}
		case 5:
			if ((s = pick(b, 1)))
				(b[1] & 0x80) ? op_remap(s, page, step) : op_unmap(s, page, step);
			break;
		case 6:
			if ((s = pick(b, 1)) && b[1] < 32)
				drop(s);
			break;
		case 7:
			mm_fork_mode = b[1] & 1 ? FORK_COPY_TABLES : FORK_SHARE_TABLES;
			break;
		}
		if (check_every_step && mm_check())
			fail("invariant checker found problems", step);
	}
	for (int k = 0; k < SLOTS; k++)
		if (slots[k].as)
			drop(&slots[k]);
	if (mm_check() || pmm.errors)
		fail("problems after teardown", step);
	if (pmm_free_pages() != baseline)
		fail("free pages not back to the baseline after teardown", step);
}
