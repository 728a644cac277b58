/*
 * forktest.c - fork and copy-on-write, seen from ring 3.
 *   1. parent and child write their own values to the same addresses and
 *      each reads back only its own, in both directions;
 *   2. COW reuse: once the child has exited, the parent's write to a page
 *      they shared reuses it (+1 reuse, +0 copy);
 *   3. a system call that writes into a COW-shared page gives the writer
 *      its own copy and leaves the other task's page unchanged;
 *   4. the break is inherited: the child's heap starts where the parent's
 *      ended, and it grows and shrinks its own.
 */
#include <ulib.h>

#define PAGES 4
#define WORDS (PAGES * 1024)

static volatile uint32_t data[WORDS] __attribute__((aligned(4096)));
static volatile uint32_t buffer[1024] __attribute__((aligned(4096)));

static int own_values(uint32_t base)
{
	for (int i = 0; i < PAGES; i++)
		if (data[i * 1024] != base + i)
			return 0;
	return 1;
}

static void write_values(uint32_t base)
{
	for (int i = 0; i < PAGES; i++)
		data[i * 1024] = base + i;
}

static void both_directions(void)
{
	int status = -1;

	write_values(100);
	int pid = fork();
	if (pid == 0) {
		int before = own_values(100);
		write_values(200);
		sleep_ticks(3); /* let the parent write in between */
		exit(before && own_values(200) ? 0 : 1);
	}
	tap(pid > 0, "fork returned the child's pid (%d)", pid);
	sleep_ticks(1);
	write_values(300);
	sleep_ticks(4);
	tap(own_values(300), "parent reads back only its own values after both wrote");
	int waited = waitpid(pid, &status, 0);
	tap(waited == pid && status == W_MAKE_EXIT(0),
	    "child read its inherited values, then only its own (status 0x%x)", status);
}

static void reuse_after_child_exit(void)
{
	struct pg_mm_stat a, b;
	int status;

	write_values(400);
	int pid = fork();
	if (pid == 0)
		exit(0);
	waitpid(pid, &status, 0);
	mm_stat(&a); /* the first write to the stack after the fork is a reuse too */
	mm_stat(&a);
	data[0] = 7;
	mm_stat(&b);
	tap_eq(b.my_faults[4] - a.my_faults[4], 1, "after the child exits: one cow-reuse fault");
	tap_eq(b.my_faults[3] - a.my_faults[3], 0, "after the child exits: no cow-copy");
}

static void syscall_writes_shared_page(void)
{
	struct pg_page_info info;
	int status;

	for (int i = 0; i < 1024; i++)
		buffer[i] = 0xC0FFEE00u + (uint32_t)i;
	int pid = fork();
	if (pid == 0) {
		struct pg_mm_stat before;
		mm_stat(&before);
		/* The kernel writes into our copy-on-write page (CR0.WP). */
		int rc = mm_stat((struct pg_mm_stat *)buffer);
		page_info(buffer, &info);
		int ok = rc == 0 && buffer[1] == before.total_pages && info.mapcount == 1;
		exit(ok ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap(status == W_MAKE_EXIT(0), "child's system call wrote into its own copy (status 0x%x)",
	    status);
	int intact = 1;
	for (int i = 0; i < 1024; i++)
		intact &= buffer[i] == 0xC0FFEE00u + (uint32_t)i;
	tap(intact, "the parent's page is unchanged by the child's system call");
}

static int child_heap(char *parent_break)
{
	if (sbrk(0) != parent_break || parent_break[-1] != 0x5a)
		return 1;
	char *more = sbrk(4096);
	if (more != parent_break || more[0] != 0 || more[4095] != 0)
		return 2; /* grown memory reads zero */
	more[0] = 1;
	if (sbrk(-8192) != parent_break + 4096 || sbrk(0) != parent_break - 4096)
		return 3;
	return 0;
}

static void heap_after_fork(void)
{
	int status = -1;
	char *old = sbrk(4096);

	tap(old != (void *)-1, "parent's sbrk(4096) at %p", (void *)old);
	old[4095] = 0x5a;
	char *brk_now = sbrk(0);
	int pid = fork();
	if (pid == 0)
		exit(child_heap(brk_now));
	waitpid(pid, &status, 0);
	tap(status == W_MAKE_EXIT(0),
	    "child's break is the parent's; its sbrk grows and shrinks (status 0x%x)", status);
	tap(sbrk(0) == brk_now && old[4095] == 0x5a,
	    "the parent's break and heap are its own after the child's");
	sbrk(-4096);
}

int main(void)
{
	both_directions();
	reuse_after_child_exit();
	syscall_writes_shared_page();
	heap_after_fork();
	return 0;
}
