/*
 * exit.c - the last steps under the firmware: read the memory map, leave
 * boot services, and jump to the trampoline.
 *
 * Rules (UEFI 2.10 section 7.4.6, and what Linux and Xen learned):
 *  - the two buffers for the final map (the firmware's descriptors, and
 *    bootinfo's array the kernel reads) are allocated up front with slack,
 *    since allocating changes the map; both always have room for the same
 *    number of entries, so the kernel's copy is never cut short;
 *  - nothing allocates or prints between the final GetMemoryMap and
 *    ExitBootServices;
 *  - if by then the map has outgrown the buffers (or left too little room
 *    for the retry below), ExitBootServices has not been called yet and
 *    boot services are whole: both buffers are made bigger and the map is
 *    read again, a bounded number of times;
 *  - a stale map key (EFI_INVALID_PARAMETER) means: read the map again,
 *    into the same buffer, and retry once;
 *  - once ExitBootServices has been called, even unsuccessfully, the loader
 *    calls nothing but GetMemoryMap and ExitBootServices (UEFI <= 2.8 allows
 *    nothing else; 2.9 added memory allocation, which older firmware may not
 *    survive). The console may be torn down and the timer stopped, so a
 *    failure from then on is written to COM1 by port I/O and the CPU halts:
 *    the firmware is half shut down and cannot be returned to.
 *
 * Testing the grow path: map_slack = 0 in playground.cfg gives the first
 * buffers no slack, and the boot enlarges them once ("loader: memory map
 * has ... buffers enlarged ..."); test/boot/copy.t does that.
 */
#include "loader.h"

#include "lib/fmt.h"

#define MAP_SLACK_DESCRIPTORS CONFIG_MAP_SLACK_DEFAULT /* room when the buffers grow */
/* Free entries wanted when ExitBootServices is called: the retry after a
 * stale key may not allocate, so the map can only grow into these. */
#define MAP_RETRY_SPARE 8
#define MAP_GROW_TRIES 4
#define EBS_STALE_KEY_RETRY 2 /* the attempt number of the one retry */

extern const char tramp_start[], tramp_enter[];

/* The firmware's descriptors; room for map_capacity of map_dsize bytes. */
static void *raw_map;
static UINTN map_capacity, map_dsize, bi_pages;

struct map_read {
	UINTN size, key, dsize;
	UINT32 dver;
};

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Say what failed, for main's "loader: error: ..." line. */
static void set_failed(struct handoff *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_failed(struct handoff *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(h->failed, sizeof h->failed, fmt, ap);
	va_end(ap);
}

/* Header fields that depend on the buffer: its size, the map's room, and
 * the keep entry that stops the kernel from handing the pages out. */
static void set_bootinfo_room(struct bootinfo *bi, UINTN capacity, UINTN pages)
{
	struct bi_keep self = { (uint64_t)(UINTN)bi, pages * PAGE_SIZE, BI_KEEP_BOOTINFO, 0 };

	bi->magic = BOOTINFO_MAGIC;
	bi->version = BOOTINFO_VERSION;
	bi->size = (uint32_t)(sizeof *bi + capacity * sizeof bi->mmap[0]);
	bi->mmap_capacity = (uint32_t)capacity;
	bi->mmap_desc_size = map_dsize;
	for (uint32_t i = 0; i < bi->nkeep; i++) {
		if (bi->keep[i].kind == BI_KEEP_BOOTINFO) {
			bi->keep[i] = self;
			return;
		}
	}
	bi->keep[bi->nkeep++] = self; /* the first entry: nkeep was 0 */
}

/*
 * (Re)size both buffers for capacity descriptors of dsize bytes. A new
 * bootinfo takes over everything the old one held (config, files, keep
 * list, log) and h->bi points at it; the old buffers are freed. On
 * failure nothing changes. Boot services must be whole (no EBS yet).
 */
static EFI_STATUS size_buffers(struct handoff *h, UINTN capacity, UINTN dsize)
{
	UINTN bytes = sizeof(struct bootinfo) + capacity * sizeof(struct bi_mem_range);
	UINTN pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	void *raw = AllocatePool(capacity * dsize);
	uint64_t phys = raw ? alloc_low_pages(EfiLoaderData, pages) : 0;

	if (!phys) {
		if (raw)
			FreePool(raw);
		return EFI_OUT_OF_RESOURCES;
	}
	struct bootinfo *bi = (struct bootinfo *)(UINTN)phys;
	SetMem(bi, pages * PAGE_SIZE, 0);
	if (h->bi) {
		CopyMem(bi, h->bi, sizeof *bi); /* the fixed part; the map is read later */
		uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)h->bi, bi_pages);
		FreePool(raw_map);
	}
	raw_map = raw;
	map_capacity = capacity;
	map_dsize = dsize;
	bi_pages = pages;
	set_bootinfo_room(bi, capacity, pages);
	h->bi = bi;
	return EFI_SUCCESS;
}

