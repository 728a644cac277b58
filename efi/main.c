/*
 * main.c - BOOTX64.EFI: from the firmware to our 32-bit kernel.
 *
 *   1. banner, watchdog off
 *   2. playground.cfg and the scripts it names, from the ESP
 *   3. kernel.elf (embedded in this binary) loaded and relocated below
 *      896 MiB, the trampoline copied to its own page, a boot page directory
 *   4. GOP framebuffer, ACPI RSDP and the boot partition's GPT GUID recorded
 *   5. memory map, ExitBootServices, trampoline (arch/x86/trampoline.S)
 *
 * Every failure until ExitBootServices is called is printed and returned
 * to the firmware. After that call nothing is returned: exit.c reports on
 * COM1 and halts (the firmware may be half shut down).
 */
#include "loader.h"

#include "arch/x86/include/arch/tsc.h"
#include "lib/config.h"

#define CFG_PATH "\\EFI\\BOOT\\playground.cfg"
#define CFG_MAX_BYTES (64 * 1024)
#define SCRIPT_MAX_BYTES (1024 * 1024)

#define PDE_P 0x001u
#define PDE_W 0x002u
#define PDE_PS 0x080u

extern const char tramp_start[], tramp_end[];

static void report_cfg(void *ctx, unsigned line, const char *msg)
{
	(void)ctx;
	lprintf("loader: playground.cfg line %u: %s\n", line, msg);
}

static void banner(EFI_HANDLE image)
{
	char vendor[64];
	UINTN i = 0;
	EFI_LOADED_IMAGE *li = NULL;

	for (; ST->FirmwareVendor && ST->FirmwareVendor[i] && i < sizeof vendor - 1; i++)
		vendor[i] = (char)ST->FirmwareVendor[i];
	vendor[i] = 0;
	uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
	lprintf("loader: paging playground %s (BOOTX64.EFI)\n", PG_VERSION);
	lprintf("loader: firmware %s rev 0x%x, UEFI %u.%u, image at 0x%lx\n", vendor,
		ST->FirmwareRevision, ST->Hdr.Revision >> 16, (ST->Hdr.Revision & 0xffff) / 10,
		li ? (unsigned long)(UINTN)li->ImageBase : 0ul);
}

/* Returns 1 when the file was there. */
static int read_config(struct pg_config *cfg)
{
	uint64_t phys;
	uint32_t size;
	EFI_STATUS st = esp_read_file(CFG_PATH, &phys, &size, CFG_MAX_BYTES);

	config_defaults(cfg);
	if (st == EFI_NOT_FOUND) {
		lprintf("loader: no %s: using defaults\n", CFG_PATH);
		return 0;
	}
	if (st != EFI_SUCCESS) {
		lprintf("loader: warning: cannot read %s (status 0x%lx): using defaults\n", CFG_PATH,
			(unsigned long)st);
		return 0;
	}
	unsigned problems = config_parse(cfg, (const char *)(UINTN)phys, size, report_cfg, NULL);
	lprintf("loader: read %s (%u bytes, %u problem%s)\n", CFG_PATH, size, problems,
		problems == 1 ? "" : "s");
	uefi_call_wrapper(BS->FreePages, 2, phys, (size + 1 + PAGE_SIZE - 1) / PAGE_SIZE);
	return 1;
}

/* gdb = loader: spin until gdb sets gdb_go (scripts/gdbinit does it). */
volatile int gdb_go;

static void wait_for_gdb(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li = NULL;

	uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
	lprintf("loader: waiting for gdb, loader image at 0x%lx (gdb -x scripts/gdbinit)\n",
		li ? (unsigned long)(UINTN)li->ImageBase : 0ul);
	while (!gdb_go)
		__asm__ volatile("pause");
}

static void read_scripts(struct bootinfo *bi)
{
	for (unsigned i = 0; i < bi->cfg.nscripts && i < BI_MAX_FILES; i++) {
		struct bi_file *f = &bi->files[bi->nfiles++];
		EFI_STATUS st;

		CopyMem(f->path, bi->cfg.scripts[i], CONFIG_PATH_MAX);
		st = esp_read_file(f->path, &f->phys, &f->size, SCRIPT_MAX_BYTES);
		if (st != EFI_SUCCESS) {
			f->status = -1;
			if (st == EFI_BAD_BUFFER_SIZE)
				lprintf("loader: warning: script %s: too big (%u bytes, at most %u)\n",
					f->path, f->size, SCRIPT_MAX_BYTES);
			else
				lprintf("loader: warning: script %s: cannot read (status 0x%lx)\n",
					f->path, (unsigned long)st);
			f->size = 0;
			continue;
		}
		lprintf("loader: script %s: %u bytes\n", f->path, f->size);
		if (bi->nkeep < BI_MAX_KEEP)
			bi->keep[bi->nkeep++] = (struct bi_keep){ f->phys, f->size + 1ull,
								  BI_KEEP_FILE, 0 };
	}
}

/* Page directory for the switch: the trampoline's 4 MiB identity mapped,
 * and the direct map at 0xC0000000, both with 4 MiB pages. The kernel
 * replaces it with its own at once. */
