/*
 * test_pci.c - PCI enumeration (drivers/pci.c) and the three disk drivers
 * (drivers/ahci*.c, virtio_blk.c, nvme.c) on the simulated PC of
 * test/host/sim/hwsim.c, with the controllers of hwsim_disks.c: what they
 * find, what they write to configuration space, data that goes out and
 * comes back by DMA, interrupts, errors reported as -EIO, a device that
 * stops answering reset, and the orders the specs require.
 *
 * The drivers keep boot-time state (their unit tables, the PCI table,
 * the block layer's list): each test runs in a child process of its own,
 * so each starts from a fresh boot. A failed assertion ends the child
 * with status 1 (teardown below), which fails the test in the parent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#undef W_EXITCODE /* sys/wait.h's; include/syscalls.h has the kernel's */

#include <arch/mmu_ops.h>
#include <arch/tsc.h>
#include <errnum.h>

#include "core/blk/blk.h"
#include "core/log.h"
#include "core/task/task.h"
#include "drivers/ahci_hw.h"
#include "drivers/dma.h"
#include "drivers/nvme_hw.h"
#include "drivers/pci.h"
#include "drivers/virtio_blk_hw.h"
#include "lib/fmt.h"
#include "test/host/sim/hwsim.h"
#include "test/host/sim/hwsim_disks.h"
#include "test/host/sim/memdisk.h"
#include "test/host/sim/sim.h"

#define PAGES 1024
#define LOW 512
#define SECTORS 4096 /* 2 MiB disks */

static int in_child;
static struct task sleeper = { .pid = 2, .name = "sleeper" };

static void deliver(void)
{
	hwsim_deliver();
}

/* A fresh boot: RAM, the block layer's clock, an empty PC with ECAM. */
static uint64_t boot(void)
{
	sim_boot(PAGES, LOW);
	log_level = LOG_NORMAL;
	hwsim_reset();
	blk_init(1);
	sim_tsc = 0;
	sim_tsc_step = 1;
	sim_interrupt = deliver;
	current = 0;
	return hwsim_acpi(1);
}

static void (*child_scenario)(void);

static void child_test(void **state)
{
	(void)state;
	child_scenario();
}

/* The scenario runs as a group of one in a child process, its report in
 * a file (stdout is the parent's TAP stream); the file is shown when the
 * child failed, and the exit status says whether it did. */
static void run_forked(void (*scenario)(void))
{
	FILE *report = tmpfile();

	assert_non_null(report);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const struct CMUnitTest one[] = { cmocka_unit_test(child_test) };
		dup2(fileno(report), 1);
		dup2(fileno(report), 2);
		in_child = 1;
		child_scenario = scenario;
		_exit(cmocka_run_group_tests_name("child", one, NULL, NULL) ? 1 : 0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	int passed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!passed) {
		char line[512];
		rewind(report);
		while (fgets(line, sizeof line, report))
			fprintf(stderr, "# child: %s", line);
	}
	fclose(report);
	assert_true(passed);
}

static int child_teardown(void **state)
{
	(void)state;
	if (in_child)
		_exit(1);
	return 0;
}

#define assert_logged(part)                                                              \
	do {                                                                             \
		if (!strstr(sim_log, part))                                              \
			fail_msg("not logged: %s\n---- log ----\n%s", part, sim_log);    \
	} while (0)

static pfn_t page(void)
{
	pfn_t p = pmm_alloc_page(PMM_USER | PMM_ZERO, PAGE_KERNEL);

	assert_true(p != 0);
	return p;
}

static uint8_t *bytes(pfn_t p)
{
	return page_address(p, KMAP_PEEK);
}

static uint32_t cfg32(const struct hwsim_dev *d, unsigned off)
{
	uint32_t v;

	memcpy(&v, d->cfg + off, 4);
	return v;
}

static uint16_t cfg16(const struct hwsim_dev *d, unsigned off)
{
	uint16_t v;

	memcpy(&v, d->cfg + off, 2);
	return v;
}

/* Write pages' worth of a pattern through d at lba from offset off, read
 * it back into other pages, compare; the disk's bytes are checked too. */
