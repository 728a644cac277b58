/*
 * exit.c - the last steps under the firmware: read the memory map, leave
 * boot services, and jump to the trampoline.
 *
 * Rules (UEFI 2.10 section 7.4.6, and what Linux and Xen learned):
 *  - the buffer for the final map is allocated up front with slack, since
 *    allocating changes the map;
 *  - nothing allocates or prints between the final GetMemoryMap and
 *    ExitBootServices;
 *  - a stale map key (EFI_INVALID_PARAMETER) means: read the map again and
 *    retry once; after a failed ExitBootServices the console may be gone,
 *    so the second failure is returned without printing.
 */
#include "loader.h"

#define MAP_SLACK_DESCRIPTORS 64

extern const char tramp_start[], tramp_enter[];

static void *raw_map;
static UINTN raw_map_bytes;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

EFI_STATUS prepare_memory_map(struct bootinfo **bi_out, UINTN extra_bytes)
{
	UINTN size = 0, key, dsize;
	UINT32 dver;
	EFI_STATUS st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &dsize, &dver);

	if (st != EFI_BUFFER_TOO_SMALL || !dsize) {
		lprintf("loader: error: GetMemoryMap: %lx\n", (unsigned long)st);
		return st == EFI_SUCCESS ? EFI_DEVICE_ERROR : st;
	}
	/* The allocations below add descriptors too: hence the slack. */
	UINTN capacity = size / dsize + MAP_SLACK_DESCRIPTORS;
	raw_map_bytes = capacity * dsize;
	raw_map = AllocatePool(raw_map_bytes);

	UINTN bi_bytes = sizeof(struct bootinfo) + capacity * sizeof(struct bi_mem_range);
	UINTN pages = (bi_bytes + extra_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t bi_phys = alloc_low_pages(EfiLoaderData, pages);
	if (!raw_map || !bi_phys) {
		lprintf("loader: error: out of memory for the memory map (%lu entries)\n",
			(unsigned long)capacity);
		return EFI_OUT_OF_RESOURCES;
	}
	struct bootinfo *bi = (struct bootinfo *)(UINTN)bi_phys;
	SetMem(bi, pages * PAGE_SIZE, 0);
	bi->magic = BOOTINFO_MAGIC;
	bi->version = BOOTINFO_VERSION;
	bi->size = (uint32_t)bi_bytes;
	bi->mmap_capacity = (uint32_t)capacity;
	bi->mmap_desc_size = dsize;
	bi->keep[bi->nkeep++] = (struct bi_keep){ bi_phys, pages * PAGE_SIZE, BI_KEEP_BOOTINFO, 0 };
	*bi_out = bi;
	return EFI_SUCCESS;
}

/* Convert the firmware's descriptors; DescriptorSize is the stride. */
static void record_map(struct bootinfo *bi, UINTN bytes, UINTN dsize)
{
	UINTN n = bytes / dsize;

	if (n > bi->mmap_capacity) {
		n = bi->mmap_capacity;
		bi->loader_flags |= BI_FLAG_MAP_TRUNCATED; /* the kernel reports it */
	}
	for (UINTN i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((char *)raw_map + i * dsize);
		bi->mmap[i] = (struct bi_mem_range){ d->PhysicalStart, d->NumberOfPages,
						     d->Attribute, d->Type, 0 };
	}
	bi->mmap_count = (uint32_t)n;
	bi->mmap_desc_size = dsize;
}

EFI_STATUS exit_and_jump(EFI_HANDLE image, struct handoff *h)
{
	UINTN size, key, dsize;
	UINT32 dver;
	EFI_STATUS st = EFI_SUCCESS;

	for (unsigned attempt = 1; attempt <= 2; attempt++) {
		size = raw_map_bytes;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, raw_map, &key, &dsize, &dver);
		if (st == EFI_SUCCESS)
			st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (st == EFI_SUCCESS) {
			h->bi->tsc_at_ebs = rdtsc();
			h->bi->ebs_attempts = attempt;
			break;
		}
		if (attempt == 1 && st != EFI_INVALID_PARAMETER)
			return st; /* refused outright: boot services still intact */
		h->firmware_gone = 1;
	}
	if (st != EFI_SUCCESS)
		return st; /* boot services may be half gone: do not print */

	/* No firmware from here on: only our own memory and the CPU. */
	record_map(h->bi, size, dsize);
	void (*enter)(uint64_t) = (void (*)(uint64_t))(UINTN)(h->tramp_phys +
							      (tramp_enter - tramp_start));
	enter(h->tramp_phys);
	return EFI_ABORTED; /* not reached */
}
