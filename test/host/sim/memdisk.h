/*
 * memdisk.h - a block device in host memory, for host tests of the block
 * layer, GPT, and whatever reads disks through core/blk/blk.h (swap, the
 * FAT reader). It implements the driver side of blk.h, with faults on
 * demand: sectors that fail, requests that never complete, a reset that
 * fails. Also the scheduler calls blk.c makes (sched_sleep, sched_wake):
 * a "sleep" lets simulated time pass and runs the pending "interrupts".
 * Never a disk inside the kernel: host tests only.
 */
#ifndef TEST_HOST_SIM_MEMDISK_H
#define TEST_HOST_SIM_MEMDISK_H

#include <stdint.h>

#include "core/blk/blk.h"

#define MEMDISK_MAX_BAD 8

struct memdisk {
	struct blk_dev dev;
	uint8_t *data;     /* sectors * sector_size bytes */
	int async;         /* hold requests until memdisk_run (an interrupt) */
	int hang;          /* hold them for good: only a reset ends them */
	int reset_fails;   /* the reset cannot make the device ready */
	struct {
		uint64_t lba;
		int op;        /* BLK_READ or BLK_WRITE */
		int times;     /* failures left; -1: for ever */
	} bad[MEMDISK_MAX_BAD];
	unsigned nbad;
	struct blk_queue held_q;
	unsigned held, submits, resets, polls;
};

/* A disk of sectors sectors of sector_size bytes, zeroed, named name, not
 * yet registered (blk_register does that). */
void memdisk_init(struct memdisk *m, const char *name, uint32_t sector_size, uint64_t sectors);
void memdisk_free(struct memdisk *m);
/* Requests touching sector lba fail with -EIO for op, times times (-1:
 * always). */
void memdisk_fail(struct memdisk *m, int op, uint64_t lba, int times);
/* Complete every request held (as the device's interrupt would). */
void memdisk_run(struct memdisk *m);

/* The sleep of a task in blk_rw: time passes (ticks of SIM_TICK_TSC) and
 * the interrupt hook runs; counts. A test sets the hook (e.g. to run its
 * memdisks) and the current task (sim.c's current). */
#define SIM_TICK_TSC 1000u
extern void (*sim_interrupt)(void);
extern unsigned sim_sleeps, sim_wakes;

#endif