/*
 * How many descriptors the map needs now, and their stride: GetMemoryMap
 * with no buffer, which neither allocates nor changes the map. This is
 * the count a buffer is checked against (edk2 merges neighbours only
 * after that check, so the map it then returns may be shorter).
 */
static EFI_STATUS count_map(UINTN *entries, UINTN *dsize)
{
	UINTN size = 0, key;
	UINT32 dver;

	*dsize = 0;
	EFI_STATUS st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, dsize, &dver);
	if (st == EFI_BUFFER_TOO_SMALL && *dsize) {
		*entries = (size + *dsize - 1) / *dsize;
		return EFI_SUCCESS;
	}
	/* An empty map, or no stride: nothing a loader can work with. */
	return st == EFI_SUCCESS || st == EFI_BUFFER_TOO_SMALL ? EFI_DEVICE_ERROR : st;
}

EFI_STATUS prepare_memory_map(struct handoff *h)
{
	UINTN entries, dsize;
	EFI_STATUS st = count_map(&entries, &dsize);

	if (st != EFI_SUCCESS) {
		set_failed(h, "GetMemoryMap failed");
		return st;
	}
	/* The allocations from here to the end add descriptors: hence the slack. */
	UINTN capacity = entries + h->first_slack;
	h->bi = NULL;
	st = size_buffers(h, capacity, dsize);
	if (st != EFI_SUCCESS)
		set_failed(h, "out of memory for the memory map (%lu entries)",
			   (unsigned long)capacity);
	return st;
}

/*
 * GetMemoryMap into raw_map. A map that does not fit the buffers (or a
 * changed DescriptorSize) is EFI_BUFFER_TOO_SMALL, with m->size the bytes
 * the firmware has, so the caller knows how much room is needed.
 */
static EFI_STATUS read_map(struct map_read *m)
{
	m->size = map_capacity * map_dsize;
	m->dsize = 0;
	EFI_STATUS st = uefi_call_wrapper(BS->GetMemoryMap, 5, &m->size, raw_map, &m->key,
					  &m->dsize, &m->dver);
	if (!m->dsize)
		m->dsize = map_dsize; /* the firmware did not say: the stride it gave before */
	if (st == EFI_SUCCESS && (m->dsize != map_dsize || m->size / m->dsize > map_capacity))
		return EFI_BUFFER_TOO_SMALL;
	return st;
}

/* Enlarge both buffers for entries plus slack, and say so (boot services
 * are whole: the final GetMemoryMap comes after this line). */
static EFI_STATUS grow_buffers(struct handoff *h, UINTN entries, UINTN dsize)
{
	UINTN old = map_capacity, want = entries + MAP_SLACK_DESCRIPTORS;

	if (size_buffers(h, want, dsize) != EFI_SUCCESS) {
		set_failed(h, "out of memory for the memory map (%lu entries)",
			   (unsigned long)want);
		return EFI_OUT_OF_RESOURCES;
	}
	lprintf("loader: memory map has %lu entries, room for %lu: buffers enlarged to %lu\n",
		(unsigned long)entries, (unsigned long)old, (unsigned long)want);
	con_copy_log(h->bi); /* the kernel replays the log from the new bootinfo */
	return EFI_SUCCESS;
}

/* Is there room for entries of dsize bytes, plus the spare the retry
 * after a stale key may need? EFI_BUFFER_TOO_SMALL if not. */
static EFI_STATUS check_room(UINTN *entries, UINTN *dsize)
{
	EFI_STATUS st = count_map(entries, dsize);

	if (st != EFI_SUCCESS)
		return st;
	if (*dsize != map_dsize || *entries + MAP_RETRY_SPARE > map_capacity)
		return EFI_BUFFER_TOO_SMALL;
	return EFI_SUCCESS;
}

