/*
 * blk.c - the block layer: a list of disks and partitions, requests
 * checked and handed to drivers, completions counted and retried, and the
 * two ways of waiting for one (a task sleeps, the boot context polls).
 *
 * Who calls what, in which context (interrupts are off in all of them):
 *   blk_submit, blk_rw   tasks (swap's fault path and reclaim thread, the
 *                        FAT reader), and the boot context; never an IRQ
 *   blk_complete         drivers: their interrupt handler, or a poll
 *   blk_tick             the timer interrupt, each tick
 * Partitions are windows: blk_submit turns a partition's request into its
 * disk's (lba + start) and blk_complete turns it back before done(), so a
 * driver sees disks only.
 *
 * Bounds: a disk whose requests make no progress for BLK_TIMEOUT_MS is
 * reset through its driver (every request it held ends -ETIMEDOUT); after
 * BLK_MAX_TIMEOUTS resets in a row it is given up (BLK_GONE) and the
 * kernel goes on without it. 10 s covers a hard disk spinning up from
 * standby (several seconds) with room to spare; an emulated disk answers
 * in milliseconds. An -EIO is given to the driver again BLK_RETRIES times
 * (a marginal sector may read on a second try, as Linux 0.11's hd.c does
 * MAX_ERRORS), then reported.
 */
#include "core/blk/blk.h"

#include <arch/tsc.h>
#include <errnum.h>

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

/* Without the loader's timing, a TSC this fast is assumed: on a slower
 * CPU every wait is longer than named, never shorter than a third of it. */
#define BLK_TSC_KHZ_GUESS 3000000u

static struct blk_dev *devs_head, *devs_tail;
static struct blk_dev partitions[BLK_MAX_PARTITIONS];
static unsigned npartitions;
static uint64_t timeout_tsc = (uint64_t)BLK_TSC_KHZ_GUESS * BLK_TIMEOUT_MS;
static uint32_t total_inflight; /* over all disks: blk_tick's fast path */

static uint32_t khz = BLK_TSC_KHZ_GUESS;

void blk_init(uint32_t tsc_khz)
{
	khz = tsc_khz ? tsc_khz : BLK_TSC_KHZ_GUESS;
	timeout_tsc = (uint64_t)khz * BLK_TIMEOUT_MS;
}

uint64_t blk_deadline(uint32_t ms)
{
	return rdtsc() + (uint64_t)khz * ms;
}

int blk_expired(uint64_t deadline)
{
	return (int64_t)(rdtsc() - deadline) > 0;
}

void blk_delay_us(uint32_t us)
{
	uint64_t end = rdtsc() + (uint64_t)khz * us / 1000;

	while ((int64_t)(rdtsc() - end) < 0)
		__asm__ volatile("pause");
}

void blk_register(struct blk_dev *d)
{
	/* Nothing in this kernel writes a whole disk: partitions are written
	 * through their windows (blk_submit checks the window's flags, not
	 * the disk's), and gpt.c leaves only ours writable. */
	if (!(d->flags & BLK_PARTITION))
		d->flags |= BLK_READONLY;
	d->next = 0;
	if (devs_tail)
		devs_tail->next = d;
	else
		devs_head = d;
	devs_tail = d;
}

struct blk_dev *blk_first(void)
{
	return devs_head;
}

