/*
 * test_blk.c - the block layer (core/blk/blk.c) over memory-backed disks
 * (test/host/sim/memdisk.c): request checks, partition windows, the two
 * ways of waiting (a task sleeps, the boot context polls), retries,
 * timeouts, the tick's watchdog and a disk given up.
 *
 * blk.c is included whole, so each test starts from its boot state. The
 * TSC is simulated (test/host/sim/arch/tsc.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <arch/mmu_ops.h>

#include "core/blk/blk.c"
#include "test/host/sim/memdisk.h"
#include "test/host/sim/sim.h"

#define PAGES 1024
#define LOW 512
#define TSC_KHZ 1 /* timeouts of BLK_TIMEOUT_MS simulated ticks */

static struct memdisk md[3];
static struct task sleeper = { .pid = 2, .name = "sleeper" };

static void blk_state_reset(void)
{
	devs_head = devs_tail = 0;
	npartitions = 0;
	total_inflight = 0;
}

static void run_all(void)
{
	for (unsigned i = 0; i < 3; i++)
		memdisk_run(&md[i]);
}

static int setup(void **state)
{
	(void)state;
	sim_boot(PAGES, LOW);
	log_level = LOG_NORMAL;
	blk_state_reset();
	blk_init(TSC_KHZ);
	sim_tsc = 0;
	sim_tsc_step = 1;
	sim_sleeps = sim_wakes = 0;
	sim_interrupt = run_all;
	need_resched = 0;
	current = 0; /* the boot context */
	for (unsigned i = 0; i < 3; i++) {
		char name[8];
		snprintf(name, sizeof name, "md%u", i);
		memdisk_init(&md[i], name, 512, 4096); /* 2 MiB each */
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 3; i++)
		memdisk_free(&md[i]);
	current = 0;
	return 0;
}

static int logged(const char *part)
{
	return strstr(sim_log, part) != NULL;
}

#define assert_logged(part)                                                              \
	do {                                                                             \
		if (!logged(part))                                                       \
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

/* ------------------------------------------------------------ checks */

static void test_requests_checked(void **state)
{
	pfn_t p = page();

	(void)state;
	blk_register(&md[0].dev);
	struct blk_dev *part = blk_add_partition(&md[0].dev, "md0p1", 100, 50, 0);
	struct blk_dev *ro = blk_add_partition(&md[0].dev, "md0p2", 200, 50, BLK_READONLY);
	pfn_t two[2] = { p, p };

	assert_int_equal(blk_rw(part, BLK_READ, 0, 0, &p, 1, 0), -EINVAL);          /* no sectors */
	assert_int_equal(blk_rw(part, BLK_READ, 50, 1, &p, 1, 0), -EINVAL);         /* past the end */
	assert_int_equal(blk_rw(part, BLK_READ, 45, 8, &p, 1, 0), -EINVAL);         /* runs past */
	assert_int_equal(blk_rw(part, BLK_READ, ~0ull - 2, 8, &p, 1, 0), -EINVAL);  /* wraps */
	assert_int_equal(blk_rw(part, BLK_READ, 0, 9, &p, 1, 0), -EINVAL);          /* page short */
	assert_int_equal(blk_rw(part, BLK_READ, 0, 8, two, 2, 0), -EINVAL);         /* page spare */
	assert_int_equal(blk_rw(part, BLK_READ, 0, 1, &p, 1, 2), -EINVAL);          /* misaligned */
	assert_int_equal(blk_rw(part, BLK_READ, 0, 1, &p, 1, PGSIZE), -EINVAL);
	assert_int_equal(blk_rw(part, BLK_READ, 0, 1, &p, BLK_REQ_MAX_PAGES + 1, 0), -EINVAL);
	assert_int_equal(blk_rw(part, BLK_READ, 0, 1, NULL, 1, 0), -EINVAL);
	assert_int_equal(blk_rw(ro, BLK_WRITE, 0, 8, &p, 1, 0), -EROFS);
	assert_int_equal(blk_rw(&md[0].dev, BLK_WRITE, 0, 8, &p, 1, 0), -EROFS); /* a whole disk */
	assert_int_equal(md[0].submits, 0);
	assert_int_equal(blk_rw(part, BLK_READ, 49, 1, &p, 1, 4092 - 508), 0);
	assert_int_equal(md[0].submits, 1);
	assert_int_equal(blk_inflight(), 0);
	page_ref_dec(p);
}

/* A partition's request reaches its disk at lba + start, and comes back
 * with its own lba; both count it. */
static struct blk_req seen;
static void note_done(struct blk_req *r)
{
	seen = *r;
}

static void test_partition_window(void **state)
{
	pfn_t p = page();
	struct blk_req r;

	(void)state;
	blk_register(&md[0].dev);
	struct blk_dev *part = blk_add_partition(&md[0].dev, "md0p1", 100, 50, 0);
	memset(bytes(p), 0x77, PGSIZE);
	memset(&r, 0, sizeof r);
	r = (struct blk_req){ .dev = part, .op = BLK_WRITE, .lba = 3, .count = 8, .npages = 1,
			      .done = note_done };
	r.pages[0] = p;
	assert_int_equal(blk_submit(&r), 0);
	assert_int_equal(seen.status, 0);
	assert_ptr_equal(seen.dev, part);
	assert_int_equal(seen.lba, 3);
	assert_int_equal(md[0].data[103 * 512], 0x77);
	assert_int_equal(md[0].data[103 * 512 - 1], 0);
	assert_int_equal(md[0].data[111 * 512], 0);
	assert_int_equal(part->writes, 1);
	assert_int_equal(part->sectors_written, 8);
	assert_int_equal(md[0].dev.writes, 1);
	assert_ptr_equal(blk_disk_of(part), &md[0].dev);
	assert_ptr_equal(blk_find("md0p1"), part);
	assert_null(blk_find("md0p9"));
	page_ref_dec(p);
}

/* ---------------------------------------------------------- waiting */

/* The boot context polls: an asynchronous disk completes in its poll. */
static void test_boot_context_polls(void **state)
{
	pfn_t p = page();

	(void)state;
	md[0].async = 1;
	blk_register(&md[0].dev);
	memset(md[0].data + 512 * 16, 0x3C, 4096);
	assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 16, 8, &p, 1, 0), 0);
	assert_int_equal(bytes(p)[4095], 0x3C);
	assert_true(md[0].polls >= 1);
	assert_int_equal(sim_sleeps, 0);
	page_ref_dec(p);
}

