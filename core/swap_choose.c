/*
 * swap_choose.c - which backend swap uses, decided once at boot.
 *
 * playground.cfg's swap key (docs/config.md) says auto, disk, highram or
 * off. auto takes our GPT swap partition when there is one (a real disk
 * holds what RAM cannot), else RAM above 4 GiB through PSE-36 windows,
 * else nothing: swap stays off and memory ends at RAM, as before. The log
 * says which backend was taken, its size, and why each other one was not
 * (docs/serial-log.md, Swap), so that a PC that swaps nowhere says why.
 */
#include "core/swap_choose.h"

#include <arch/highram.h>

#include <errnum.h>
#include <layout.h>

#include "core/log.h"
#include "core/mm/highram.h"
#include "lib/config.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define WHY_MAX 160

static const struct swap_backend *chosen;

/* Until core/mm's disk backend is on main (issue 11, helper "swap"): the
 * strong definition there replaces this one. */
__attribute__((weak)) const struct swap_backend *swap_disk_backend(struct blk_dev *d,
								   char *why, size_t n)
{
	(void)d;
	fmt_snprintf(why, n, "the disk backend is not built yet");
	return 0;
}

/* Until core/mm/swap.c is on main: swap is off whatever is chosen. */
__attribute__((weak)) int swap_attach(const struct swap_backend *b)
{
	(void)b;
	return -ENOSYS;
}

static const struct swap_backend *try_disk(char *why)
{
	struct blk_dev *d = blk_swap_partition();

	if (!d) {
		fmt_snprintf(why, WHY_MAX, "no swap partition of ours on any disk we drive");
		return 0;
	}
	return swap_disk_backend(d, why, WHY_MAX);
}

static uint32_t mib(const struct swap_backend *b)
{
	return (b->nslots - 1) / 256;
}

static int is_highram(const struct swap_backend *b)
{
	return !strcmp(b->name, "highram");
}

static void log_taken(const struct swap_backend *b)
{
	if (is_highram(b))
		log_normal("swap: using highram, %u MiB (%u slots) above 4 GiB through %u PSE-36 "
			   "windows of 4 MiB (MAXPHYADDR %u); %llu MiB more there not used (%u MiB "
			   "at most, whole 4 MiB chunks)\n",
			   mib(b), b->nslots - 1, HIGHRAM_WINDOWS, highram_info.phys_bits,
			   (unsigned long long)(highram_info.skipped >> 20),
			   HIGHRAM_MAX_CHUNKS * 4);
	else
		log_normal("swap: using %s, %u MiB (%u slots)\n", b->name, mib(b), b->nslots - 1);
}

void swap_choose(const struct bootinfo *bi)
{
	enum swap_mode mode = bi->cfg.swap;
	char disk_why[WHY_MAX], high_why[WHY_MAX];
	const struct swap_backend *b = 0;

	if (mode == SWAP_OFF) {
		log_normal("swap: off (swap = off in playground.cfg)\n");
		return;
	}
	if (mode == SWAP_HIGHRAM)
		fmt_snprintf(disk_why, WHY_MAX, "not tried (swap = highram)");
	else
		b = try_disk(disk_why);
	if (b)
		fmt_snprintf(high_why, WHY_MAX, mode == SWAP_DISK ? "not tried (swap = disk)"
								  : "not needed: the disk comes first");
	else if (mode == SWAP_DISK)
		fmt_snprintf(high_why, WHY_MAX, "not tried (swap = disk)");
	else
		b = highram_probe(bi, high_why, WHY_MAX);
	if (!b || is_highram(b))
		log_normal("swap: disk not taken: %s\n", disk_why);
	if (!b || !is_highram(b))
		log_normal("swap: highram not taken: %s\n", high_why);
	if (!b) {
		log_normal("swap: off: no backend (swap = %s)\n", config_swap_name(mode));
		return;
	}
	log_taken(b);
	chosen = b;
	int err = swap_attach(b);
	if (err == -ENOSYS)
		log_normal("swap: off: %s is ready, but the swap map is not built yet\n", b->name);
	else if (err)
		log_normal("swap: off: %s could not be attached (error %d)\n", b->name, err);
}

const struct swap_backend *swap_chosen(void)
{
	return chosen;
}
