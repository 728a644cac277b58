/*
 * gpt.c - reading GUID partition tables, registering partitions, and
 * choosing the boot and swap partitions.
 *
 * A disk's GPT is trusted only after every check Linux makes
 * (block/partitions/efi.c, is_gpt_valid) and a few more: the signature,
 * a header size between 92 bytes and a sector, the header's CRC, MyLBA
 * where the header was read, a usable range inside the disk, 128-byte
 * entries, at most GPT_MAX_ENTRIES of them in an array that lies inside
 * the disk and outside the usable range, and the array's CRC. When the
 * primary header (LBA 1) fails any of them, the backup (the disk's last
 * LBA) is tried; when both fail, the disk is not used at all. Each
 * partition is checked again: first <= last (both inclusive), inside the
 * usable range and the disk, overlapping no other.
 *
 * Writing is allowed on one kind of partition only: our own type GUID
 * and our name (gpt.h), big enough, on a disk that takes writes. Every
 * other partition is registered read-only, and a disk without a valid
 * GPT gets no partition at all: nothing of ours ever writes there.
 *
 * Context: boot (gpt_scan_all, after the drivers) or a task (show gpt
 * reads nothing). Reads go through blk_rw into one page of our own.
 */
#include "core/blk/gpt.h"

#include <arch/mmu_ops.h>
#include <errnum.h>

#include "core/log.h"
#include "core/mm/mm.h"
#include "lib/crc32.h"
#include "lib/fmt.h"
#include "lib/guid.h"
#include "lib/string.h"

#define GPT_MAX_DISKS 16
#define GPT_MAX_PARTS BLK_MAX_PARTITIONS /* partitions kept over all disks */
#define GPT_WHY_MAX 160

static const uint8_t swap_type[GPT_GUID_SIZE] = PG_SWAP_TYPE_GUID;

/* Partition types `show gpt` names; the rest print as GUIDs. */
static const struct {
	uint8_t guid[GPT_GUID_SIZE];
	const char *name;
} known_types[] = {
	{ PG_SWAP_TYPE_GUID, "playground swap" },
	{ { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e,
	    0xc9, 0x3b },
	  "EFI system" },
	{ { 0x6d, 0xfd, 0x57, 0x06, 0xab, 0xa4, 0xc4, 0x43, 0x84, 0xe5, 0x09, 0x33, 0xc8, 0x4b,
	    0x4f, 0x4f },
	  "Linux swap" },
	{ { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47,
	    0x7d, 0xe4 },
	  "Linux filesystem" },
	{ { 0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26,
	    0x99, 0xc7 },
	  "Microsoft basic data" },
	{ { 0x16, 0xe3, 0xc9, 0xe3, 0x5c, 0x0b, 0xb8, 0x4d, 0x81, 0x7d, 0xf9, 0x2d, 0xf0, 0x02,
	    0x15, 0xae },
	  "Microsoft reserved" },
	{ { 0xa4, 0xbb, 0x94, 0xde, 0xd1, 0x06, 0x40, 0x4d, 0xa1, 0x6a, 0xbf, 0xd5, 0x01, 0x79,
	    0xd6, 0xac },
	  "Windows recovery" },
	{ { 0x79, 0xd3, 0xd6, 0xe6, 0x07, 0xf5, 0xc2, 0x44, 0xa2, 0x3c, 0x23, 0x8c, 0x2a, 0x3d,
	    0xf9, 0x28 },
	  "Linux LVM" },
};

/* What was read of each disk, for the choice of swap and `show gpt`. */
static struct gpt_disk {
	struct blk_dev *disk;
	enum gpt_status status;
	char why[GPT_WHY_MAX]; /* why it is not used, or which header was */
	struct gpt_header h;
	uint32_t first, n;     /* its partitions in parts[] */
} disks[GPT_MAX_DISKS];
static unsigned ndisks;
static struct gpt_part parts[GPT_MAX_PARTS];
static unsigned nparts;
static struct blk_dev *boot_part, *swap_part;

