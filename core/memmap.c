/*
 * memmap.c - reading the UEFI memory map.
 *
 * Usable after ExitBootServices: conventional memory, boot-services code
 * and data, and loader code and data (the kernel keeps the loader regions
 * it still needs, listed in bootinfo->keep). A range must also be
 * write-back cacheable and not claimed by runtime services. Reserved,
 * ACPI, runtime and MMIO ranges are never handed out.
 */
#include "core/memmap.h"

#include "lib/fmt.h"

static const char *const type_names[EFI_MEM_NTYPES] = {
	"reserved", "loader-code", "loader-data", "bs-code", "bs-data", "rt-code",
	"rt-data", "free", "unusable", "acpi-reclaim", "acpi-nvs", "mmio",
	"mmio-port", "pal-code", "persistent", "unaccepted",
};

const char *memmap_type_name(uint32_t type)
{
	return type < EFI_MEM_NTYPES ? type_names[type] : "unknown";
}

int memmap_is_usable(const struct bi_mem_range *r)
{
	switch (r->type) {
	case EFI_MEM_CONVENTIONAL:
	case EFI_MEM_BS_CODE:
	case EFI_MEM_BS_DATA:
	case EFI_MEM_LOADER_CODE:
	case EFI_MEM_LOADER_DATA:
		break;
	default:
		return 0;
	}
	/* No attribute at all is what some old firmware reports: trust the type. */
	if (r->attr && !(r->attr & EFI_MEM_ATTR_WB))
		return 0;
	return !(r->attr & EFI_MEM_ATTR_RUNTIME);
}

void memmap_sort(struct bi_mem_range *r, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		struct bi_mem_range x = r[i];
		uint32_t j = i;
		while (j > 0 && r[j - 1].base > x.base) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
}

void memmap_totals(const struct bi_mem_range *r, uint32_t n, struct memmap_totals *t)
{
	t->usable_below_4g = t->usable_above_4g = t->highest_usable_below_4g = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!memmap_is_usable(&r[i]))
			continue;
		uint64_t start = r[i].base, end = start + r[i].pages * 4096;
		if (start < FOUR_GIB) {
			uint64_t low_end = end < FOUR_GIB ? end : FOUR_GIB;
			t->usable_below_4g += low_end - start;
			if (low_end > t->highest_usable_below_4g)
				t->highest_usable_below_4g = low_end;
		}
		if (end > FOUR_GIB)
			t->usable_above_4g += end - (start > FOUR_GIB ? start : FOUR_GIB);
	}
}

void memmap_totals_line(const struct bi_mem_range *r, uint32_t n, char *buf, size_t size)
{
	struct memmap_totals t;

	memmap_totals(r, n, &t);
	fmt_snprintf(buf, size, "mem: %u ranges, usable %llu MiB below 4 GiB, %llu MiB above 4 GiB%s",
		     n, (unsigned long long)(t.usable_below_4g >> 20),
		     (unsigned long long)(t.usable_above_4g >> 20),
		     t.usable_above_4g ? " (out of reach: 32-bit paging without PAE)" : "");
}

/* What the kernel does with the bytes of r from at on: below 4 GiB usable
 * RAM goes to the page allocator; above, 32-bit paging cannot reach it. */
static const char *use_of(const struct bi_mem_range *r, uint64_t at)
{
	if (memmap_is_usable(r))
		return at < FOUR_GIB ? "ram" : "out-of-reach";
	if (r->attr & EFI_MEM_ATTR_RUNTIME)
		return "firmware"; /* runtime services keep it, whatever its type */
	switch (r->type) {
	case EFI_MEM_RT_CODE:
	case EFI_MEM_RT_DATA:
		return "firmware";
	case EFI_MEM_ACPI_RECLAIM:
		return "acpi";
	case EFI_MEM_ACPI_NVS:
		return "acpi-nvs";
	case EFI_MEM_MMIO:
	case EFI_MEM_MMIO_PORT:
		return "mmio";
	default:
		return "reserved";
	}
}

/* The piece of range c->i from c->at on, cut at 4 GiB (where the use
 * changes); advances c past it. */
static void next_piece(const struct bi_mem_range *r, struct memmap_cursor *c,
		       struct memmap_run *p)
{
	const struct bi_mem_range *x = &r[c->i];
	uint64_t end = x->base + x->pages * 4096;

	p->base = c->at > x->base ? c->at : x->base;
	p->end = p->base < FOUR_GIB && end > FOUR_GIB ? FOUR_GIB : end;
	p->use = use_of(x, p->base);
	if (p->end == end) {
		c->i++;
		c->at = 0;
	} else {
		c->at = p->end;
	}
}

int memmap_next_run(const struct bi_mem_range *r, uint32_t n, struct memmap_cursor *c,
		    struct memmap_run *run)
{
	struct memmap_cursor peek;
	struct memmap_run p;

	if (c->i >= n)
		return 0;
	next_piece(r, c, run);
	for (peek = *c; peek.i < n; *c = peek) {
		next_piece(r, &peek, &p);
		if (p.base != run->end || p.use != run->use)
			break;
		run->end = p.end;
	}
	return 1;
}