/* A task sleeps; the "interrupt" completes the request and wakes it, and
 * asks for a switch so that it runs at once. */
static void test_task_sleeps(void **state)
{
	pfn_t p = page();

	(void)state;
	current = &sleeper;
	md[0].async = 1;
	blk_register(&md[0].dev);
	md[0].data[0] = 0x99;
	assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 0, 8, &p, 1, 0), 0);
	assert_int_equal(bytes(p)[0], 0x99);
	assert_int_equal(sim_sleeps, 1);
	assert_int_equal(sim_wakes, 1);
	assert_int_equal(need_resched, 1);
	assert_int_equal(md[0].polls, 0);
	page_ref_dec(p);
}

/* ---------------------------------------------------------- failures */

static void test_retry_then_success(void **state)
{
	pfn_t p = page();

	(void)state;
	blk_register(&md[0].dev);
	memdisk_fail(&md[0], BLK_READ, 5, BLK_RETRIES);
	assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 0, 8, &p, 1, 0), 0);
	assert_int_equal(md[0].dev.retries, BLK_RETRIES);
	assert_int_equal(md[0].dev.errors, 0);
	assert_false(logged("failed"));
	page_ref_dec(p);
}

static void test_error_after_retries(void **state)
{
	pfn_t p = page();

	(void)state;
	blk_register(&md[0].dev);
	struct blk_dev *part = blk_add_partition(&md[0].dev, "md0p1", 100, 50, 0);
	memdisk_fail(&md[0], BLK_WRITE, 105, -1);
	assert_int_equal(blk_rw(part, BLK_WRITE, 0, 8, &p, 1, 0), -EIO);
	assert_int_equal(md[0].submits, 1 + BLK_RETRIES);
	assert_int_equal(part->errors, 1);
	assert_int_equal(md[0].dev.errors, 1);
	assert_int_equal(part->sectors_written, 0);
	assert_logged("blk: md0p1: write of 8 sectors at 0 failed: I/O error (-5), after retries\n");
	assert_int_equal(blk_inflight(), 0);
	page_ref_dec(p);
}

/* A failing disk gets BLK_ERROR_LOG_MAX lines, then only counts. */
static void test_error_lines_limited(void **state)
{
	pfn_t p = page();

	(void)state;
	blk_register(&md[0].dev);
	memdisk_fail(&md[0], BLK_READ, 0, -1);
	for (int i = 0; i < 20; i++)
		assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 0, 1, &p, 1, 0), -EIO);
	assert_int_equal(md[0].dev.errors, 20);
	unsigned lines = 0;
	for (const char *s = sim_log; (s = strstr(s, "blk: md0: read")); s++)
		lines++;
	assert_int_equal(lines, BLK_ERROR_LOG_MAX);
	assert_logged("; further errors counted, not logged");
	page_ref_dec(p);
}