static const char *type_name(const uint8_t g[GPT_GUID_SIZE], char *buf)
{
	for (unsigned i = 0; i < sizeof known_types / sizeof known_types[0]; i++)
		if (!memcmp(g, known_types[i].guid, GPT_GUID_SIZE))
			return known_types[i].name;
	return guid_text(g, buf);
}

static int guid_is_zero(const uint8_t g[GPT_GUID_SIZE])
{
	for (int i = 0; i < GPT_GUID_SIZE; i++)
		if (g[i])
			return 0;
	return 1;
}

/* ------------------------------------------------------------ reading */

/* The page the table is read into, and its kernel address. */
struct buf {
	pfn_t pfn;
	uint8_t *p;
};

/* n sectors (at most a page) at lba into b. 0 or -errno. */
static int read_sectors(struct blk_dev *disk, uint64_t lba, uint32_t n, struct buf *b)
{
	return blk_rw(disk, BLK_READ, lba, n, &b->pfn, 1, 0);
}

/* Why the header read at lba (in b) is no good, or NULL; *h gets it. */
static const char *header_problem(struct blk_dev *disk, uint64_t lba, const struct buf *b,
				  struct gpt_header *h, char *why)
{
	uint32_t ss = disk->sector_size;

	memcpy(h, b->p, sizeof *h);
	if (memcmp(h->signature, GPT_SIGNATURE, sizeof h->signature))
		return "no signature";
	if (h->header_size < GPT_HEADER_SIZE_MIN || h->header_size > ss) {
		fmt_snprintf(why, GPT_WHY_MAX, "header size %u", h->header_size);
		return why;
	}
	uint32_t stored = h->header_crc32, zero = 0;
	uint32_t crc = crc32_update(CRC32_START, b->p, offsetof(struct gpt_header, header_crc32));
	crc = crc32_update(crc, &zero, sizeof zero);
	uint32_t after = offsetof(struct gpt_header, header_crc32) + sizeof zero;
	crc = crc32_end(crc32_update(crc, b->p + after, h->header_size - after));
	if (crc != stored) {
		fmt_snprintf(why, GPT_WHY_MAX, "header CRC 0x%08x, computed 0x%08x", stored, crc);
		return why;
	}
	if (h->my_lba != lba) {
		fmt_snprintf(why, GPT_WHY_MAX, "it says it is at LBA %llu",
			     (unsigned long long)h->my_lba);
		return why;
	}
	if (h->first_usable_lba > h->last_usable_lba || h->last_usable_lba >= disk->sectors)
		return "usable range outside the disk";
	if (h->entry_size != GPT_ENTRY_SIZE) {
		fmt_snprintf(why, GPT_WHY_MAX, "entry size %u (only %u is read)", h->entry_size,
			     GPT_ENTRY_SIZE);
		return why;
	}
	if (!h->num_entries || h->num_entries > GPT_MAX_ENTRIES) {
		fmt_snprintf(why, GPT_WHY_MAX, "%u entries", h->num_entries);
		return why;
	}
	uint64_t array_sectors = ((uint64_t)h->num_entries * GPT_ENTRY_SIZE + ss - 1) / ss;
	uint64_t array_end = h->entries_lba + array_sectors; /* exclusive */
	if (h->entries_lba < GPT_HEADER_LBA + 1 || array_end > disk->sectors ||
	    (h->entries_lba <= h->last_usable_lba && array_end > h->first_usable_lba))
		return "entry array outside the disk or inside the usable range";
	return 0;
}

/* An entry's name in ASCII, for logs and the name check. */
static void name_ascii(const struct gpt_entry *e, char *out)
{
	int i = 0;

	for (; i < GPT_NAME_UNITS && e->name[i]; i++)
		out[i] = e->name[i] >= 0x20 && e->name[i] < 0x7F ? (char)e->name[i] : '?';
	out[i] = 0;
}

