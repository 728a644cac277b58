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
 * (sched_block) and is woken by the completion; before tasks exist (at
 * boot) the layer polls the device instead, always with a bound.
 *
 * Buffers are physical pages (pfn + offset), never kernel pointers: a
 * page of the page cache or of a task may live in highmem, and the
 * device reaches it by DMA below 4 GiB without any mapping.
 *
 * Actions return 0 or -errno (include/errnum.h): -EIO for an error the
 * device reported, -ETIMEDOUT for one that did not answer, -EINVAL for a
 * request outside the device, -EROFS for a write to a read-only device.
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
};

/* What a driver (or a partition window) implements. */
struct blk_ops {
	/* Start r, or queue it when the device is busy: never sleeps, never
	 * fails for lack of a free slot. 0, or -errno when r cannot be
	 * started at all (done() is then not called). */
	int (*submit)(struct blk_dev *d, struct blk_req *r);
	/* Look for completions without waiting for an interrupt (boot, and
	 * devices without a usable interrupt). May be NULL. */
	void (*poll)(struct blk_dev *d);
};

#define BLK_READONLY 0x1u  /* writes fail with -EROFS */
#define BLK_PARTITION 0x2u /* a window over dev->parent */

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
};

/* Make d known to the layer (drivers, after their init succeeded). */
void blk_register(struct blk_dev *d);
/* The registered devices, in registration order; NULL ends. */
struct blk_dev *blk_first(void);
/* The device called name, or NULL. */
struct blk_dev *blk_find(const char *name);

/* Check r against its device (range, read-only) and hand it to the
 * driver. 0, or -errno (done() not called). */
int blk_submit(struct blk_req *r);
/* Read or write count sectors at lba through pages[], and wait: a task
 * sleeps until the completion wakes it, the boot context polls. Bounded
 * (BLK_TIMEOUT_MS in blk.c). 0 or -errno. */
int blk_rw(struct blk_dev *d, enum blk_op op, uint64_t lba, uint32_t count,
	   const pfn_t *pages, uint32_t npages, uint32_t offset);

/* One line per device for `show blk` and the boot log. */
void blk_print_stats(void);

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