/* A disk that never answers is reset after BLK_TIMEOUT_MS; the request
 * ends -ETIMEDOUT; after BLK_MAX_TIMEOUTS in a row it is given up. */
static void test_timeouts_give_up(void **state)
{
	pfn_t p = page();

	(void)state;
	md[0].hang = 1;
	blk_register(&md[0].dev);
	for (int i = 1; i <= BLK_MAX_TIMEOUTS; i++) {
		uint64_t start = sim_tsc;
		assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 0, 8, &p, 1, 0), -ETIMEDOUT);
		assert_true(sim_tsc - start >= (uint64_t)TSC_KHZ * BLK_TIMEOUT_MS);
		assert_int_equal(md[0].resets, i);
		assert_int_equal(md[0].dev.timeouts, i);
	}
	assert_true(md[0].dev.flags & BLK_GONE);
	assert_logged("blk: md0: no answer for 10000 ms with 1 request in flight: resetting it");
	assert_logged("blk: md0: given up (no answer after resets): its requests fail from now on");
	assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 0, 8, &p, 1, 0), -ENODEV);
	assert_int_equal(md[0].submits, BLK_MAX_TIMEOUTS);
	assert_int_equal(blk_inflight(), 0);
	page_ref_dec(p);
}

/* A completion between two timeouts starts the count again. */
static void test_timeout_count_resets(void **state)
{
	pfn_t p = page();

	(void)state;
	blk_register(&md[0].dev);
	for (int i = 0; i < 2 * BLK_MAX_TIMEOUTS; i++) {
		md[0].hang = 1;
		assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 0, 8, &p, 1, 0), -ETIMEDOUT);
		md[0].hang = 0;
		assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 0, 8, &p, 1, 0), 0);
	}
	assert_false(md[0].dev.flags & BLK_GONE);
	page_ref_dec(p);
}

static void test_failed_reset_gives_up(void **state)
{
	pfn_t p = page();

	(void)state;
	md[0].hang = md[0].reset_fails = 1;
	blk_register(&md[0].dev);
	assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 0, 8, &p, 1, 0), -ETIMEDOUT);
	assert_true(md[0].dev.flags & BLK_GONE);
	assert_logged("blk: md0: given up (the reset failed)");
	page_ref_dec(p);
}

/* A sleeping task is not stranded by a dead disk either. */
static void test_task_timeout(void **state)
{
	pfn_t p = page();

	(void)state;
	current = &sleeper;
	md[0].hang = 1;
	blk_register(&md[0].dev);
	assert_int_equal(blk_rw(&md[0].dev, BLK_READ, 0, 8, &p, 1, 0), -ETIMEDOUT);
	assert_true(sim_sleeps >= 1);
	assert_int_equal(md[0].resets, 1);
	page_ref_dec(p);
}

/* The tick's watchdog: an asynchronous submitter's request ends too; a
 * polled disk is polled each tick while it holds requests. */
static void test_tick_watchdog_and_polling(void **state)
{
	pfn_t p = page();
	struct blk_req r;

	(void)state;
	md[0].hang = 1;
	md[1].async = 1;
	md[1].dev.flags = BLK_POLLED;
	blk_register(&md[0].dev);
	blk_register(&md[1].dev);
	blk_tick(); /* idle: nothing to do */
	assert_int_equal(md[1].polls, 0);
	r = (struct blk_req){ .dev = &md[0].dev, .op = BLK_READ, .count = 8, .npages = 1,
			      .done = note_done };
	r.pages[0] = p;
	seen.status = 1;
	assert_int_equal(blk_submit(&r), 0);
	blk_tick();
	assert_int_equal(seen.status, 1); /* not yet */
	sim_tsc += (uint64_t)TSC_KHZ * BLK_TIMEOUT_MS + 1;
	blk_tick();
	assert_int_equal(seen.status, -ETIMEDOUT);
	assert_int_equal(md[0].resets, 1);

	r = (struct blk_req){ .dev = &md[1].dev, .op = BLK_READ, .count = 8, .npages = 1,
			      .done = note_done };
	r.pages[0] = p;
	seen.status = 1;
	assert_int_equal(blk_submit(&r), 0);
	blk_tick();
	assert_int_equal(md[1].polls, 1);
	assert_int_equal(seen.status, 0);
	assert_int_equal(blk_inflight(), 0);
	page_ref_dec(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_requests_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partition_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_context_polls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_sleeps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_then_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_after_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_lines_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeouts_give_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_count_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_reset_gives_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_watchdog_and_polling, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
