/*
 * main.c - kmain: from the trampoline to the playground.
 *
 *   CPU state     own GDT/TSS and IDT first, so every fault is reported
 *   console       serial (probed) and framebuffer, then the boot log
 *   paging        the kernel's own page directory: the loader's identity
 *                 mapping goes away with the loader's directory
 *   interrupts    8259 remapped, APICs silenced, PIT at 100 Hz
 *   devices       PCI functions found, drivers attached, disks read
 *   run steps     what playground.cfg asks for (run=), then finish
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/machine.h>
#include <arch/paging.h>
#include <arch/segment.h>
#include <arch/trap.h>
#include <arch/uart.h>

#include <layout.h>

#include "core/blk/blk.h"
#include "core/blk/gpt.h"
#include "core/fbcon.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/memmap.h"
#include "core/mm/mm.h"
#include "core/play/play.h"
#include "core/report.h"
#include "core/swap_choose.h"
#include "core/tap.h"
#include "core/task/bench.h"
#include "core/task/task.h"
#include "core/view/view.h"
#include "drivers/pci.h"
#include "lib/config.h"
#include "test/kernel/ktests.h"

const struct bootinfo *boot_info;
uint64_t tsc_at_kmain;

static struct log_sink serial_sink = { "serial", uart_write, 0, 0 };

/* gdb = kernel: spin until gdb sets gdb_go (scripts/gdbinit does it). */
volatile int gdb_go;

static void wait_for_gdb(const struct bootinfo *bi)
{
	kprintf("debug: waiting for gdb, kernel slid by 0x%08x (gdb -x scripts/gdbinit)\n",
		bi->kernel_delta);
	while (!gdb_go)
		__asm__ volatile("pause");
}

static void log_memory_map(struct bootinfo *bi)
{
	char totals[128];

	struct memmap_cursor c = { 0, 0 };
	struct memmap_run run;

	memmap_sort(bi->mmap, bi->mmap_count);
	/* The firmware's own map is over a hundred ranges, mostly boot
	 * services' code and data that are RAM once the kernel runs: a
	 * newcomer sees it merged, the verbose log and `show mmap` raw. */
	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct bi_mem_range *r = &bi->mmap[i];
		uint64_t end = r->base + r->pages * PAGE_SIZE - 1;
		log_verbose("mem: firmware 0x%016llx-0x%016llx %8llu KiB %s\n",
			    (unsigned long long)r->base, (unsigned long long)end,
			    (unsigned long long)r->pages * 4, memmap_type_name(r->type));
	}
	log_normal("mem: the map as the kernel uses it (the firmware's own: log = verbose, "
		   "'show mmap'):\n");
	while (memmap_next_run(bi->mmap, bi->mmap_count, &c, &run))
		log_normal("mem: 0x%016llx-0x%016llx %8llu KiB %s\n", (unsigned long long)run.base,
			   (unsigned long long)run.end - 1,
			   (unsigned long long)(run.end - run.base) / 1024, run.use);
	memmap_totals_line(bi->mmap, bi->mmap_count, totals, sizeof totals);
	log_normal("%s\n", totals);
}

static void log_boot_facts(const struct bootinfo *bi)
{
	uint32_t efer = (uint32_t)rdmsr(MSR_EFER);

	log_normal("cpu: %s, cr0=0x%08x cr3=0x%08x cr4=0x%08x efer=0x%08x\n", cpu.vendor,
		   read_cr0(), read_cr3(), read_cr4(), efer);
	struct descriptor_table_reg g, i;
	sgdt(&g);
	sidt(&i);
	log_normal("cpu: gdt=0x%08x idt=0x%08x tss=0x%08x\n", g.base, i.base, (uint32_t)&tss);
	log_normal("kernel: virt 0x%08x-0x%08x phys 0x%08llx-0x%08llx (slid by 0x%08x, %u "
		   "relocations)\n",
		   bi->kernel_virt, bi->kernel_virt + bi->kernel_size - 1,
		   (unsigned long long)bi->kernel_phys,
		   (unsigned long long)bi->kernel_phys + bi->kernel_size - 1, bi->kernel_delta,
		   bi->kernel_relocs);
	uint64_t cycles = tsc_at_kmain - bi->tsc_at_ebs;

	log_normal("boot: ExitBootServices to kmain: %llu TSC cycles, %llu us at %u MHz "
		   "(map key retries: %u)\n",
		   (unsigned long long)cycles,
		   bi->tsc_khz ? (unsigned long long)(cycles * 1000 / bi->tsc_khz) : 0ull,
		   bi->tsc_khz / 1000, bi->ebs_attempts - 1);
}