/* Keep a used entry in tmp[] (its checks come once the CRC is good). */
static struct gpt_part tmp[GPT_MAX_PARTS];
static unsigned ntmp, ntmp_dropped;

static void collect(const struct gpt_entry *e, uint32_t index)
{
	if (guid_is_zero(e->type_guid))
		return;
	if (ntmp == GPT_MAX_PARTS) {
		ntmp_dropped++;
		return;
	}
	struct gpt_part *p = &tmp[ntmp++];
	memset(p, 0, sizeof *p);
	p->index = index;
	memcpy(p->type_guid, e->type_guid, GPT_GUID_SIZE);
	memcpy(p->unique_guid, e->unique_guid, GPT_GUID_SIZE);
	p->first_lba = e->first_lba;
	p->last_lba = e->last_lba;
	p->attributes = e->attributes;
	name_ascii(e, p->name);
	p->ours = !memcmp(e->type_guid, swap_type, GPT_GUID_SIZE);
}

/* Read the entry array h names, a page at a time, checking its CRC and
 * collecting the used entries; why the array is no good, or NULL. */
static const char *entries_problem(struct blk_dev *disk, const struct gpt_header *h,
				   struct buf *b, char *why)
{
	uint32_t ss = disk->sector_size, per_page = PGSIZE / ss;
	uint64_t bytes = (uint64_t)h->num_entries * GPT_ENTRY_SIZE, done = 0;
	uint32_t crc = CRC32_START, index = 1;

	ntmp = ntmp_dropped = 0;
	for (uint64_t lba = h->entries_lba; done < bytes; lba += per_page) {
		uint32_t n = per_page;
		if ((uint64_t)n * ss > bytes - done)
			n = (uint32_t)((bytes - done + ss - 1) / ss);
		int err = read_sectors(disk, lba, n, b);
		if (err) {
			fmt_snprintf(why, GPT_WHY_MAX, "entry array unreadable (%d)", err);
			return why;
		}
		uint32_t chunk = (uint32_t)((uint64_t)n * ss < bytes - done ? (uint64_t)n * ss
									   : bytes - done);
		crc = crc32_update(crc, b->p, chunk);
		for (uint32_t off = 0; off < chunk; off += GPT_ENTRY_SIZE)
			collect((const struct gpt_entry *)(b->p + off), index++);
		done += chunk;
	}
	if (crc32_end(crc) != h->entries_crc32) {
		fmt_snprintf(why, GPT_WHY_MAX, "entry array CRC 0x%08x, computed 0x%08x",
			     h->entries_crc32, crc32_end(crc));
		return why;
	}
	return 0;
}

/* Try the header at lba and its entries: NULL when both are good (h and
 * tmp[] then hold them), else why not. -EIO from the disk counts as a
 * problem too (*io set). */
static const char *try_copy(struct blk_dev *disk, uint64_t lba, struct buf *b,
			    struct gpt_header *h, char *why, int *io)
{
	int err = read_sectors(disk, lba, 1, b);

	if (err) {
		*io = 1;
		fmt_snprintf(why, GPT_WHY_MAX, "unreadable (%d)", err);
		return why;
	}
	const char *bad = header_problem(disk, lba, b, h, why);
	return bad ? bad : entries_problem(disk, h, b, why);
}

/* --------------------------------------------------------- partitions */

/* Why partition i of tmp[] (header h) is refused, or NULL. */
static const char *part_problem(struct blk_dev *disk, const struct gpt_header *h, unsigned i,
				char *why)
{
	const struct gpt_part *p = &tmp[i];

	if (p->first_lba > p->last_lba)
		return "its first LBA is past its last";
	if (p->first_lba < h->first_usable_lba || p->last_lba > h->last_usable_lba)
		return "outside the table's usable range";
	if (p->last_lba >= disk->sectors)
		return "runs past the end of the disk";
	for (unsigned j = 0; j < ntmp; j++) {
		const struct gpt_part *o = &tmp[j];
		if (j != i && o->first_lba <= o->last_lba && p->first_lba <= o->last_lba &&
		    o->first_lba <= p->last_lba) {
			fmt_snprintf(why, GPT_WHY_MAX, "overlaps partition %u", o->index);
			return why;
		}
	}
	return 0;
}

