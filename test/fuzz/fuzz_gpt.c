/*
 * fuzz_gpt.c - libFuzzer target: every input is a small disk's first
 * sectors, read by the GPT reader (core/blk/gpt.c) over a memory disk.
 * The first byte picks the sector size and whether the primary header's
 * and the entry array's CRCs are made right before reading (so that the
 * fuzzer gets past them and into the field and partition checks). After
 * each read: no crash or sanitizer report, and every partition the
 * reader registered lies inside the disk, overlaps no other, and is
 * writable only if it is ours, named ours and big enough. `make fuzz`
 * runs it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/blk/blk.c"
#include "core/blk/gpt.c"
#include "test/host/sim/memdisk.h"
#include "test/host/sim/sim.h"

#define DISK_BYTES (128 * 1024)
#define FIX_PRIMARY 0x2u
#define FIX_ARRAY 0x4u

static void reset(void)
{
	devs_head = devs_tail = 0;
	npartitions = 0;
	total_inflight = 0;
	ndisks = nparts = 0;
	boot_part = swap_part = 0;
	sim_log_len = 0;
}

/* Make the primary header's CRCs right, as far as its fields allow. */
static void fix_crcs(struct memdisk *m, unsigned flags)
{
	uint32_t ss = m->dev.sector_size;
	struct gpt_header *h = (struct gpt_header *)(m->data + ss);
	uint64_t array = (uint64_t)h->num_entries * h->entry_size;

	if ((flags & FIX_ARRAY) && h->entries_lba < m->dev.sectors &&
	    array <= (m->dev.sectors - h->entries_lba) * ss)
		h->entries_crc32 = crc32(m->data + h->entries_lba * ss, (size_t)array);
	if ((flags & FIX_PRIMARY) && h->header_size >= GPT_HEADER_SIZE_MIN && h->header_size <= ss) {
		h->header_crc32 = 0;
		h->header_crc32 = crc32(h, h->header_size);
	}
}

static void check_partitions(const struct memdisk *m)
{
	for (struct blk_dev *p = blk_first(); p; p = p->next) {
		if (!(p->flags & BLK_PARTITION))
			continue;
		if (!p->sectors || p->start + p->sectors > m->dev.sectors || p->start < 2)
			abort();
		for (struct blk_dev *q = p->next; q; q = q->next)
			if ((q->flags & BLK_PARTITION) && p->start < q->start + q->sectors &&
			    q->start < p->start + p->sectors)
				abort();
		if (!(p->flags & BLK_READONLY)) {
			const struct gpt_part *gp = 0;
			for (unsigned i = 0; i < nparts; i++)
				if (parts[i].dev == p)
					gp = &parts[i];
			if (!gp || !gp->ours || strcmp(gp->name, PG_SWAP_NAME) ||
			    p->sectors * p->sector_size < PG_SWAP_MIN_BYTES)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int booted;
	static struct memdisk m;

	if (!booted) {
		sim_boot(256, 256);
		booted = 1;
	}
	reset();
	blk_init(1);
	current = 0;
	unsigned flags = size ? data[0] : 0;
	uint32_t ss = flags & 1 ? 4096 : 512;
	memdisk_init(&m, "fz0", ss, DISK_BYTES / ss);
	if (size > 1)
		memcpy(m.data, data + 1, size - 1 < DISK_BYTES ? size - 1 : DISK_BYTES);
	fix_crcs(&m, flags);
	blk_register(&m.dev);
	gpt_read(&m.dev);
	check_partitions(&m);
	memdisk_free(&m);
	return 0;
}