/* Replay the loader's lines, so that they are part of the kernel log too. */
static void replay_loader_log(const struct bootinfo *bi)
{
	const char *s = bi->loader_log;
	uint32_t n = bi->loader_log_len < BI_LOG_SIZE ? bi->loader_log_len : BI_LOG_SIZE - 1;

	log_normal("playground: loader said:\n");
	if (log_level >= LOG_NORMAL)
		log_write(s, n);
}

static void __attribute__((noreturn)) finish(void)
{
	if (log_level >= LOG_NORMAL)
		mm_print_stats(); /* calc_mem, for the whole session */
	report_end();
	unsigned strays = apic_stray_count();
	if (strays) /* the log showed the first few at most */
		kprintf("apic: %u stray interrupt%s in all\n", strays, strays == 1 ? "" : "s");
	unsigned failed = tap_count() ? tap_finish() : 0;

	kprintf("playground: done, %s\n", failed ? "with failures" : "all good");
	machine_finish(failed ? MACHINE_EXIT_FAIL : MACHINE_EXIT_PASS);
}

static void run_suites(uint32_t suites)
{
	if (suites & SUITE_BOOT)
		ktest_boot();
	if (suites & SUITE_DISK)
		ktest_disk();
	if (suites & SUITE_MM)
		ktest_mm();
	if (suites & SUITE_TASK)
		ktest_tasks();
	if (suites & SUITE_SCENARIO)
		play_run_scenarios();
	if (suites & SUITE_STRESS)
		ktest_stress();
}

/* The scripts the loader read from the ESP (script= in playground.cfg). */
static void run_scripts(const struct bootinfo *bi)
{
	tap_suite("scripts");
	for (uint32_t i = 0; i < bi->nfiles; i++) {
		const struct bi_file *f = &bi->files[i];
		if (f->status < 0) {
			tap_ok(0, "%s: the loader could not read it", f->path);
			continue;
		}
		unsigned failures = play_run_script(f->path, phys_to_virt((paddr_t)f->phys), f->size);
		tap_eq(failures, 0, "%s: no failed expect, no error", f->path);
	}
}

/* pid 1: runs what playground.cfg asks for, then ends the session. */
static int init_main(void *arg)
{
	const struct bootinfo *bi = arg;

	if (bi->cfg.report)
		report_start(bi, PG_VERSION);
	watch_set(bi->cfg.watch);
	for (unsigned i = 0; i < bi->cfg.nsteps; i++) {
		log_normal("init: step %u: %s\n", i + 1, config_step_name(bi->cfg.run[i]));
		if (bi->cfg.run[i] == RUN_SUITE)
			run_suites(bi->cfg.suites);
		else if (bi->cfg.run[i] == RUN_SCRIPTS)
			run_scripts(bi);
		else if (bi->cfg.run[i] == RUN_SHELL)
			play_shell();
		else if (bi->cfg.run[i] == RUN_BENCH)
			bench_run(bi->cfg.bench_rounds);
		else if (bi->cfg.run[i] == RUN_PANIC)
			ktest_crash_page_fault();
		else if (bi->cfg.run[i] == RUN_DOUBLE_FAULT)
			ktest_crash_double_fault();
	}
	finish();
}

static void mm_setup(const struct bootinfo *bi)
{
	if (pmm_init(bi->mmap, bi->mmap_count, bi->keep, bi->nkeep))
		panic("no room for mem_map in low memory");
	mm_init_zero_page();
	vmm_init();
	mm_fork_mode = bi->cfg.fork_mode;
	log_normal("mm: zero page at 0x%08x; fork %s page tables\n",
		   PFN_TO_PADDR(pmm.zero_pfn),
		   mm_fork_mode == FORK_COPY_TABLES ? "copies" : "shares (copy-on-write)");
}