/* Why our partition p (sane) may not take swap, or NULL. */
static const char *swap_problem(const struct blk_dev *disk, const struct gpt_part *p, char *why)
{
	uint64_t bytes = (p->last_lba - p->first_lba + 1) * disk->sector_size;

	if (strcmp(p->name, PG_SWAP_NAME)) {
		fmt_snprintf(why, GPT_WHY_MAX, "our type but the name '%s', not '%s'", p->name,
			     PG_SWAP_NAME);
		return why;
	}
	if (bytes < PG_SWAP_MIN_BYTES) {
		fmt_snprintf(why, GPT_WHY_MAX, "too small for swap: %llu KiB, at least %u KiB",
			     (unsigned long long)bytes / 1024, PG_SWAP_MIN_BYTES / 1024);
		return why;
	}
	if (disk->flags & BLK_MEDIA_RO)
		return "the disk is read-only";
	return 0;
}

/* Register partition i of tmp[] for disk d, and say what became of it:
 * refused (not registered), read-only, or ours and writable. */
static void add_part(struct gpt_disk *d, unsigned i)
{
	char why[GPT_WHY_MAX], type[GUID_TEXT], name[BLK_NAME_MAX];
	struct gpt_part *p = &parts[nparts++];

	*p = tmp[i];
	fmt_snprintf(name, sizeof name, "%sp%u", d->disk->name, p->index);
	uint64_t sectors = p->last_lba - p->first_lba + 1;
	const char *refused = part_problem(d->disk, &d->h, i, why), *not_swap = 0;
	if (!refused && p->ours)
		not_swap = swap_problem(d->disk, p, why);
	if (!refused) {
		uint32_t flags = p->ours && !not_swap ? 0 : BLK_READONLY;
		p->dev = blk_add_partition(d->disk, name, p->first_lba, sectors, flags);
		if (!p->dev)
			refused = "no room for more partitions";
	}
	strlcpy(p->note, refused ? refused : not_swap ? not_swap : "", sizeof p->note);
	log_normal("gpt: %s: LBA %llu-%llu (%llu MiB), %s, '%s'%s%s%s\n", name,
		   (unsigned long long)p->first_lba, (unsigned long long)p->last_lba,
		   (unsigned long long)(sectors * d->disk->sector_size >> 20),
		   type_name(p->type_guid, type), p->name, p->note[0] ? ": not used: " : "",
		   p->note, p->dev && p->ours && !not_swap ? ": swap may use it" : "");
}

static void add_parts(struct gpt_disk *d)
{
	d->first = nparts;
	for (unsigned i = 0; i < ntmp && nparts < GPT_MAX_PARTS; i++)
		add_part(d, i);
	d->n = nparts - d->first;
	if (ntmp_dropped || d->n < ntmp)
		log_normal("gpt: %s: more partitions than %u in all: the rest ignored\n",
			   d->disk->name, GPT_MAX_PARTS);
}

enum gpt_status gpt_read(struct blk_dev *disk)
{
	char why1[GPT_WHY_MAX], why2[GPT_WHY_MAX];
	struct gpt_disk *d;
	struct buf b;
	int io1 = 0, io2 = 0;

