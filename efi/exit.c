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
 *  - the final map is read with a few entries of the buffer held back, for
 *    the retry below; if by then the map has outgrown the rest (the
 *    firmware says EFI_BUFFER_TOO_SMALL, with the size it needs),
 *    ExitBootServices has not been called yet and boot services are
 *    whole: both buffers are made bigger and the map is read again, a
 *    bounded number of times;
 *  - a stale map key (EFI_INVALID_PARAMETER) means: read the map again,
 *    into the same buffer (now with the held-back entries), and retry once;
 *  - once ExitBootServices has been called, even unsuccessfully, the loader
 *    calls nothing but GetMemoryMap and ExitBootServices (UEFI <= 2.8 allows
 *    nothing else; 2.9 added memory allocation, which older firmware may not
 *    survive). The console may be torn down and the timer stopped, so a
 *    failure from then on is written to COM1 by port I/O and the CPU halts:
 *    the firmware is half shut down and cannot be returned to;
 *  - only after ExitBootServices succeeded are the map recorded for the
 *    kernel and the trampoline's parameters written.
 *
 * Testing the grow path: map_slack = 0 in playground.cfg gives the first
 * buffers no slack, and the boot enlarges them once ("loader: memory map
 * has ... buffers enlarged ..."); test/boot/copy.t does that.
 */
#include "loader.h"

#include "arch/x86/include/arch/tsc.h"
#include "lib/fmt.h"

#define MAP_SLACK_DESCRIPTORS CONFIG_MAP_SLACK_DEFAULT /* room when the buffers grow */
/* Entries held back when the final map is read: the retry after a stale
 * key may not allocate, so the map can only grow into these. */
#define MAP_RETRY_SPARE 8
#define MAP_GROW_TRIES 4
#define EBS_STALE_KEY_RETRY 2 /* the attempt number of the one retry */
#define BI_KEEP_SELF 0        /* bootinfo's keep entry for its own pages */

extern const char tramp_start[], tramp_enter[];

/* tramp_enter(page) (arch/x86/trampoline.S) leaves long mode: no return. */
typedef void (*tramp_entry_fn)(uint64_t page) __attribute__((noreturn));

/* The firmware's descriptors: room for h->bi->mmap_capacity of
 * h->bi->mmap_desc_size bytes (bootinfo records the room of both buffers). */
static void *raw_map;

struct map_read {
	UINTN size, key, dsize;
	UINT32 dver;
};

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

/* Free both buffers of bi (its own pages are its keep entry). */
static void free_buffers(struct bootinfo *bi)
{
	UINTN pages = (UINTN)(bi->keep[BI_KEEP_SELF].size / PAGE_SIZE);

	uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)bi, pages);
	FreePool(raw_map);
}

/* The header fields that depend on the buffers: bi's size, the map's room
 * and stride, and the keep entry that stops the kernel from handing bi's
 * pages out. */
static void set_room(struct bootinfo *bi, UINTN capacity, UINTN dsize, UINTN pages)
{
	bi->size = (uint32_t)(sizeof *bi + capacity * sizeof bi->mmap[0]);
	bi->mmap_capacity = (uint32_t)capacity;
	bi->mmap_desc_size = dsize;
	bi->keep[BI_KEEP_SELF] = (struct bi_keep){ (uint64_t)(UINTN)bi, pages * PAGE_SIZE,
						   BI_KEEP_BOOTINFO, 0 };
}