/* The final map, with MAP_RETRY_SPARE entries still free; grows the
 * buffers up to MAP_GROW_TRIES times. Before ExitBootServices only. */
static EFI_STATUS read_final_map(struct handoff *h, struct map_read *m)
{
	for (unsigned grows = 0;; grows++) {
		UINTN entries = 0, dsize = 0;
		EFI_STATUS st = check_room(&entries, &dsize);

		if (st == EFI_SUCCESS)
			st = read_map(m); /* too small only if it grew since check_room */
		if (st == EFI_SUCCESS)
			return EFI_SUCCESS;
		if (st != EFI_BUFFER_TOO_SMALL) {
			set_failed(h, "GetMemoryMap failed");
			return st;
		}
		if (grows == MAP_GROW_TRIES) {
			set_failed(h, "the memory map kept outgrowing its buffer "
				      "(%lu entries, room for %lu)",
				   (unsigned long)entries, (unsigned long)map_capacity);
			return EFI_BUFFER_TOO_SMALL;
		}
		st = grow_buffers(h, entries, dsize);
		if (st != EFI_SUCCESS)
			return st;
	}
}

/*
 * After ExitBootServices was called: no firmware service may be used, and
 * there is no going back to the firmware. Name the call that failed on
 * COM1 (if there is one; the screen keeps the firmware's last line,
 * "loader: exiting boot services; ..."), then halt for good. The watchdog
 * was turned off at the start, so the machine stays halted.
 */
static void __attribute__((noreturn)) halt_after_ebs(const char *call, unsigned attempt,
						     EFI_STATUS st)
{
	char line[160];

	fmt_snprintf(line, sizeof line,
		     "loader: error: %s failed on attempt %u; halted, reset the machine "
		     "(status 0x%lx)\n",
		     call, attempt, (unsigned long)st);
	com1_write(line);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Convert the firmware's descriptors; DescriptorSize is the stride.
 * read_map made sure they all fit. */
static void record_map(struct bootinfo *bi, const struct map_read *m)
{
	UINTN n = m->size / m->dsize;

	for (UINTN i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((char *)raw_map + i * m->dsize);
		bi->mmap[i] = (struct bi_mem_range){ d->PhysicalStart, d->NumberOfPages,
						     d->Attribute, d->Type, 0 };
	}
	bi->mmap_count = (uint32_t)n;
	bi->mmap_desc_size = m->dsize;
}

/* The trampoline's parameter block (arch/x86/trampoline.S, "params"). */
static void fill_tramp_params(const struct handoff *h)
{
	uint32_t *params = (uint32_t *)(UINTN)h->tramp_phys;

	params[0] = h->pd_phys;
	params[1] = h->entry;
	params[2] = (uint32_t)(UINTN)h->bi;
}

EFI_STATUS exit_and_jump(EFI_HANDLE image, struct handoff *h)
{
	struct map_read m;
	unsigned attempt = 1;
	EFI_STATUS st = read_final_map(h, &m);

	if (st != EFI_SUCCESS)
		return st; /* ExitBootServices not called: boot services are whole */
	st = uefi_call_wrapper(BS->ExitBootServices, 2, image, m.key);
	if (st == EFI_INVALID_PARAMETER) {
		attempt = EBS_STALE_KEY_RETRY;
		st = read_map(&m); /* the same buffer: no allocation now */
		if (st != EFI_SUCCESS)
			halt_after_ebs("GetMemoryMap", attempt, st);
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, m.key);
	}
	if (st != EFI_SUCCESS)
		halt_after_ebs("ExitBootServices", attempt, st);
	h->bi->tsc_at_ebs = rdtsc();
	h->bi->ebs_attempts = attempt;

	/* No firmware from here on: only our own memory and the CPU. */
	record_map(h->bi, &m);
	fill_tramp_params(h);
	void (*enter)(uint64_t) = (void (*)(uint64_t))(UINTN)(h->tramp_phys +
							      (tramp_enter - tramp_start));
	enter(h->tramp_phys);
	halt_after_ebs("tramp_enter", attempt, EFI_ABORTED); /* not reached */
}
