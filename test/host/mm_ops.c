/*
 * mm_ops.c - run a byte string as a sequence of memory-manager operations
 * against a model of what every address space should read, checking the
 * invariants after every step. Shared by the random test (test_mm_random)
 * and the libFuzzer target (test/fuzz/fuzz_mm.c).
 *
 * Each space has three areas: the main one (a partial table, a whole
 * table, a partial table), a read-only page, and a heap right after it in
 * the same table, which brk grows and shrinks. Steps read and write pages
 * from ring 3 and from the kernel (a user copy: page_fault() with its
 * fixup), fork in either mode, unmap single pages, runs of pages, the
 * whole middle table or everything, map holes again, resize the heap, and
 * destroy spaces. A space is flat, or a Linux 0.11-mode one in a slot of
 * the shared directory (its addresses are the same offsets from its
 * slot's base; switching between two of them loads no CR3, so the TLB
 * model keeps the other slots' entries).
 */
#include "test/host/mm_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm/internal.h"
#include "core/mm/mm.h"
#include "test/host/sim/sim.h"

#define SLOTS 6
/* The main area: its first 8 pages end one table, the next 1024 are the
 * whole next table, the last 8 start a third; so forks share three
 * tables, and unmaps can cover one whole. */
#define EDGE 8u
#define NPAGES (EDGE + NPTENTRIES + EDGE)
/* Offsets from the space's base: inside a 64 MiB slot too. */
#define AREA_BASE (0x00400000u + PTSPAN - EDGE * PGSIZE)
#define WHOLE_FIRST EDGE /* the page that starts the whole table */
#define RO_BASE 0x02000000u
#define HEAP_BASE (RO_BASE + PGSIZE)
#define HEAP_MAX 24u /* pages */
#define HEAP_START 4u

struct slot {
	struct aspace *as;
	unsigned char value[NPAGES]; /* what byte 0 of each page reads */
	unsigned char mapped[NPAGES];
	unsigned char heap[HEAP_MAX];
	uint32_t heap_pages;
};

static struct slot slots[SLOTS];
struct mm_ops_stats mm_ops_stats;

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

/* A page of the main area for a byte: mostly near the two table
 * boundaries, sometimes anywhere in the whole table. */
static unsigned page_of(uint8_t x)
{
	if (x < 96)
		return x % (2 * EDGE);
	if (x < 192)
		return NPAGES - 2 * EDGE + x % (2 * EDGE);
	return 2 * EDGE + (unsigned)(x - 192) * 15;
}

/* The linear address of an offset in s's space. */
static vaddr_t at(const struct slot *s, vaddr_t off)
{
	return s->as->base + off;
}

static vaddr_t page_va(const struct slot *s, unsigned page)
{
	return at(s, AREA_BASE + page * PGSIZE);
}

static struct area *heap_area(const struct slot *s)
{
	for (struct area *a = s->as->areas; a; a = a->next)
		if (a->start == at(s, HEAP_BASE))
			return a;
	return NULL;
}

static void drop(struct slot *s)
{
	vmm_destroy(s->as);
	s->as = NULL;
}

static void op_create(struct slot *s, int linux011)
{
	if (linux011) {
		s->as = NULL;
		vmm_create_linux011(&s->as);
		mm_ops_stats.linux011_spaces += s->as != NULL;
	} else {
		s->as = vmm_create();
	}
	if (!s->as)
		return;
	if (vmm_map(s->as, at(s, AREA_BASE), NPAGES * PGSIZE, AREA_WRITE, "anon") ||
	    vmm_map(s->as, at(s, RO_BASE), PGSIZE, 0, "ro") ||
	    vmm_map(s->as, at(s, HEAP_BASE), HEAP_START * PGSIZE, AREA_WRITE, "heap")) {
		drop(s);
		return;
	}
	memset(s->value, 0, sizeof s->value);
	memset(s->mapped, 1, sizeof s->mapped);
	memset(s->heap, 0, sizeof s->heap);
	s->heap_pages = HEAP_START;
}