/*
 * (Re)size both buffers for capacity descriptors of dsize bytes. The first
 * call (h->bi NULL) makes bootinfo: magic, version, keep[BI_KEEP_SELF]. A
 * later one moves everything the old bootinfo held (config, files, keep
 * list, log) into the new, frees the old buffers, and h->bi points at the
 * new. On failure nothing changes. Boot services must be whole (no EBS yet).
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
		free_buffers(h->bi);
	} else {
		bi->magic = BOOTINFO_MAGIC;
		bi->version = BOOTINFO_VERSION;
		bi->nkeep = BI_KEEP_SELF + 1;
	}
	raw_map = raw;
	set_room(bi, capacity, dsize, pages);
	h->bi = bi;
	return EFI_SUCCESS;
}

/*
 * How many descriptors the map needs now, and their stride: GetMemoryMap
 * with no buffer, which neither allocates nor changes the map. That is the
 * count a buffer is checked against (edk2 merges neighbours only after
 * that check, so the map it then returns may be shorter).
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

EFI_STATUS prepare_memory_map(struct handoff *h, uint32_t slack)
{
	UINTN entries, dsize;
	EFI_STATUS st = count_map(&entries, &dsize);

	if (st != EFI_SUCCESS) {
		set_failed(h, "GetMemoryMap failed");
		return st;
	}
	/* The allocations from here to the end add descriptors: hence the slack. */
	UINTN capacity = entries + slack;
	st = size_buffers(h, capacity, dsize);
	if (st != EFI_SUCCESS)
		set_failed(h, "out of memory for the memory map (%lu entries)",
			   (unsigned long)capacity);
	return st;
}

/*
 * GetMemoryMap into raw_map, offering the firmware room for room
 * descriptors (at most bi->mmap_capacity). A map that does not fit, or a
 * DescriptorSize other than the buffers were made for, is
 * EFI_BUFFER_TOO_SMALL, with m->size the bytes the firmware has and
 * m->dsize its stride: what new buffers need. Calls nothing but
 * GetMemoryMap, so it may follow a failed ExitBootServices.
 */
static EFI_STATUS read_map(const struct bootinfo *bi, struct map_read *m, UINTN room)
{
	m->size = room * bi->mmap_desc_size;
	m->dsize = 0;
	EFI_STATUS st = uefi_call_wrapper(BS->GetMemoryMap, 5, &m->size, raw_map, &m->key,
					  &m->dsize, &m->dver);
	if (!m->dsize) /* the firmware did not say: the stride it gave before */
		m->dsize = bi->mmap_desc_size;
	/* A success fits the room offered (m->size <= it), in the firmware's
	 * stride: only that stride can make it overflow bootinfo's array. */
	if (st == EFI_SUCCESS && m->dsize != bi->mmap_desc_size)
		return EFI_BUFFER_TOO_SMALL;
	return st;
}

/* Enlarge both buffers for entries plus slack, and say so (boot services
 * are whole: the final GetMemoryMap comes after this line). */
static EFI_STATUS grow_buffers(struct handoff *h, UINTN entries, UINTN dsize)
{
	UINTN old = h->bi->mmap_capacity, want = entries + MAP_SLACK_DESCRIPTORS;

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

/*
 * The final map, read with MAP_RETRY_SPARE entries of the buffers held
 * back: the firmware must fit it in the rest, and says how much it needs
 * when it cannot (one GetMemoryMap a pass). Then both buffers grow for
 * that, up to MAP_GROW_TRIES times. Before ExitBootServices only.
 */
static EFI_STATUS read_final_map(struct handoff *h, struct map_read *m)
{
	for (unsigned grows = 0;; grows++) {
		UINTN capacity = h->bi->mmap_capacity;
		UINTN room = capacity > MAP_RETRY_SPARE ? capacity - MAP_RETRY_SPARE : 0;
		EFI_STATUS st = read_map(h->bi, m, room);

		if (st == EFI_SUCCESS)
			return EFI_SUCCESS;
		if (st != EFI_BUFFER_TOO_SMALL) {
			set_failed(h, "GetMemoryMap failed");
			return st;
		}
		UINTN entries = (m->size + m->dsize - 1) / m->dsize; /* this read's, not older */
		if (grows == MAP_GROW_TRIES) {
			set_failed(h, "the memory map kept outgrowing its buffer "
				      "(%lu entries, room for %lu)",
				   (unsigned long)entries, (unsigned long)capacity);
			return EFI_BUFFER_TOO_SMALL;
		}
		st = grow_buffers(h, entries, m->dsize);
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
		/* The same buffer, held-back entries included: no allocation now. */
		st = read_map(h->bi, &m, h->bi->mmap_capacity);
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
	tramp_entry_fn enter = (tramp_entry_fn)(UINTN)(h->tramp_phys + (tramp_enter - tramp_start));
	enter(h->tramp_phys);
}