static void round_trip(struct blk_dev *d, struct simdisk *disk, uint64_t lba, uint32_t npages,
		       uint32_t off)
{
	pfn_t out[BLK_REQ_MAX_PAGES], in[BLK_REQ_MAX_PAGES];
	uint32_t count = (npages * PGSIZE - off) / d->sector_size;
	uint32_t bytes_n = count * d->sector_size;

	for (uint32_t i = 0; i < npages; i++) {
		out[i] = page();
		in[i] = page();
		for (uint32_t b = 0; b < PGSIZE; b++)
			bytes(out[i])[b] = (uint8_t)(i * 31 + b * 7 + lba);
	}
	assert_int_equal(blk_rw(d, BLK_WRITE, lba, count, out, npages, off), 0);
	uint64_t at = (lba + (d->flags & BLK_PARTITION ? d->start : 0)) * d->sector_size;
	for (uint32_t k = 0; k < bytes_n; k++) {
		uint32_t pos = off + k;
		if (disk->data[at + k] != bytes(out[pos / PGSIZE])[pos % PGSIZE])
			fail_msg("disk byte %u differs", k);
	}
	assert_int_equal(blk_rw(d, BLK_READ, lba, count, in, npages, off), 0);
	for (uint32_t k = 0; k < bytes_n; k++) {
		uint32_t pos = off + k;
		if (bytes(in[pos / PGSIZE])[pos % PGSIZE] != bytes(out[pos / PGSIZE])[pos % PGSIZE])
			fail_msg("byte %u read back differs", k);
	}
	for (uint32_t i = 0; i < npages; i++) {
		page_ref_dec(out[i]);
		page_ref_dec(in[i]);
	}
}

/* -------------------------------------------------------------- PCI */

static int probed;
static int fake_probe(struct pci_dev *d)
{
	probed++;
	fmt_snprintf(d->note, sizeof d->note, "fake took it");
	return 0;
}

static const struct pci_driver fake_driver = { "fake", 0x1234, 0x5678, PCI_ANY_CLASS,
					       fake_probe };
extern const struct pci_driver ahci_driver, nvme_driver, virtio_blk_driver,
	virtio_blk_modern_driver;
const struct pci_driver *const pci_drivers[] = { &ahci_driver, &nvme_driver, &virtio_blk_driver,
						  &virtio_blk_modern_driver, &fake_driver, 0 };

/* Every bus is scanned: functions 0 and 2 of a multifunction device,
 * not the function 1 of a single-function one, and a device on bus
 * 0x80 (a second root bus). BARs of every kind are sized, each left as
 * it was, and the command register too. */
static void scenario_enumeration(void)
{
	uint64_t rsdp = boot();
	struct hwsim_dev *a = hwsim_add(0, 3, 0, 0x1234, 0x5678, PCI_CLASS_CODE(2, 0, 0));
	hwsim_multifunction(a);
	hwsim_add(0, 3, 2, 0x1234, 0x0002, PCI_CLASS_CODE(2, 0, 0));
	hwsim_add(0, 5, 0, 0x1234, 0x0005, PCI_CLASS_CODE(3, 0, 0));
	hwsim_add(0, 5, 1, 0x1234, 0x0051, PCI_CLASS_CODE(3, 0, 0)); /* not multifunction: unseen */
	struct hwsim_dev *far = hwsim_add(0x80, 0, 0, 0x8086, 0x1234, PCI_CLASS_CODE(1, 6, 0));
	hwsim_bar(a, 0, HWSIM_IO, 0x6000, 32);
	hwsim_bar(a, 1, HWSIM_MEM32, 0xC0001000, 4096);
	hwsim_bar(a, 2, HWSIM_MEM64, 0xC0100000, 16384);
	hwsim_bar(a, 4, HWSIM_MEM64, 0xE000000000ull, 0x4000);
	uint16_t cmd = PCI_COMMAND_IO | PCI_COMMAND_MEMORY;
	memcpy(a->cfg + PCI_COMMAND, &cmd, 2);
	uint8_t before[64];
	memcpy(before, a->cfg, 64);

	pci_init(rsdp);
	assert_int_equal(pci_count(), 4);
	assert_string_equal(pci_get(0)->addr, "00:03.0");
	assert_string_equal(pci_get(1)->addr, "00:03.2");
	assert_string_equal(pci_get(2)->addr, "00:05.0");
	assert_string_equal(pci_get(3)->addr, "80:00.0");
	assert_int_equal(probed, 1);
	assert_string_equal(pci_get(0)->note, "fake took it");
	const struct pci_dev *d = pci_get(0);
	assert_int_equal(d->bar[0].kind, PCI_BAR_IO);
	assert_int_equal(d->bar[0].base, 0x6000);
	assert_int_equal(d->bar[0].size, 32);
	assert_int_equal(d->bar[1].kind, PCI_BAR_MEM32);
	assert_int_equal(d->bar[1].base, 0xC0001000u);
	assert_int_equal(d->bar[1].size, 4096);
	assert_int_equal(d->bar[2].kind, PCI_BAR_MEM64);
	assert_int_equal(d->bar[2].size, 16384);
	assert_true(d->bar[2].prefetch);
	assert_int_equal(d->bar[3].kind, PCI_BAR_NONE); /* the 64-bit BAR's high half */
	assert_int_equal(d->bar[4].base, 0xE000000000ull);
	assert_int_equal(memcmp(before, a->cfg, 64), 0);
	assert_int_equal(far->cfg[0], 0x86);
	assert_logged("pci: ECAM at 0xb0000000 for buses 0-255\n");
	assert_logged("pci: 4 functions on 2 buses (configuration mechanism #1)\n");
	assert_logged("pci: 80:00.0 8086:1234 class 01.06.00 SATA controller\n");
	assert_int_equal(hwsim_stray, 0);
}

