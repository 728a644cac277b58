/*
 * memdisk.c - the memory-backed block device of memdisk.h, and the
 * scheduler's sleep and wake as blk.c sees them.
 */
#include "memdisk.h"

#include <errnum.h>
#include <stdlib.h>
#include <string.h>

#include <arch/mmu_ops.h>

#include "core/task/task.h"

extern uint64_t sim_tsc;

void (*sim_interrupt)(void);
unsigned sim_sleeps, sim_wakes;
int need_resched;

void sched_sleep(uint32_t ticks)
{
	sim_sleeps++;
	sim_tsc += (uint64_t)ticks * SIM_TICK_TSC;
	if (sim_interrupt)
		sim_interrupt();
}

void sched_wake(struct task *t)
{
	sim_wakes++;
	t->state = TASK_RUNNABLE;
}

/* -1 when the request touches a failing sector (and uses one failure). */
static int fails(struct memdisk *m, const struct blk_req *r)
{
	for (unsigned i = 0; i < m->nbad; i++) {
		if (m->bad[i].op != (int)r->op || !m->bad[i].times)
			continue;
		if (m->bad[i].lba >= r->lba && m->bad[i].lba < r->lba + r->count) {
			if (m->bad[i].times > 0)
				m->bad[i].times--;
			return -1;
		}
	}
	return 0;
}

/* Move the data, byte run by byte run, between the disk and the pages. */
static void transfer(struct memdisk *m, const struct blk_req *r)
{
	uint64_t bytes = (uint64_t)r->count * m->dev.sector_size;
	uint8_t *disk = m->data + r->lba * m->dev.sector_size;
	uint32_t pos = r->offset;

	for (uint64_t done = 0; done < bytes;) {
		uint32_t n = PGSIZE - pos % PGSIZE;
		if (n > bytes - done)
			n = (uint32_t)(bytes - done);
		uint8_t *page = (uint8_t *)page_address(r->pages[pos / PGSIZE], KMAP_PEEK) +
				pos % PGSIZE;
		if (r->op == BLK_READ)
			memcpy(page, disk + done, n);
		else
			memcpy(disk + done, page, n);
		done += n;
		pos += n;
	}
}

static void finish(struct memdisk *m, struct blk_req *r)
{
	int bad = fails(m, r);

	if (!bad)
		transfer(m, r);
	blk_complete(r, bad ? -EIO : 0);
}

static int md_submit(struct blk_dev *d, struct blk_req *r)
{
	struct memdisk *m = d->priv;

	m->submits++;
	if (!m->async && !m->hang) {
		finish(m, r);
		return 0;
	}
	blk_queue_push(&m->held_q, r);
	m->held++;
	return 0;
}

void memdisk_run(struct memdisk *m)
{
	if (m->hang)
		return;
	for (struct blk_req *r; (r = blk_queue_pop(&m->held_q));) {
		m->held--;
		finish(m, r);
	}
}

static void md_poll(struct blk_dev *d)
{
	struct memdisk *m = d->priv;

	m->polls++;
	memdisk_run(m);
}

static int md_reset(struct blk_dev *d)
{
	struct memdisk *m = d->priv;

	m->resets++;
	for (struct blk_req *r; (r = blk_queue_pop(&m->held_q));) {
		m->held--;
		blk_complete(r, -ETIMEDOUT);
	}
	return m->reset_fails ? -EIO : 0;
}

static const struct blk_ops md_ops = { md_submit, md_poll, md_reset };

void memdisk_init(struct memdisk *m, const char *name, uint32_t sector_size, uint64_t sectors)
{
	memset(m, 0, sizeof *m);
	strncpy(m->dev.name, name, sizeof m->dev.name - 1);
	m->dev.sector_size = sector_size;
	m->dev.sectors = sectors;
	m->dev.ops = &md_ops;
	m->dev.priv = m;
	m->data = calloc(1, (size_t)(sector_size * sectors));
}

void memdisk_free(struct memdisk *m)
{
	free(m->data);
	m->data = 0;
}

void memdisk_fail(struct memdisk *m, int op, uint64_t lba, int times)
{
	if (m->nbad < MEMDISK_MAX_BAD)
		m->bad[m->nbad++] = (typeof(m->bad[0])){ lba, op, times };
}
