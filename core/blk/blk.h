/*
 * blk.h - the block layer: disks and partitions as numbered sectors.
 *
 * Drivers (drivers/: AHCI, virtio-blk, NVMe) register a struct blk_dev
 * with an ops table; the GPT reader (core/blk/gpt.c) registers one more
 * blk_dev per partition, a window over its disk. Swap (core/mm/swap*.c)
 * and the FAT reader (core/fs/) see only this interface, so host tests
 * run them over a memory-backed device that implements the same ops.
 *
 * Context rule: kernel code runs with interrupts off (core/task/sched.c).
 * A request's completion runs in an interrupt handler or in a poll made
 * by the layer; it must not sleep. A task that needs the data sleeps
 * (sched_sleep, with a bound) and is woken by the completion; before
 * tasks exist (at boot) the layer polls the device instead, always with
 * a bound.
 *
 * Buffers are physical pages (pfn + offset), never kernel pointers: a
 * page of the page cache or of a task may live in highmem, and the
 * device reaches it by DMA below 4 GiB without any mapping.
 *
 * Actions return 0 or -errno (include/errnum.h): -EIO for an error the
 * device reported, -ETIMEDOUT for one that did not answer, -EINVAL for a
 * request outside the device, -EROFS for a write to a read-only device
 * (every whole disk, every partition but ours), -ENODEV for a device the
 * layer gave up after repeated timeouts.
 */
#ifndef CORE_BLK_BLK_H
#define CORE_BLK_BLK_H

#include <arch/mmu.h>
#include <stdint.h>

#define BLK_NAME_MAX 16
/* Pages one request may carry: 64 KiB, within every driver's limits
 * (NVMe's MDTS in QEMU is 512 KiB, AHCI's PRD entry 4 MiB). */
#define BLK_REQ_MAX_PAGES 16

struct blk_dev;

enum blk_op { BLK_READ, BLK_WRITE };

/* One transfer of `count` sectors starting at `lba`, into or out of the
 * pages listed (the first from byte `offset`, then whole pages, in
 * order). The submitter owns the request until done() is called. */
struct blk_req {
	struct blk_dev *dev;
	enum blk_op op;
	uint64_t lba;   /* in the device's own sectors (dev->sector_size) */
	uint32_t count; /* sectors, > 0 */
	uint32_t offset;
	uint32_t npages;
	pfn_t pages[BLK_REQ_MAX_PAGES];
	int status; /* set before done(): 0 or -errno */
	/* Called once, when the transfer ended (interrupt or poll context:
	 * must not sleep). */
	void (*done)(struct blk_req *r);
	void *ctx;             /* the submitter's */
	struct blk_req *next;  /* the layer's and the driver's queue link */
	/* The layer's own (blk.c), set by blk_submit; a driver sees lba and
	 * dev already translated to the disk and must not touch these. */
	struct blk_dev *part;  /* the partition r was submitted to, or NULL */
	uint64_t part_lba;     /* r's lba there, given back before done() */
	uint32_t tries;        /* times a driver was given r (retries + 1) */
};

/* A FIFO of requests linked through their next field: a driver's
 * requests waiting for a free slot (submit never fails for lack of one). */
struct blk_queue {
	struct blk_req *head, *tail;
};

static inline void blk_queue_push(struct blk_queue *q, struct blk_req *r)
{
	r->next = 0;
	if (q->tail)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
}

/* The oldest request, taken off the queue; NULL when it is empty. */
static inline struct blk_req *blk_queue_pop(struct blk_queue *q)
{
	struct blk_req *r = q->head;

	if (r) {
		q->head = r->next;
		if (!q->head)
			q->tail = 0;
	}
	return r;
}

/* What a driver (or a partition window) implements. */
struct blk_ops {
	/* Start r, or queue it when the device is busy: never sleeps, never
	 * fails for lack of a free slot. 0, or -errno when r cannot be
	 * started at all (done() is then not called). */
	int (*submit)(struct blk_dev *d, struct blk_req *r);
	/* Look for completions without waiting for an interrupt (boot, and
	 * devices without a usable interrupt). May be NULL. */
	void (*poll)(struct blk_dev *d);
	/* Requests stopped making progress (none completed for
	 * BLK_TIMEOUT_MS): stop the device's DMA, complete every request the
	 * driver holds with -ETIMEDOUT (blk_complete), and make the device
	 * ready for new ones. 0, or -errno when it cannot be made ready (its
	 * bus mastering is then off): the layer gives the device up. Every
	 * held request is completed either way. Bounded waits only; may run
	 * in the timer interrupt. Required. */
	int (*reset)(struct blk_dev *d);
};

