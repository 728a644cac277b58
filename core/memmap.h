/* memmap.h - the firmware memory map as the kernel sees it. */
#ifndef CORE_MEMMAP_H
#define CORE_MEMMAP_H

#include <bootinfo.h>
#include <layout.h> /* FOUR_GIB */
#include <stddef.h>
#include <stdint.h>

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
/* The boot log's totals line, without its newline: "mem: <n> ranges,
 * usable <a> MiB below 4 GiB, <b> MiB above 4 GiB[ (out of reach...)]".
 * One function, so that the log and `show boot` cannot drift apart. */
void memmap_totals_line(const struct bi_mem_range *r, uint32_t n, char *buf, size_t size);

/* The map as the kernel will use it (the boot log's normal level): runs
 * of adjacent ranges of one use, "ram" (the page allocator's, below
 * 4 GiB), "out-of-reach" (RAM above 4 GiB), "firmware" (runtime
 * services), "acpi", "acpi-nvs", "mmio", "reserved" (the rest). r sorted
 * by base (memmap_sort). Start with a zeroed cursor; 1 and *run filled
 * while a run is left, then 0. A range that crosses 4 GiB is cut there. */
struct memmap_cursor {
	uint32_t i;  /* the range the next run starts in */
	uint64_t at; /* where in it, when it was cut; 0 for its base */
};
struct memmap_run {
	uint64_t base, end; /* [base, end) */
	const char *use;
};
int memmap_next_run(const struct bi_mem_range *r, uint32_t n, struct memmap_cursor *c,
		    struct memmap_run *run);

#endif