/* Registers above 0xff through ECAM, when the MCFG gives it; without, a
 * read gives all ones. A BAR above 4 GiB is refused with a line. A
 * looping capability list ends. */
static void scenario_config_space(void)
{
	uint64_t rsdp = boot();
	struct hwsim_dev *a = hwsim_add(0, 3, 0, 0x1234, 0x5678, PCI_CLASS_CODE(2, 0, 0));
	uint32_t ext = 0x0001 | 1u << 16 | 0x140u << 20; /* AER, next at 0x140 */
	memcpy(a->cfg + 0x100, &ext, 4);
	hwsim_bar(a, 0, HWSIM_MEM64, 0x100000000ull, 0x4000);
	uint8_t c1 = hwsim_cap(a, PCI_CAP_ID_VENDOR, 4), c2 = hwsim_cap(a, PCI_CAP_ID_EXP, 4);
	pci_init(rsdp);
	struct pci_dev *d = pci_get(0);
	assert_int_equal(pci_read32(d, 0x100), ext);
	assert_true(pci_has_ecam(d));
	pci_write8(d, PCI_INTERRUPT_LINE, 5);
	assert_int_equal(a->cfg[PCI_INTERRUPT_LINE], 5);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_EXP), c2);
	a->cfg[c2 + PCI_CAP_NEXT] = c1; /* a loop */
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX), 0);
	assert_null(pci_map_bar(d, 0, 0, 0, "test"));
	assert_logged("test: BAR0 at 0x100000000 (16 KiB) is above 4 GiB, out of reach of 32-bit "
		      "paging\n");
	assert_string_equal(d->note, "skipped: BAR0 above 4 GiB, out of reach of 32-bit paging");
	assert_null(pci_map_bar(d, 1, 0, 0, "test")); /* nothing there */
}

static void scenario_no_mcfg(void)
{
	uint32_t ext = 0x0001 | 1u << 16;
	uint64_t rsdp = boot();
	struct hwsim_dev *a = hwsim_add(0, 3, 0, 0x1234, 0x5678, PCI_CLASS_CODE(2, 0, 0));

	hwsim_acpi(0);
	memcpy(a->cfg + 0x100, &ext, 4);
	pci_init(rsdp);
	assert_logged("pci: no ACPI MCFG: registers above 0xff out of reach (no ECAM)\n");
	assert_false(pci_has_ecam(pci_get(0)));
	assert_int_equal(pci_read32(pci_get(0), 0x100), 0xFFFFFFFFu);
}

