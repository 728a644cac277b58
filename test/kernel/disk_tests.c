/*
 * disk_tests.c - the disks the drivers found, from init (a task: each
 * blk_rw sleeps until its completion wakes it).
 *
 * On every partition of ours that swap may use (our type GUID and name,
 * writable): a round trip at its first pages, its middle and its last
 * page, and one request of BLK_REQ_MAX_PAGES pages starting mid-page,
 * into pages the page allocator hands to users (highmem when there is
 * some): the original sectors are read, a pattern written, read back and
 * compared, and the original written back and compared, so a real PC's
 * swap partition is left as it was. Every other partition and every
 * whole disk refuses a write (-EROFS) without touching the medium; a
 * request past the end is refused (-EINVAL). A spinning user task keeps
 * running while the I/O sleeps. Nothing in flight at the end.
 *
 * Errors the boot test injects (blkdebug, test/boot/disks.t) show here
 * as "not ok" lines that the test expects, with the layer's log line.
 */
#include <arch/mmu_ops.h>
#include <errnum.h>

#include "core/blk/blk.h"
#include "core/log.h"
#include "core/mm/mm.h"
#include "core/tap.h"
#include "core/task/task.h"
#include "lib/string.h"
#include "test/kernel/ktests.h"

#define SPIN_IO_ROUNDS 32 /* reads while a spinner runs */

/* Our partitions: writable windows (gpt.c leaves only those writable). */
static int is_ours(const struct blk_dev *d)
{
	return (d->flags & (BLK_PARTITION | BLK_READONLY | BLK_MEDIA_RO | BLK_GONE)) ==
	       BLK_PARTITION;
}

/* The byte a pattern has at byte i of sector lba of partition d. */
static uint8_t pattern(const struct blk_dev *d, uint64_t lba, uint32_t i)
{
	return (uint8_t)(lba * 131 + i * 7 + d->start + 0x5A);
}

struct bufs {
	pfn_t data[BLK_REQ_MAX_PAGES], saved[BLK_REQ_MAX_PAGES];
	uint32_t n;
};

static int bufs_get(struct bufs *b, uint32_t n)
{
	memset(b, 0, sizeof *b);
	for (b->n = 0; b->n < n; b->n++) {
		b->data[b->n] = pmm_alloc_page(PMM_USER | PMM_ZERO, PAGE_KERNEL);
		b->saved[b->n] = pmm_alloc_page(PMM_USER | PMM_ZERO, PAGE_KERNEL);
		if (!b->data[b->n] || !b->saved[b->n])
			return -ENOMEM;
	}
	return 0;
}

static void bufs_put(struct bufs *b)
{
	for (uint32_t i = 0; i <= b->n && i < BLK_REQ_MAX_PAGES; i++) {
		if (b->data[i])
			page_ref_dec(b->data[i]);
		if (b->saved[i])
			page_ref_dec(b->saved[i]);
	}
}

/* Fill (fill = 1) the bytes [off, off + bytes) of the pages with the
 * pattern of sectors from lba, or count the bytes that differ from it. */
static uint32_t pattern_pages(const struct blk_dev *d, const pfn_t *pages, uint32_t off,
			      uint32_t bytes, uint64_t lba, int fill)
{
	uint32_t bad = 0;

	for (uint32_t at = 0; at < bytes; at++) {
		uint32_t pos = off + at;
		uint8_t *p = (uint8_t *)page_address(pages[pos / PGSIZE], KMAP_PEEK) + pos % PGSIZE;
		uint8_t want = pattern(d, lba + at / d->sector_size, at % d->sector_size);
		if (fill)
			*p = want;
		else
			bad += *p != want;
	}
	return bad;
}

/* Bytes that differ between the same range of two page lists. */
static uint32_t compare_pages(const pfn_t *a, const pfn_t *b, uint32_t off, uint32_t bytes)
{
	uint32_t bad = 0;

	for (uint32_t at = off; at < off + bytes; at++) {
		uint8_t x = ((uint8_t *)page_address(a[at / PGSIZE], KMAP_SRC))[at % PGSIZE];
		uint8_t y = ((uint8_t *)page_address(b[at / PGSIZE], KMAP_DST))[at % PGSIZE];
		bad += x != y;
	}
	return bad;
}

/* The round trip of count sectors at lba of d, through pages from offset
 * off. One TAP line per step that matters; a failed step ends it. */