/*
 * The outcome of one access (a sim_write/sim_read/sim_kernel_access
 * result) against the model: an unmapped page must fail (segv), oom
 * kills the task, anything else must succeed. Returns 1 when the access
 * succeeded and the caller should check or record its value.
 */
static int outcome(struct slot *s, int mapped, int kind, unsigned step)
{
	if (!mapped) {
		if (kind != -2 - FAULT_SEGV)
			fail("an access outside every area did not fail", step);
		return 0;
	}
	if (kind == -2 - FAULT_OOM) {
		drop(s); /* the kernel would kill this task */
		return 0;
	}
	if (kind < -1)
		fail("an access failed", step);
	return 1;
}

static void op_write(struct slot *s, unsigned page, unsigned char v, unsigned step)
{
	if (outcome(s, s->mapped[page], sim_write(s->as, page_va(s, page), v), step))
		s->value[page] = v;
}

static void op_read(struct slot *s, unsigned page, unsigned step)
{
	unsigned char v;

	if (outcome(s, s->mapped[page], sim_read(s->as, page_va(s, page), &v), step) &&
	    v != s->value[page])
		fail("read returned the wrong value", step);
	if (s->as && sim_write(s->as, at(s, RO_BASE), 1) != -2 - FAULT_SEGV)
		fail("write to a read-only area did not segfault", step);
}

/* The kernel copies to or from the page, or to the read-only area (the
 * copy fails with -EFAULT, the task lives on). */
static void op_kernel(struct slot *s, unsigned page, uint8_t how, unsigned step)
{
	unsigned char v = how;
	int kind;

	if (how & 2) {
		kind = sim_kernel_access(s->as, at(s, RO_BASE), how & 1, &v);
		if (outcome(s, !(how & 1), kind, step) && v != 0)
			fail("kernel read of the read-only page is not zero", step);
		return;
	}
	kind = sim_kernel_access(s->as, page_va(s, page), how & 1, &v);
	if (kind >= 0)
		mm_ops_stats.kernel_faults++;
	if (!outcome(s, s->mapped[page], kind, step))
		return;
	if (how & 1)
		s->value[page] = v;
	else if (v != s->value[page])
		fail("kernel read returned the wrong value", step);
}

static void op_fork(struct slot *parent, struct slot *child)
{
	child->as = vmm_fork(parent->as);
	if (!child->as)
		return;
	mm_ops_stats.linux011_forks += child->as->slot != 0;
	memcpy(child->value, parent->value, sizeof child->value);
	memcpy(child->mapped, parent->mapped, sizeof child->mapped);
	memcpy(child->heap, parent->heap, sizeof child->heap);
	child->heap_pages = parent->heap_pages;
}

/* Unmap [page, page + n) of the main area; -ENOMEM (no memory to un-share
 * an edge, no area for a split) changes nothing the model sees. */
static void unmap_pages(struct slot *s, unsigned page, unsigned n, unsigned step)
{
	pde_t whole = s->as->pd[PDX(page_va(s, WHOLE_FIRST))];
	int rc = vmm_unmap(s->as, page_va(s, page), n * PGSIZE);

	if (rc == -12)
		return;
	if (rc)
		fail("unmap failed", step);
	if (page <= WHOLE_FIRST && page + n >= WHOLE_FIRST + NPTENTRIES && table_is_shared(whole))
		mm_ops_stats.shared_table_drops++;
	memset(&s->mapped[page], 0, n);
}

/* One page, a run of up to 8, the whole middle table, up to the end, or
 * everything. */
static void op_unmap_range(struct slot *s, uint8_t x, unsigned step)
{
	unsigned page = page_of(x), n;

	switch (x % 5) {
	case 0:
		n = 1;
		break;
	case 1:
		n = 1 + (x >> 3) % 8;
		break;
	case 2:
		page = WHOLE_FIRST;
		n = NPTENTRIES;
		break;
	case 3:
		n = NPAGES - page;
		break;
	default:
		page = 0;
		n = NPAGES;
		break;
	}
	if (page + n > NPAGES)
		n = NPAGES - page;
	unmap_pages(s, page, n, step);
}