static uint32_t make_boot_pd(uint64_t tramp)
{
	uint64_t pd_phys = alloc_low_pages(EfiLoaderData, 1);
	uint32_t *pd = (uint32_t *)(UINTN)pd_phys;

	if (!pd_phys)
		return 0;
	SetMem(pd, PAGE_SIZE, 0);
	for (uint32_t i = 0; i < DIRECT_MAP_MAX >> 22; i++)
		pd[(KERNEL_VIRT_BASE >> 22) + i] = (i << 22) | PDE_P | PDE_W | PDE_PS;
	pd[tramp >> 22] = (uint32_t)(tramp & ~0x3FFFFFull) | PDE_P | PDE_W | PDE_PS;
	return (uint32_t)pd_phys;
}

static EFI_STATUS fail(const char *what, EFI_STATUS st)
{
	lprintf("loader: error: %s; returning to the firmware (status 0x%lx)\n", what,
		(unsigned long)st);
	uefi_call_wrapper(BS->Stall, 1, 5 * 1000 * 1000); /* time to read the screen */
	return st;
}

/* The trampoline page (executable, identity mapped by the firmware) and
 * the page directory it switches to. */
static EFI_STATUS place_trampoline(struct handoff *h)
{
	UINTN tramp_len = (UINTN)(tramp_end - tramp_start);

	h->tramp_phys = alloc_low_pages(EfiLoaderCode, 1); /* code: must be executable */
	if (!h->tramp_phys || tramp_len > PAGE_SIZE)
		return EFI_OUT_OF_RESOURCES;
	CopyMem((void *)(UINTN)h->tramp_phys, tramp_start, tramp_len);
	make_executable(h->tramp_phys, 1);
	h->pd_phys = make_boot_pd(h->tramp_phys);
	return h->pd_phys ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
}

/* The TSC's rate, timed against the firmware's Stall(): the kernel has no
 * clock of its own until the PIT runs, and bounds its serial waits in
 * time, not in polls (a poll costs 50 ns under emulation, 1 us on a PC).
 * Fenced reads: both ends of the interval in place (arch/tsc.h). */
#define TSC_TIMING_US 10000

static uint32_t time_tsc_khz(void)
{
	uint64_t start = rdtsc_fenced();

	uefi_call_wrapper(BS->Stall, 1, TSC_TIMING_US);
	uint64_t ticks = rdtsc_fenced() - start;
	uint64_t khz = ticks / (TSC_TIMING_US / 1000);
	return khz > UINT32_MAX ? 0 : (uint32_t)khz;
}

static void fill_bootinfo(struct bootinfo *bi, EFI_HANDLE image, const struct kernel_image *k,
			  const struct handoff *h)
{
	EFI_LOADED_IMAGE *li;

	bi->tsc_khz = time_tsc_khz();

	find_framebuffer(&bi->fb);
	find_rsdp(&bi->rsdp, &bi->rsdp_rev);
	find_boot_partition(image, &bi->boot_part);
	bi->serial_in_conout = (uint32_t)con_serial_in_conout();
	bi->trampoline_phys = h->tramp_phys;
	bi->boot_pd_phys = h->pd_phys;
	bi->kernel_phys = k->phys;
	bi->kernel_virt = k->virt;
	bi->kernel_size = k->size;
	bi->kernel_delta = k->delta;
	bi->kernel_relocs = k->nrelocs;
	bi->keep[bi->nkeep++] = (struct bi_keep){ k->phys, k->size, BI_KEEP_KERNEL, 0 };
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li) ==
	    EFI_SUCCESS)
		bi->loader_image_base = (uint64_t)(UINTN)li->ImageBase;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct kernel_image k;
	struct bootinfo *bi;
	struct pg_config cfg;
	struct handoff h = { 0 };
	EFI_STATUS st;

	InitializeLib(image, systab);
	/* The boot manager arms a 5-minute watchdog; a stopped loader must not reboot. */
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0x10000, 0, NULL);
	con_init();
	banner(image);
	if (esp_open(image) != EFI_SUCCESS)
		lprintf("loader: warning: cannot open the boot partition: no config, no scripts\n");
	int cfg_found = read_config(&cfg);
	if (cfg.gdb == GDB_LOADER)
		wait_for_gdb(image);

	st = load_kernel(&k);
	if (st != EFI_SUCCESS)
		return fail("cannot load the kernel", st);
	lprintf("loader: kernel at phys 0x%lx virt 0x%x, %u KiB, %u relocations\n",
		(unsigned long)k.phys, k.virt, k.size / 1024, k.nrelocs);
	if (place_trampoline(&h) != EFI_SUCCESS)
		return fail("cannot place the trampoline below 896 MiB", EFI_OUT_OF_RESOURCES);
	st = prepare_memory_map(&h, cfg.map_slack);
	if (st != EFI_SUCCESS)
		return fail(h.failed, st);
	bi = h.bi;
	bi->cfg = cfg;
	bi->cfg_found = (uint32_t)cfg_found;
	read_scripts(bi);
	esp_close();
	fill_bootinfo(bi, image, &k, &h);

	lprintf("loader: exiting boot services; trampoline at 0x%lx, kernel entry 0x%x\n",
		(unsigned long)h.tramp_phys, k.entry);
	con_copy_log(bi);
	h.entry = k.entry;
	st = exit_and_jump(image, &h); /* returns only before ExitBootServices */
	return fail(h.failed, st);
}