static void round_trip(struct blk_dev *d, uint64_t lba, uint32_t count, uint32_t off,
		       const char *where)
{
	uint32_t bytes = count * d->sector_size, npages = (off + bytes + PGSIZE - 1) / PGSIZE;
	struct bufs b;
	int err;

	if (bufs_get(&b, npages)) {
		tap_ok(0, "disk: %s: %s: pages for the buffers", d->name, where);
		bufs_put(&b);
		return;
	}
	err = blk_rw(d, BLK_READ, lba, count, b.saved, npages, off);
	if (!tap_eq((uint32_t)-err, 0, "disk: %s: %s (LBA %llu, %u sectors): read the original",
		    d->name, where, (unsigned long long)lba, count))
		goto out;
	pattern_pages(d, b.data, off, bytes, lba, 1);
	err = blk_rw(d, BLK_WRITE, lba, count, b.data, npages, off);
	if (!tap_eq((uint32_t)-err, 0, "disk: %s: %s (LBA %llu): write a pattern", d->name, where,
		    (unsigned long long)lba))
		goto out;
	for (uint32_t i = 0; i < npages; i++)
		page_zero(page_address(b.data[i], KMAP_ZERO));
	err = blk_rw(d, BLK_READ, lba, count, b.data, npages, off);
	tap_ok(!err && !pattern_pages(d, b.data, off, bytes, lba, 0),
	       "disk: %s: %s (LBA %llu): the pattern reads back (%d)", d->name, where,
	       (unsigned long long)lba, err);
	err = blk_rw(d, BLK_WRITE, lba, count, b.saved, npages, off);
	if (!err)
		err = blk_rw(d, BLK_READ, lba, count, b.data, npages, off);
	tap_ok(!err && !compare_pages(b.data, b.saved, off, bytes),
	       "disk: %s: %s (LBA %llu): the original is back (%d)", d->name, where,
	       (unsigned long long)lba, err);
out:
	bufs_put(&b);
}

/* The page-sized pieces of partition d the round trip visits. */
static void partition_round_trips(struct blk_dev *d)
{
	uint32_t per_page = PGSIZE / d->sector_size;
	uint64_t last = d->sectors - per_page, mid = d->sectors / 2 / per_page * per_page;
	uint32_t off = d->sector_size < PGSIZE ? d->sector_size : 0;
	uint32_t big = (BLK_REQ_MAX_PAGES * PGSIZE - off) / d->sector_size;

	round_trip(d, 0, per_page, 0, "first page");
	round_trip(d, per_page, per_page, 0, "second page");
	round_trip(d, mid, per_page, 0, "middle page");
	round_trip(d, last, per_page, 0, "last page");
	round_trip(d, 2 * per_page, big, off, "16 pages from mid-page");
}

/* A write to d (not ours, or a whole disk) must be refused, and no
 * request reach the driver. */
static void write_refused(struct blk_dev *d)
{
	struct blk_dev *disk = blk_disk_of(d);
	pfn_t page = pmm_alloc_page(PMM_USER | PMM_ZERO, PAGE_KERNEL);
	uint32_t writes = disk->writes;

	int err = page ? blk_rw(d, BLK_WRITE, 0, PGSIZE / d->sector_size, &page, 1, 0) : -ENOMEM;
	tap_ok(err == -EROFS && disk->writes == writes,
	       "disk: %s: a write is refused (%d, want %d), nothing sent to %s", d->name, err,
	       -EROFS, disk->name);
	if (page)
		page_ref_dec(page);
}

/* Reads keep coming while a user task spins: it runs while we sleep. */
static void io_beside_a_spinner(struct blk_dev *d)
{
	pfn_t page = pmm_alloc_page(PMM_USER, PAGE_KERNEL);
	int pid = task_spawn("spin", 1, current), status, err = 0;
	struct task *t = pid > 0 ? task_by_pid(pid) : 0;
	uint32_t before = t ? t->switches : 0, mine = current->switches;

	for (int i = 0; i < SPIN_IO_ROUNDS && page && !err; i++)
		err = blk_rw(d, BLK_READ, (uint64_t)i * (PGSIZE / d->sector_size),
			     PGSIZE / d->sector_size, &page, 1, 0);
	uint32_t ran = t ? t->switches - before : 0;
	tap_ok(t && !err && ran > 0 && current->switches > mine,
	       "disk: %s: %u reads slept (%u switches away) while a spinning task ran %u times "
	       "(%d)",
	       d->name, SPIN_IO_ROUNDS, current->switches - mine, ran, err);
	if (t) {
		task_kill(t, TERM_KILLED);
		task_wait(pid, &status, 0);
	}
	if (page)
		page_ref_dec(page);
}

void ktest_disk(void)
{
	unsigned ours = 0;
	uint32_t baseline = pmm_free_pages();

	tap_suite("disk");
	tap_eq(blk_inflight(), 0, "disk: nothing in flight before");
	for (struct blk_dev *d = blk_first(); d; d = d->next) {
		if (is_ours(d)) {
			ours++;
			partition_round_trips(d);
		} else if (!(d->flags & BLK_GONE)) {
			write_refused(d);
		}
		if (!(d->flags & BLK_PARTITION)) {
			pfn_t page = pmm_alloc_page(PMM_USER, PAGE_KERNEL);
			int err = page ? blk_rw(d, BLK_READ, d->sectors, 1, &page, 1, 0) : -ENOMEM;
			tap_eq((uint32_t)-err, EINVAL, "disk: %s: a read past the end is refused",
			       d->name);
			if (page)
				page_ref_dec(page);
		}
	}
	struct blk_dev *swap = blk_swap_partition();
	if (swap)
		io_beside_a_spinner(swap);
	else
		tap_skip("disk: reads beside a spinning task", "no swap partition");
	if (!ours)
		tap_skip("disk: round trips on our partitions", "no partition of ours on any disk");
	ktest_swap_backend();
	tap_eq(blk_inflight(), 0, "disk: nothing in flight after");
	tap_eq(pmm_free_pages(), baseline, "disk: free pages back to the baseline");
}