/* CPU tables first, so that any fault from here on is reported; the log
 * needs the UART, probed even when the handoff looks wrong. */
static struct bootinfo *take_over(uint32_t magic, uint32_t bi_phys)
{
	struct bootinfo *bi = phys_to_virt(bi_phys); /* the loader's direct map */
	int good = magic == KERNEL_ENTRY_MAGIC && bi->magic == BOOTINFO_MAGIC &&
		   bi->version == BOOTINFO_VERSION &&
		   bi->size == sizeof *bi + bi->mmap_capacity * sizeof bi->mmap[0];

	if (good)
		uart_set_tsc_khz(bi->tsc_khz);
	if ((!good || bi->cfg.serial != SERIAL_OFF) && uart_init())
		log_add_sink(&serial_sink);
	gdt_init();
	idt_init();
	nmi_enable(); /* the trampoline masked NMI; an NMI now gets a dump */
	if (!good)
		panic("bad handoff from the loader: magic 0x%08x, bootinfo 0x%08x", magic,
		      bi_phys);
	log_set_level(bi->cfg.log_level);
	machine_set_exit_allowed(bi->cfg.finish == FINISH_EXIT);
	return bi;
}

/* The screen console needs the kernel directory: its window lives there. */
static void start_fbcon(const struct bootinfo *bi)
{
	unsigned cols, rows;
	struct log_sink *fb = bi->cfg.console != CONSOLE_OFF ? fbcon_init(&bi->fb) : NULL;

	if (!fb) {
		log_early_done();
		return;
	}
	log_add_sink_replay(fb); /* what was logged before the screen, first */
	fbcon_get_size(&cols, &rows);
	log_normal("fbcon: %ux%u framebuffer at 0x%llx, %ux%u text\n", bi->fb.width, bi->fb.height,
		   (unsigned long long)bi->fb.base, cols, rows);
}

/* Our own page directory, with the direct map as far as RAM goes. */
static void start_paging(const struct bootinfo *bi)
{
	struct memmap_totals t;

	memmap_totals(bi->mmap, bi->mmap_count, &t);
	paging_init(t.highest_usable_below_4g > DIRECT_MAP_MAX ? DIRECT_MAP_MAX
							       : (uint32_t)t.highest_usable_below_4g);
	start_fbcon(bi);
	log_boot_facts(bi);
	log_normal("paging: direct map 0x%08x-0x%08x -> phys 0-0x%08x (4 MiB pages), "
		   "identity map removed\n",
		   KERNEL_VIRT_BASE, KERNEL_VIRT_BASE + PFN_TO_PADDR(lowmem_end_pfn) - 1,
		   PFN_TO_PADDR(lowmem_end_pfn) - 1);
}

void kmain(uint32_t magic, uint32_t bi_phys)
{
	tsc_at_kmain = rdtsc();
	cpu_init();
	struct bootinfo *bi = take_over(magic, bi_phys);
	boot_info = bi;
	log_normal("playground: kernel %s, 32-bit protected mode, two-level paging\n",
		   PG_VERSION);
	replay_loader_log(bi);
	if (bi->cfg.gdb == GDB_KERNEL)
		wait_for_gdb(bi);
	log_memory_map(bi);
	start_paging(bi);
	seg_probe_limits(); /* does this CPU check segment limits? (ldt.c) */
	pic_init();
	apic_quiesce(bi->rsdp);
	mm_setup(bi);
	blk_init(bi->tsc_khz);
	pci_init(bi->rsdp); /* and the disks the drivers find */
	gpt_scan_all(bi->boot_part.guid, bi->boot_part.start_lba, bi->boot_part.found);
	swap_choose(bi);
	task_init();
	pit_init(TICK_HZ);
	init_task = kthread_create("init", init_main, bi);
	if (!init_task)
		panic("cannot create init");
	sched_idle_loop(); /* the boot context becomes the idle task */
}
