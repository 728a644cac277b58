/* memmap.h - the firmware memory map as the kernel sees it. */
#ifndef CORE_MEMMAP_H
#define CORE_MEMMAP_H

#include <bootinfo.h>
#include <stdint.h>

#define FOUR_GIB 0x100000000ull

/* Sort ranges by base address (the firmware does not promise an order). */
void memmap_sort(struct bi_mem_range *r, uint32_t n);
/* RAM the kernel may use once boot services are gone. */
int memmap_is_usable(const struct bi_mem_range *r);
const char *memmap_type_name(uint32_t type);

struct memmap_totals {
	uint64_t usable_below_4g; /* bytes */
	uint64_t usable_above_4g;
	uint64_t highest_usable_below_4g; /* end address */
};
void memmap_totals(const struct bi_mem_range *r, uint32_t n, struct memmap_totals *t);

#endif