/* Map again the hole starting at page: one page, or up to a whole table. */
static void op_remap(struct slot *s, uint8_t x, unsigned step)
{
	unsigned page = x & 0x40 ? WHOLE_FIRST : page_of(x), most = x & 0x40 ? NPTENTRIES : 1;
	unsigned n = 0;

	while (page + n < NPAGES && n < most && !s->mapped[page + n])
		n++;
	if (!n)
		return;
	int rc = vmm_map(s->as, page_va(s, page), n * PGSIZE, AREA_WRITE, "anon");
	if (rc == -12)
		return; /* the area pool is empty */
	if (rc)
		fail("remap failed", step);
	memset(&s->mapped[page], 1, n);
	memset(&s->value[page], 0, n);
}

static void op_heap_access(struct slot *s, uint8_t x, unsigned step)
{
	unsigned page = x % HEAP_MAX;
	vaddr_t va = at(s, HEAP_BASE + page * PGSIZE);
	int mapped = page < s->heap_pages;
	unsigned char v = x;

	if (x & 0x80) {
		if (outcome(s, mapped, sim_write(s->as, va, v), step))
			s->heap[page] = v;
	} else if (outcome(s, mapped, sim_read(s->as, va, &v), step) && v != s->heap[page]) {
		fail("heap read returned the wrong value", step);
	}
}

/* brk: the heap grows or shrinks to x % (HEAP_MAX + 1) pages. */
static void op_resize(struct slot *s, uint8_t x, unsigned step)
{
	struct area *a = heap_area(s);
	uint32_t pages = x % (HEAP_MAX + 1);
	pde_t pde = s->as->pd[PDX(at(s, HEAP_BASE))];

	if (!a)
		fail("the heap area is gone", step);
	int rc = vmm_resize(s->as, a, at(s, HEAP_BASE + pages * PGSIZE));
	if (rc == -12)
		return;
	if (rc)
		fail("resize failed", step);
	if (pages < s->heap_pages) {
		mm_ops_stats.brk_shrinks++;
		mm_ops_stats.brk_unshares += table_is_shared(pde);
		memset(&s->heap[pages], 0, s->heap_pages - pages);
	}
	s->heap_pages = pages;
}

/* One step: b[0] picks the slot, b[1] the page or value, b[2] the step. */
static void step_once(const uint8_t *b, unsigned step)
{
	unsigned page = page_of(b[1]);
	struct slot *s;

	switch (b[2] % 16) {
	case 0:
		if ((s = pick(b, 0)))
			op_create(s, b[1] & 1);
		break;
	case 1:
	case 2:
	case 13:
		if ((s = pick(b, 1)))
			op_write(s, page, b[1], step);
		break;
	case 3:
	case 14:
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
			(b[1] & 0x80) ? op_remap(s, b[1], step) : unmap_pages(s, page, 1, step);
		break;
	case 6:
		if ((s = pick(b, 1)) && b[1] < 32)
			drop(s);
		break;
	case 7:
		mm_fork_mode = b[1] & 1 ? FORK_COPY_TABLES : FORK_SHARE_TABLES;
		break;
	case 8:
		if ((s = pick(b, 1)))
			op_unmap_range(s, b[1], step);
		break;
	case 9:
		if ((s = pick(b, 1)))
			op_remap(s, b[1], step);
		break;
	case 10:
	case 15:
		if ((s = pick(b, 1)))
			op_heap_access(s, b[1], step);
		break;
	case 11:
		if ((s = pick(b, 1)))
			op_resize(s, b[1], step);
		break;
	case 12:
		if ((s = pick(b, 1)))
			op_kernel(s, page, b[1] & 3, step);
		break;
	}
}

void mm_ops_run(const uint8_t *data, size_t len, int check_every_step)
{
	uint32_t baseline = pmm_free_pages();
	unsigned step = 0;

	memset(slots, 0, sizeof slots);
	for (size_t i = 0; i + 3 <= len; i += 3, step++) {
		step_once(data + i, step);
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