/* ECAM alone (no mechanism #1) still finds and configures everything. */
static void scenario_ecam_only(void)
{
	uint64_t rsdp = boot();
	hwsim_no_mech1();
	struct hwsim_dev *a = hwsim_add(0, 7, 0, 0x1234, 0x5678, PCI_CLASS_CODE(2, 0, 0));
	hwsim_bar(a, 1, HWSIM_MEM32, 0xC0002000, 4096);
	pci_init(rsdp);
	assert_int_equal(pci_count(), 1);
	assert_int_equal(pci_get(0)->bar[1].size, 4096);
	assert_logged("pci: 1 function on 1 bus (ECAM only)\n");
}

static int irq_calls;
static int count_irq(void *ctx)
{
	(void)ctx;
	irq_calls++;
	return IRQ_HANDLED;
}

/* MSI: the message written where the capability says (64-bit layout),
 * one vector, enabled, INTx off; the device's interrupt reaches the
 * handler. MSI-X is preferred when there is one: entry 0 in the table. */
static void scenario_msi(void)
{
	uint64_t rsdp = boot();
	struct hwsim_dev *a = hwsim_add(0, 3, 0, 0x1234, 0x1111, PCI_CLASS_CODE(2, 0, 0));
	hwsim_msi(a, 1);
	struct hwsim_dev *b = hwsim_add(0, 4, 0, 0x1234, 0x2222, PCI_CLASS_CODE(2, 0, 0));
	hwsim_bar(b, 2, HWSIM_MEM32, 0xC0003000, 4096);
	hwsim_msi(b, 0);
	hwsim_msix(b, 2, 0x800);
	pci_init(rsdp);
	struct pci_dev *da = pci_get(0), *db = pci_get(1);
	int va = pci_irq_setup(da, count_irq, 0);
	assert_true(va >= FIRST_UNUSED_VECTOR);
	assert_int_equal(da->irq_mode, PCI_IRQ_MSI);
	assert_int_equal(cfg32(a, a->msi_cap + PCI_MSI_ADDRESS_LO), 0xFEE00000u);
	assert_int_equal(cfg16(a, a->msi_cap + PCI_MSI_DATA_64), va);
	assert_true(cfg16(a, a->msi_cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE);
	assert_true(cfg16(a, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	hwsim_interrupt(a);
	assert_int_equal(hwsim_deliver(), 1);
	assert_int_equal(irq_calls, 1);
	assert_int_equal(irq_vector_count(va), 1);

	pci_enable(db);
	int vb = pci_irq_setup(db, count_irq, 0);
	assert_true(vb > va);
	assert_int_equal(db->irq_mode, PCI_IRQ_MSIX);
	assert_int_equal(b->msix[0][0], 0xFEE00000u);
	assert_int_equal(b->msix[0][2], vb);
	assert_int_equal(b->msix[0][3] & PCI_MSIX_ENTRY_CTRL_MASKBIT, 0);
	uint16_t f = cfg16(b, b->msix_cap + PCI_MSIX_FLAGS);
	assert_true(f & PCI_MSIX_FLAGS_ENABLE);
	assert_false(f & PCI_MSIX_FLAGS_MASKALL);
	assert_false(cfg16(b, b->msi_cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE);
	hwsim_interrupt(b);
	assert_int_equal(hwsim_deliver(), 1);
	assert_int_equal(irq_calls, 2);
	pci_irq_teardown(db);
	assert_false(cfg16(b, b->msix_cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE);
	hwsim_interrupt(b);
	assert_int_equal(hwsim_deliver(), 0);
	assert_int_equal(b->intx, 1);
}

/* No local APIC to send to: no message, the driver polls. */
static void scenario_msi_no_lapic(void)
{
	uint64_t rsdp = boot();
	struct hwsim_dev *a;

	hwsim_no_lapic();
	a = hwsim_add(0, 3, 0, 0x1234, 0x1111, PCI_CLASS_CODE(2, 0, 0));
	hwsim_msi(a, 1);
	pci_init(rsdp);
	assert_int_equal(pci_irq_setup(pci_get(0), count_irq, 0), -ENODEV);
	assert_int_equal(pci_get(0)->irq_mode, PCI_IRQ_NONE);
}

/* ------------------------------------------------------- virtio-blk */

static struct sim_vblk *vblk_machine(uint64_t *rsdp)
{
	*rsdp = boot();
	return sim_vblk_add(4, 0x6000, 0xC0004000, SECTORS);
}

static void scenario_virtio(void)
{
	uint64_t rsdp;
	struct sim_vblk *v = vblk_machine(&rsdp);

	pci_init(rsdp);
	struct blk_dev *d = blk_find("vblk0");
	assert_non_null(d);
	assert_int_equal(d->sectors, SECTORS);
	assert_int_equal(d->sector_size, 512);
	assert_int_equal(d->flags & BLK_POLLED, 0);
	assert_int_equal(v->queue_vector, 0);
	assert_true(v->status & VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(dma_pages_in_use(), 4); /* the 3-page queue and the request page */
	assert_logged("vblk0: virtio-blk 00:04.0 (legacy, I/O 0x6000): 4096 sectors (2 MiB), queue "
		      "of 256, 8 slots, MSI-X vector 0x30; features 0x00000004, taken 0x00000000\n");
	d->flags &= ~BLK_READONLY; /* write the raw disk in this test */
	round_trip(d, &v->disk, 10, 1, 0);          /* boot context: polled */
	current = &sleeper;                        /* a task: sleeps, the MSI-X wakes it */
	unsigned sleeps = sim_sleeps;
	round_trip(d, &v->disk, 100, BLK_REQ_MAX_PAGES, 512);
	assert_true(sim_sleeps > sleeps);
	assert_true(irq_vector_count(0x30) >= 2);

	/* an error: IOERR, retried, then -EIO */
	v->disk.bad_read = 2000;
	pfn_t p = page();
	unsigned before = v->disk.commands;
	assert_int_equal(blk_rw(d, BLK_READ, 2000, 8, &p, 1, 0), -EIO);
	assert_int_equal(v->disk.commands - before, 1 + BLK_RETRIES);
	assert_logged("vblk0: read of 8 sectors at 2000: device status 1 (IOERR)\n");

	/* it stops answering: a reset, the request ends -ETIMEDOUT, and the
	 * device works again */
	v->disk.hang = 1;
	unsigned resets = v->disk.resets;
	assert_int_equal(blk_rw(d, BLK_READ, 0, 8, &p, 1, 0), -ETIMEDOUT);
	assert_int_equal(v->disk.resets, resets + 1);
	v->disk.hang = 0;
	assert_true(v->status & VIRTIO_STATUS_DRIVER_OK);
	round_trip(d, &v->disk, 300, 2, 0);
	assert_int_equal(blk_inflight(), 0);
	assert_int_equal(v->disk.violations, 0);
	assert_int_equal(hwsim_stray, 0);
	page_ref_dec(p);
}

/* A read-only device is a read-only medium; a queue of size 0 skips the
 * device, leaving no DMA memory behind. */
static void scenario_virtio_refusals(void)
{
	uint64_t rsdp;
	struct sim_vblk *v = vblk_machine(&rsdp);

	v->host_features |= 1u << VIRTIO_BLK_F_RO;
	struct sim_vblk *w = sim_vblk_add(5, 0x6080, 0xC0005000, SECTORS);
	w->qsize = 0;
	pci_init(rsdp);
	assert_true(blk_find("vblk0")->flags & BLK_MEDIA_RO);
	assert_int_equal(v->guest_features, 1u << VIRTIO_BLK_F_RO);
	assert_null(blk_find("vblk1"));
	assert_logged("vblk1: virtio-blk 00:05.0: queue 0 has no power-of-two size: skipped\n");
	assert_int_equal(dma_pages_in_use(), 4);
	assert_string_equal(pci_get(1)->note, "vblk1: skipped: queue 0 has no power-of-two size");
	assert_false(cfg16(w->dev, PCI_COMMAND) & PCI_COMMAND_MASTER);
}

/* ------------------------------------------------------------- AHCI */

static const enum sim_port_kind ports_usual[SIM_AHCI_PORTS] = { SIM_PORT_ATA, SIM_PORT_EMPTY,
								 SIM_PORT_ATAPI, SIM_PORT_ATA };

static void scenario_ahci(void)
{
	uint64_t rsdp = boot();
	struct sim_ahci *a = sim_ahci_add(0x1f, 0xC0006000, ports_usual, SECTORS);

	a->cap2 = AHCI_CAP2_BOH;
	a->bohc = AHCI_BOHC_BOS | AHCI_BOHC_BB;
	a->bios_busy = 3;
	pci_init(rsdp);
	assert_logged("ahci 00:1f.0: BIOS/OS handoff: ours\n");
	assert_false(a->bohc & AHCI_BOHC_BOS);
	assert_true(a->ghc & AHCI_GHC_AE);
	assert_true(a->ghc & AHCI_GHC_IE);
	struct blk_dev *d0 = blk_find("ahci0"), *d1 = blk_find("ahci1");
	assert_non_null(d0);
	assert_non_null(d1);
	assert_null(blk_find("ahci2"));
	assert_int_equal(d0->sectors, SECTORS);
	assert_logged("ahci0: port 0 of ahci 00:1f.0: 'SIM SATA DISK', 4096 sectors of 512 bytes "
		      "(2 MiB), MSI vector 0x30\n");
	assert_logged("ahci1: port 3 of ahci 00:1f.0: 'SIM SATA DISK'");
	assert_logged("ahci 00:1f.0: port 2: an ATAPI device (CD/DVD): skipped\n");
	/* our own command list, not the firmware's */
	assert_int_not_equal(a->port[0].clb, 0x7000);
	assert_int_equal(a->port[1].clb, 0x7000); /* an empty port keeps its, stopped */
	assert_int_equal(a->port[1].cmd & (PORT_CMD_ST | PORT_CMD_FRE), 0);

	d1->flags &= ~BLK_READONLY;
	round_trip(d1, &a->port[3].disk, 7, 1, 0);
	current = &sleeper;
	round_trip(d1, &a->port[3].disk, 64, BLK_REQ_MAX_PAGES, 1024);
	assert_true(irq_vector_count(0x30) >= 2);

	/* a task file error: -EIO after the retries, the port recovered */
	a->port[3].disk.bad_write = 500;
	pfn_t p = page();
	assert_int_equal(blk_rw(d1, BLK_WRITE, 496, 8, &p, 1, 0), -EIO);
	assert_logged("ahci1: write of 8 sectors at 496: task file error (status 0x41, error 0x04, "
		      "PxIS 0x40000001)\n");
	a->port[3].disk.bad_write = -1;
	round_trip(d1, &a->port[3].disk, 496, 1, 0);

	/* no answer: the port is stopped and started again */
	a->port[3].disk.hang = 1;
	assert_int_equal(blk_rw(d1, BLK_READ, 0, 8, &p, 1, 0), -ETIMEDOUT);
	a->port[3].disk.hang = 0;
	round_trip(d1, &a->port[3].disk, 8, 1, 0);
	for (unsigned n = 0; n < SIM_AHCI_PORTS; n++)
		assert_int_equal(a->port[n].disk.violations, 0);
	assert_int_equal(blk_inflight(), 0);
	assert_int_equal(hwsim_stray, 0);
	page_ref_dec(p);
}

/* Without MSI (no local APIC), the disks are polled at each tick. With
 * staggered spin-up, a link comes up only once the driver sets SUD. */
static void scenario_ahci_polled(void)
{
	uint64_t rsdp = boot();
	hwsim_no_lapic();
	struct sim_ahci *a = sim_ahci_add(0x1f, 0xC0006000, ports_usual, SECTORS);
	a->sss = 1;
	pci_init(rsdp);
	assert_true(a->port[0].cmd & PORT_CMD_SUD);
	assert_non_null(blk_find("ahci1"));
	struct blk_dev *d = blk_find("ahci0");
	assert_true(d->flags & BLK_POLLED);
	assert_false(a->ghc & AHCI_GHC_IE);
	assert_logged("(2 MiB), polled\n");
	d->flags &= ~BLK_READONLY;
	round_trip(d, &a->port[0].disk, 3, 1, 0);
}

/* ------------------------------------------------------------- NVMe */

static void scenario_nvme(void)
{
	uint64_t rsdp = boot();
	struct sim_nvme *n = sim_nvme_add(5, 0xC0010000, SECTORS);

	pci_init(rsdp);
	struct blk_dev *d = blk_find("nvme0n1");
	assert_non_null(d);
	assert_int_equal(d->sectors, SECTORS);
	assert_logged("nvme0: NVMe 1.4 00:05.0: 'SIM NVMe'\n");
	assert_logged("nvme0n1: namespace 1: 4096 blocks of 512 bytes (2 MiB), MSI-X vector 0x30\n");
	assert_true(n->cq[1].exists && n->sq[1].exists && n->cq[1].ien);
	d->flags &= ~BLK_READONLY;
	round_trip(d, &n->disk, 1, 1, 0);
	round_trip(d, &n->disk, 9, 2, 0);                       /* PRP2 is the second page */
	round_trip(d, &n->disk, 40, BLK_REQ_MAX_PAGES, 2048);   /* a PRP list */
	current = &sleeper;
	round_trip(d, &n->disk, 200, 3, 4);
	assert_true(irq_vector_count(0x30) >= 1);

	n->disk.bad_read = 3000;
	pfn_t p = page();
	assert_int_equal(blk_rw(d, BLK_READ, 2999, 8, &p, 1, 0), -EIO);
	assert_logged("nvme0n1: read of 8 sectors at 2999: status 2/0x81 (unrecovered read error)\n");
	n->disk.bad_read = -1;

	n->disk.hang = 1;
	unsigned resets = n->disk.resets;
	assert_int_equal(blk_rw(d, BLK_READ, 0, 8, &p, 1, 0), -ETIMEDOUT);
	assert_int_equal(n->disk.resets, resets + 1);
	n->disk.hang = 0;
	round_trip(d, &n->disk, 500, 4, 0);
	assert_int_equal(n->disk.violations, 0);
	assert_int_equal(blk_inflight(), 0);
	assert_int_equal(hwsim_stray, 0);
	page_ref_dec(p);
}

/* BAR0 above 4 GiB (OVMF's habit under QEMU's default CPU): reported,
 * skipped, nothing left allocated. */
static void scenario_nvme_above_4g(void)
{
	uint64_t rsdp = boot();
	sim_nvme_add(5, 0xE000000000ull, SECTORS);
	pci_init(rsdp);
	assert_null(blk_find("nvme0n1"));
	assert_logged("nvme0: BAR0 at 0xe000000000 (16 KiB) is above 4 GiB, out of reach of 32-bit "
		      "paging\n");
	assert_logged("nvme0: NVMe 00:05.0: its registers are out of reach: skipped\n");
	assert_int_equal(dma_pages_in_use(), 0);
	assert_string_equal(pci_get(0)->note,
			    "skipped: BAR0 above 4 GiB, out of reach of 32-bit paging");
}

#define FORKED(name)                                                                     \
	static void test_##name(void **state)                                            \
	{                                                                                \
		(void)state;                                                             \
		run_forked(scenario_##name);                                             \
	}
FORKED(enumeration)
FORKED(config_space)
FORKED(no_mcfg)
FORKED(ecam_only)
FORKED(msi)
FORKED(msi_no_lapic)
FORKED(virtio)
FORKED(virtio_refusals)
FORKED(ahci)
FORKED(ahci_polled)
FORKED(nvme)
FORKED(nvme_above_4g)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_enumeration, child_teardown),
		cmocka_unit_test_teardown(test_config_space, child_teardown),
		cmocka_unit_test_teardown(test_no_mcfg, child_teardown),
		cmocka_unit_test_teardown(test_ecam_only, child_teardown),
		cmocka_unit_test_teardown(test_msi, child_teardown),
		cmocka_unit_test_teardown(test_msi_no_lapic, child_teardown),
		cmocka_unit_test_teardown(test_virtio, child_teardown),
		cmocka_unit_test_teardown(test_virtio_refusals, child_teardown),
		cmocka_unit_test_teardown(test_ahci, child_teardown),
		cmocka_unit_test_teardown(test_ahci_polled, child_teardown),
		cmocka_unit_test_teardown(test_nvme, child_teardown),
		cmocka_unit_test_teardown(test_nvme_above_4g, child_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