#define BLK_READONLY 0x1u  /* writes fail with -EROFS */
#define BLK_PARTITION 0x2u /* a window over dev->parent */
#define BLK_MEDIA_RO 0x4u  /* set by the driver: the medium itself refuses
			    * writes (virtio's VIRTIO_BLK_F_RO) */
#define BLK_POLLED 0x8u    /* set by the driver: no interrupt; the layer
			    * polls it every timer tick while it holds requests */
#define BLK_GONE 0x10u     /* given up (timeouts): requests fail -ENODEV */

struct blk_dev {
	char name[BLK_NAME_MAX]; /* "ahci0", "vblk0", "nvme0n1", "ahci0p2" */
	uint32_t sector_size;    /* bytes: 512 or 4096 */
	uint64_t sectors;
	uint32_t flags;
	const struct blk_ops *ops;
	void *priv;              /* the driver's */
	struct blk_dev *parent;  /* a partition's disk */
	uint64_t start;          /* a partition's first sector on parent */
	/* Counters for `show blk` (blk_print_stats). */
	uint32_t reads, writes, errors, timeouts;
	uint64_t sectors_read, sectors_written;
	struct blk_dev *next;
	/* The layer's own (blk.c), on disks only: */
	uint32_t inflight;        /* requests the driver holds now */
	uint64_t progress_tsc;    /* last completion, or the submit that woke it */
	uint32_t timeouts_in_row; /* resets with no completion between */
	uint32_t retries;         /* requests given to the driver again after -EIO */
	uint32_t errors_logged;   /* error lines printed, at most BLK_ERROR_LOG_MAX */
};

/* Bounds of the layer, named once (blk.c explains each). */
#define BLK_TIMEOUT_MS 10000   /* no completion for this long: reset the device */
#define BLK_MAX_TIMEOUTS 3     /* resets in a row without a completion: given up */
#define BLK_RETRIES 2          /* a request failing with -EIO is tried again */
#define BLK_ERROR_LOG_MAX 8    /* error lines per device; then only counted */
#define BLK_BUF_ALIGN 4        /* data offsets: dword-aligned (NVMe PRP, AHCI PRD) */

/* The TSC's rate, for the layer's timeouts (kmain, from bootinfo; 0:
 * unknown, a 3 GHz guess is used). Call before any device registers. */
void blk_init(uint32_t tsc_khz);

/* Bounded waits for drivers, in TSC time: a deadline ms from now, whether
 * it has passed, and a short spin (a reset pulse's minimum width). */
uint64_t blk_deadline(uint32_t ms);
int blk_expired(uint64_t deadline);
void blk_delay_us(uint32_t us);

/* Make d known to the layer (drivers, after their init succeeded). */
void blk_register(struct blk_dev *d);
/* Register a partition of disk: sectors [start, start + sectors) as a
 * device called name, flags as blk_dev's (BLK_PARTITION is added). The
 * layer owns the struct (a fixed pool, BLK_MAX_PARTITIONS); NULL when it
 * is full. The caller (gpt.c) has checked the range against the disk. */
#define BLK_MAX_PARTITIONS 64
struct blk_dev *blk_add_partition(struct blk_dev *disk, const char *name, uint64_t start,
				  uint64_t sectors, uint32_t flags);
/* The disk under d: d itself, or the disk a partition is a window on. */
struct blk_dev *blk_disk_of(struct blk_dev *d);

/* For drivers: r has ended with status 0 or -errno. The layer counts it,
 * gives an -EIO back to the driver up to BLK_RETRIES times, logs what
 * finally failed, and calls r->done. Interrupt or poll context. */
void blk_complete(struct blk_req *r, int status);
/* Each timer tick (core/task/sched.c): poll BLK_POLLED devices that hold
 * requests, and reset a device whose requests made no progress for
 * BLK_TIMEOUT_MS. Interrupt context; a few instructions when idle. */
void blk_tick(void);
/* The registered devices, in registration order; NULL ends. */
struct blk_dev *blk_first(void);
/* The device called name, or NULL. */
struct blk_dev *blk_find(const char *name);

/* Check r against its device (range, read-only) and hand it to the
 * driver. 0, or -errno (done() not called). */
int blk_submit(struct blk_req *r);
/* Read or write count sectors at lba through pages[], and wait: a task
 * sleeps until the completion wakes it, the boot context (and the idle
 * task) polls. Bounded: a device that does not answer within
 * BLK_TIMEOUT_MS is reset and the call returns -ETIMEDOUT. 0 or -errno
 * (-EINVAL, -EROFS, -EIO, -ETIMEDOUT, -ENODEV for a device given up).
 * Never from an interrupt. */
int blk_rw(struct blk_dev *d, enum blk_op op, uint64_t lba, uint32_t count,
	   const pfn_t *pages, uint32_t npages, uint32_t offset);

/* Two lines per device (size and flags; counters), for `show blk`. */
void blk_print_stats(void);
/* Requests in flight on all disks (the invariant a test checks: 0 when
 * everything submitted has completed). */
uint32_t blk_inflight(void);

/* ---- Partitions (gpt.c), found when the disks are probed. */

/* The partition the loader was started from (the ESP; the loader passes
 * its GPT unique GUID in bootinfo), or NULL when no disk we can drive
 * holds it (a USB stick on a real PC). */
struct blk_dev *blk_boot_partition(void);
/* The partition swap may use: our own GPT type GUID and name
 * (docs/storage.md), on the boot disk first; NULL when there is none.
 * Never any other partition. */
struct blk_dev *blk_swap_partition(void);

#endif