struct blk_dev *blk_find(const char *name)
{
	for (struct blk_dev *d = devs_head; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return 0;
}

struct blk_dev *blk_disk_of(struct blk_dev *d)
{
	while (d && (d->flags & BLK_PARTITION))
		d = d->parent;
	return d;
}

struct blk_dev *blk_add_partition(struct blk_dev *disk, const char *name, uint64_t start,
				  uint64_t sectors, uint32_t flags)
{
	if (npartitions == BLK_MAX_PARTITIONS)
		return 0;
	struct blk_dev *p = &partitions[npartitions++];
	memset(p, 0, sizeof *p);
	strlcpy(p->name, name, sizeof p->name);
	p->sector_size = disk->sector_size;
	p->sectors = sectors;
	p->flags = flags | BLK_PARTITION | (disk->flags & BLK_MEDIA_RO);
	p->ops = disk->ops;
	p->parent = disk;
	p->start = start;
	blk_register(p);
	return p;
}

uint32_t blk_inflight(void)
{
	return total_inflight;
}

/* ----------------------------------------------------------- requests */

/* What is wrong with r as a request to d, or 0 (checked before anything
 * changes: a refused request leaves no trace but the return value). */
static int check(const struct blk_dev *d, const struct blk_req *r)
{
	uint64_t bytes = (uint64_t)r->count * d->sector_size;

	if (blk_disk_of((struct blk_dev *)d)->flags & BLK_GONE)
		return -ENODEV;
	if (r->op != BLK_READ && r->op != BLK_WRITE)
		return -EINVAL;
	if (!r->count || r->lba >= d->sectors || r->count > d->sectors - r->lba)
		return -EINVAL;
	if (!r->npages || r->npages > BLK_REQ_MAX_PAGES || r->offset >= PGSIZE ||
	    r->offset % BLK_BUF_ALIGN)
		return -EINVAL;
	/* The pages hold exactly the transfer: no page short, none spare. */
	if (r->offset + bytes > (uint64_t)r->npages * PGSIZE ||
	    r->offset + bytes <= (uint64_t)(r->npages - 1) * PGSIZE)
		return -EINVAL;
	if (r->op == BLK_WRITE && (d->flags & (BLK_READONLY | BLK_MEDIA_RO)))
		return -EROFS;
	return 0;
}

/* Give r (already on its disk) to the driver. */
static int start(struct blk_dev *disk, struct blk_req *r)
{
	if (!disk->inflight)
		disk->progress_tsc = rdtsc(); /* the clock starts when it gets work */
	disk->inflight++;
	total_inflight++;
	r->tries++;
	int err = disk->ops->submit(disk, r);
	if (err) {
		disk->inflight--;
		total_inflight--;
	}
	return err;
}

int blk_submit(struct blk_req *r)
{
	struct blk_dev *d = r->dev;
	int err = d ? check(d, r) : -EINVAL;

	if (err)
		return err;
	r->part = 0;
	r->tries = 0;
	r->next = 0;
	if (d->flags & BLK_PARTITION) {
		r->part = d;
		r->part_lba = r->lba;
		for (; d->flags & BLK_PARTITION; d = d->parent)
			r->lba += d->start;
		r->dev = d;
	}
	err = start(d, r);
	if (err && r->part) {
		r->dev = r->part;
		r->lba = r->part_lba;
	}
	return err;
}

static const char *error_name(int status)
{
	switch (status) {
	case -EIO:
		return "I/O error";
	case -ETIMEDOUT:
		return "no answer";
	case -ENODEV:
		return "device given up";
	default:
		return "error";
	}
}

static void count(struct blk_dev *d, const struct blk_req *r, int status)
{
	if (r->op == BLK_READ) {
		d->reads++;
		d->sectors_read += status ? 0 : r->count;
	} else {
		d->writes++;
		d->sectors_written += status ? 0 : r->count;
	}
	d->errors += status != 0;
	d->timeouts += status == -ETIMEDOUT;
}

/* The first BLK_ERROR_LOG_MAX failures of a disk each get a line; a
 * failing disk under swap would otherwise fill the log. */
static void log_failure(struct blk_dev *disk, const struct blk_req *r, int status)
{
	const struct blk_dev *shown = r->part ? r->part : disk;
	uint64_t lba = r->part ? r->part_lba : r->lba;

	if (disk->errors_logged >= BLK_ERROR_LOG_MAX)
		return;
	disk->errors_logged++;
	kprintf("blk: %s: %s of %u sector%s at %llu failed: %s (%d)%s%s\n", shown->name,
		r->op == BLK_READ ? "read" : "write", r->count, r->count == 1 ? "" : "s",
		(unsigned long long)lba, error_name(status), status,
		r->tries > 1 ? ", after retries" : "",
		disk->errors_logged == BLK_ERROR_LOG_MAX ? "; further errors counted, not logged"
							  : "");
}

void blk_complete(struct blk_req *r, int status)
{
	struct blk_dev *disk = r->dev;

	disk->inflight--;
	total_inflight--;
	if (status != -ETIMEDOUT) {
		disk->progress_tsc = rdtsc();
		disk->timeouts_in_row = 0;
	}
	if (status == -EIO && r->tries <= BLK_RETRIES && !(disk->flags & BLK_GONE)) {
		disk->retries++;
		if (start(disk, r) == 0)
			return;
	}
	count(disk, r, status);
	if (r->part) {
		count(r->part, r, status);
		r->dev = r->part;
		r->lba = r->part_lba;
	}
	if (status)
		log_failure(disk, r, status);
	r->status = status;
	r->done(r);
}

/* ------------------------------------------------------------ timeouts */

/* disk's requests made no progress for BLK_TIMEOUT_MS: reset it, or give
 * it up after BLK_MAX_TIMEOUTS resets in a row. */
static void timed_out(struct blk_dev *disk)
{
	disk->timeouts_in_row++;
	kprintf("blk: %s: no answer for %u ms with %u request%s in flight: resetting it\n",
		disk->name, BLK_TIMEOUT_MS, disk->inflight, disk->inflight == 1 ? "" : "s");
	int err = disk->ops->reset(disk);
	/* The reset ended every request the driver held, even when it could
	 * not make the device ready: a waiter would wait forever otherwise. */
	if (disk->inflight)
		panic("blk: %s: the driver's reset left %u request(s) in flight", disk->name,
		      disk->inflight);
	if (err || disk->timeouts_in_row >= BLK_MAX_TIMEOUTS) {
		disk->flags |= BLK_GONE;
		kprintf("blk: %s: given up (%s): its requests fail from now on\n", disk->name,
			err ? "the reset failed" : "no answer after resets");
	}
	disk->progress_tsc = rdtsc();
}

static int stalled(const struct blk_dev *disk)
{
	return disk->inflight && rdtsc() - disk->progress_tsc > timeout_tsc;
}

void blk_tick(void)
{
	if (!total_inflight)
		return;
	for (struct blk_dev *d = devs_head; d; d = d->next) {
		if ((d->flags & BLK_PARTITION) || !d->inflight)
			continue;
		if ((d->flags & BLK_POLLED) && d->ops->poll)
			d->ops->poll(d);
		if (stalled(d))
			timed_out(d);
	}
}

/* --------------------------------------------------------- waiting */

struct waiter {
	volatile int done;
	int status;
	struct task *task; /* sleeping for it, or NULL (polling) */
};

static void wake(struct blk_req *r)
{
	struct waiter *w = r->ctx;

	w->status = r->status;
	w->done = 1;
	if (w->task) {
		sched_wake(w->task);
		/* The waiter runs as soon as this interrupt returns to ring 3
		 * (return_to_user): a page-in waits for the disk, not for a
		 * CPU-bound task's timer tick. */
		need_resched = 1;
	}
}

/* A task can sleep; the boot context, and the idle task it becomes, must
 * not (there would be nobody to run), so they poll. */
static int can_sleep(void)
{
	return current && current->pid != 0;
}

/* Ticks of sleep between two looks at a request: the timer tick's
 * watchdog resets a stalled disk well before this. */
#define BLK_SLEEP_TICKS (BLK_TIMEOUT_MS / 10 + 1)

int blk_rw(struct blk_dev *d, enum blk_op op, uint64_t lba, uint32_t count, const pfn_t *pages,
	   uint32_t npages, uint32_t offset)
{
	struct waiter w = { 0, 0, can_sleep() ? current : 0 };
	struct blk_req r;

	memset(&r, 0, sizeof r);
	r.dev = d;
	r.op = op;
	r.lba = lba;
	r.count = count;
	r.offset = offset;
	r.npages = npages;
	if (npages > BLK_REQ_MAX_PAGES || !pages)
		return -EINVAL;
	memcpy(r.pages, pages, npages * sizeof pages[0]);
	r.done = wake;
	r.ctx = &w;
	int err = blk_submit(&r);
	if (err)
		return err;
	struct blk_dev *disk = blk_disk_of(d);
	while (!w.done) {
		if (w.task)
			sched_sleep(BLK_SLEEP_TICKS);
		else if (disk->ops->poll)
			disk->ops->poll(disk);
		if (!w.done && stalled(disk))
			timed_out(disk);
	}
	return w.status;
}

/* ------------------------------------------------------------- show */

void blk_print_stats(void)
{
	for (struct blk_dev *d = devs_head; d; d = d->next) {
		uint64_t mib = d->sectors * d->sector_size >> 20;
		kprintf("  %-9s %s%-9s %10llu sectors of %u (%llu MiB)%s%s%s\n", d->name,
			d->parent ? "on " : "", d->parent ? d->parent->name : "disk",
			(unsigned long long)d->sectors, d->sector_size, (unsigned long long)mib,
			d->flags & (BLK_READONLY | BLK_MEDIA_RO) ? ", read-only" : "",
			d->flags & BLK_POLLED ? ", polled" : "", d->flags & BLK_GONE ? ", GIVEN UP" : "");
		kprintf("            reads %u (%llu sectors), writes %u (%llu sectors), errors %u, "
			"timeouts %u\n",
			d->reads, (unsigned long long)d->sectors_read, d->writes,
			(unsigned long long)d->sectors_written, d->errors, d->timeouts);
	}
}