	if (ndisks == GPT_MAX_DISKS) {
		log_normal("gpt: %s: more than %u disks: not read\n", disk->name, GPT_MAX_DISKS);
		return GPT_UNREADABLE;
	}
	if (disk->sector_size > PGSIZE || disk->sectors < 3) {
		log_normal("gpt: %s: %u-byte sectors, %llu of them: not a disk a GPT fits\n",
			   disk->name, disk->sector_size, (unsigned long long)disk->sectors);
		return GPT_NONE;
	}
	d = &disks[ndisks++];
	memset(d, 0, sizeof *d);
	d->disk = disk;
	b.pfn = pmm_alloc_page(PMM_KERNEL, PAGE_KERNEL);
	if (!b.pfn) {
		fmt_snprintf(d->why, sizeof d->why, "no page to read it into");
		return d->status = GPT_UNREADABLE;
	}
	b.p = page_address(b.pfn, KMAP_PEEK);
	uint64_t backup_lba = disk->sectors - 1;
	const char *bad1 = try_copy(disk, GPT_HEADER_LBA, &b, &d->h, why1, &io1), *bad2 = 0;
	if (!bad1) {
		d->status = GPT_OK;
		fmt_snprintf(d->why, sizeof d->why, "primary header");
	} else {
		b.p = page_address(b.pfn, KMAP_PEEK);
		bad2 = try_copy(disk, backup_lba, &b, &d->h, why2, &io2);
		if (!bad2) {
			d->status = GPT_BACKUP;
			fmt_snprintf(d->why, sizeof d->why, "backup header at LBA %llu",
				     (unsigned long long)backup_lba);
			log_normal("gpt: %s: primary header bad (%s): using the backup at LBA %llu\n",
				   disk->name, bad1, (unsigned long long)backup_lba);
		} else if (io1 && io2) {
			d->status = GPT_UNREADABLE;
		} else if (!strcmp(bad1, "no signature") && !strcmp(bad2, "no signature")) {
			d->status = GPT_NONE;
		} else {
			d->status = GPT_CORRUPT;
		}
	}
	if (d->status == GPT_NONE)
		fmt_snprintf(d->why, sizeof d->why, "no GPT");
	else if (d->status == GPT_CORRUPT || d->status == GPT_UNREADABLE)
		fmt_snprintf(d->why, sizeof d->why, "primary: %s; backup: %s", bad1, bad2);
	if (d->status == GPT_OK || d->status == GPT_BACKUP) {
		char g[GUID_TEXT];
		log_normal("gpt: %s: GPT from the %s, disk %s, %u entries, %u in use\n", disk->name,
			   d->why, guid_text(d->h.disk_guid, g), d->h.num_entries,
			   ntmp + ntmp_dropped);
		add_parts(d);
	} else {
		log_normal("gpt: %s: %s (%s): disk not used\n", disk->name,
			   d->status == GPT_NONE	? "no GPT"
			   : d->status == GPT_CORRUPT ? "GPT corrupt"
						      : "GPT unreadable",
			   d->status == GPT_NONE ? "no 'EFI PART' at LBA 1 or at the last LBA"
						 : d->why);
	}
	page_ref_dec(b.pfn);
	return d->status;
}

/* ------------------------------------------------------ boot and swap */

struct blk_dev *blk_boot_partition(void)
{
	return boot_part;
}

struct blk_dev *blk_swap_partition(void)
{
	return swap_part;
}

static struct gpt_part *find_boot(const uint8_t guid[GPT_GUID_SIZE], uint64_t lba)
{
	for (unsigned i = 0; i < nparts; i++)
		if (parts[i].dev && !memcmp(parts[i].unique_guid, guid, GPT_GUID_SIZE) &&
		    parts[i].first_lba == lba)
			return &parts[i];
	return 0;
}

/* Ours, sane and writable: a partition swap may take. */
static int swap_candidate(const struct gpt_part *p)
{
	return p->dev && p->ours && !(p->dev->flags & BLK_READONLY);
}

