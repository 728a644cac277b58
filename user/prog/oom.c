/*
 * oom.c - tasks grab memory until none is left. Three hogs each want 45%
 * of the free pages: the one whose fault finds no page is killed (out of
 * memory), its pages come back, and the other two finish.
 */
#include <ulib.h>

static int hog(uint32_t pages)
{
	volatile uint32_t *p = mmap(0, pages * 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS);
	if (p == MAP_FAILED)
		return 2;
	for (uint32_t i = 0; i < pages; i++) {
		p[i * 1024] = i;
		if (i % 256 == 0)
			sched_yield(); /* let the hogs grow side by side */
	}
	return 0;
}

int main(uint32_t pages)
{
	struct pg_mm_stat s;
	int pid[3], status, killed = 0, finished = 0;

	if (pages)
		return hog(pages);
	mm_stat(&s);
	uint32_t each = s.free_pages * 45 / 100;
	for (int i = 0; i < 3; i++)
		pid[i] = spawn("oom", each);
	for (int i = 0; i < 3; i++) {
		waitpid(pid[i], &status, 0);
		killed += W_TERM(status) == TERM_OOM;
		finished += status == 0;
	}
	tap_eq(killed, 1, "exactly one hog (of 3 x %u pages) was killed out of memory", each);
	tap_eq(finished, 2, "the other two finished");
	return 0;
}
