/*
 * threeway.c - three tasks share a page and write it in turn.
 * A forks B, B forks C; all three map one physical page. C writes first,
 * then B, then A, each waiting until it sees the previous writer's copy
 * happen: the number of address spaces mapping the page goes 3 -> 2 -> 1,
 * the last writer reuses the page in place, and every task keeps reading
 * its own value.
 */
#include <ulib.h>

static volatile uint32_t page[1024] __attribute__((aligned(4096)));

static uint32_t mapcount(void)
{
	struct pg_page_info info;

	page_info(page, &info);
	return info.mapcount;
}

/* Poll until the page is mapped by want spaces (a bounded wait). */
static int wait_mapcount(uint32_t want)
{
	for (int i = 0; i < 500; i++) {
		if (mapcount() == want)
			return 1;
		sleep_ticks(1);
	}
	return 0;
}

static int task_c(void)
{
	tap_eq(mapcount(), 3, "C: three spaces map the page before anyone writes");
	page[0] = 3;
	tap_eq(mapcount(), 1, "C: after its write C has a page of its own");
	sleep_ticks(5);
	return page[0] == 3 ? 0 : 1;
}

static int task_b(void)
{
	int status = -1;
	int c = fork();
	if (c == 0)
		exit(task_c());
	tap(wait_mapcount(2), "B: after C's write two spaces map the page");
	page[0] = 2;
	tap_eq(mapcount(), 1, "B: after its write B has a page of its own");
	waitpid(c, &status, 0);
	tap(status == 0 && page[0] == 2, "B: C kept its value, B kept its own");
	return page[0] == 2 ? 0 : 1;
}

int main(void)
{
	struct pg_mm_stat a, b;
	int status = -1;

	page[0] = 1;
	int pid = fork();
	if (pid == 0)
		exit(task_b());
	tap(wait_mapcount(1), "A: after B's write A alone maps the page");
	mm_stat(&a);
	mm_stat(&a);
	page[0] = 4;
	mm_stat(&b);
	tap_eq(b.my_faults[4] - a.my_faults[4], 1, "A: its write reuses the page");
	tap_eq(b.my_faults[3] - a.my_faults[3], 0, "A: and copies nothing");
	waitpid(pid, &status, 0);
	tap(status == 0 && page[0] == 4, "A: B and C exited cleanly, A kept its own value");
	return 0;
}