static void choose_swap(void)
{
	struct blk_dev *boot_disk = boot_part ? blk_disk_of(boot_part) : 0;

	for (unsigned i = 0; i < nparts && !swap_part; i++)
		if (swap_candidate(&parts[i]) && blk_disk_of(parts[i].dev) == boot_disk)
			swap_part = parts[i].dev;
	for (unsigned i = 0; i < nparts && !swap_part; i++)
		if (swap_candidate(&parts[i]))
			swap_part = parts[i].dev;
	if (!swap_part) {
		log_normal("blk: no swap partition (type %s, name '%s') on any disk we drive\n",
			   PG_SWAP_TYPE_GUID_TEXT, PG_SWAP_NAME);
		return;
	}
	log_normal("blk: swap partition: %s, %llu MiB%s\n", swap_part->name,
		   (unsigned long long)(swap_part->sectors * swap_part->sector_size >> 20),
		   boot_disk && blk_disk_of(swap_part) == boot_disk ? ", on the boot disk" : "");
	for (unsigned i = 0; i < nparts; i++)
		if (swap_candidate(&parts[i]) && parts[i].dev != swap_part)
			log_normal("blk: %s is ours too: not used (one swap partition)\n",
				   parts[i].dev->name);
}

void gpt_scan_all(const uint8_t boot_guid[GPT_GUID_SIZE], uint64_t boot_lba, int have_boot)
{
	char g[GUID_TEXT];
	unsigned n = 0;

	for (struct blk_dev *d = blk_first(); d; d = d->next) {
		if (d->flags & BLK_PARTITION)
			continue;
		n++;
		gpt_read(d);
	}
	struct gpt_part *bp = have_boot ? find_boot(boot_guid, boot_lba) : 0;
	if (bp) {
		boot_part = bp->dev;
		log_normal("blk: boot partition: %s (GPT GUID %s)\n", boot_part->name,
			   guid_text(boot_guid, g));
	} else if (have_boot) {
		log_normal("blk: the boot partition (GPT GUID %s, LBA %llu) is not on any disk we "
			   "drive (%u disk%s): a USB stick? This kernel has no USB storage driver\n",
			   guid_text(boot_guid, g), (unsigned long long)boot_lba, n,
			   n == 1 ? "" : "s");
	} else {
		log_normal("blk: the loader named no GPT boot partition\n");
	}
	choose_swap();
}

/* -------------------------------------------------------------- show */

static void print_disk(const struct gpt_disk *d)
{
	char g[GUID_TEXT], t[GUID_TEXT];

	if (d->status != GPT_OK && d->status != GPT_BACKUP) {
		kprintf("  %s: %s\n", d->disk->name, d->why);
		return;
	}
	kprintf("  %s: GPT from the %s; disk GUID %s\n", d->disk->name, d->why,
		guid_text(d->h.disk_guid, g));
	kprintf("    usable LBA %llu-%llu, %u entries of %u bytes at LBA %llu\n",
		(unsigned long long)d->h.first_usable_lba, (unsigned long long)d->h.last_usable_lba,
		d->h.num_entries, d->h.entry_size, (unsigned long long)d->h.entries_lba);
	for (unsigned i = d->first; i < d->first + d->n; i++) {
		const struct gpt_part *p = &parts[i];
		kprintf("    %2u %10llu %10llu  %-20s '%s' %s%s%s\n", p->index,
			(unsigned long long)p->first_lba, (unsigned long long)p->last_lba,
			type_name(p->type_guid, t), p->name,
			p->dev == swap_part && p->dev ? "[swap] " : "",
			p->dev == boot_part && p->dev ? "[boot] " : "",
			p->note[0] ? p->note : p->dev && (p->dev->flags & BLK_READONLY) ? "read-only" : "");
		kprintf("       unique %s\n", guid_text(p->unique_guid, g));
	}
}

void gpt_print(const char *disk)
{
	int shown = 0;

	for (unsigned i = 0; i < ndisks; i++) {
		if (disk && strcmp(disk, disks[i].disk->name))
			continue;
		print_disk(&disks[i]);
		shown = 1;
	}
	if (!shown)
		kprintf("  %s\n", disk ? "no such disk (show blk lists them)" : "no disks");
}
