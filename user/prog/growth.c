/*
 * growth.c - memory that grows by demand-zero reads zero: the heap
 * (sbrk), the stack (deep recursion), anonymous mmap; and shrinking or
 * unmapping really gives the pages back.
 */
#include <ulib.h>

#define PAGES 64

static int all_zero(volatile uint32_t *p, int pages)
{
	for (int i = 0; i < pages * 1024; i += 97)
		if (p[i])
			return 0;
	return 1;
}

static void fill(volatile uint32_t *p, int pages)
{
	for (int i = 0; i < pages; i++)
		p[i * 1024] = 0xDEAD0000u + (uint32_t)i;
}

static void heap(void)
{
	struct pg_mm_stat a, b;

	volatile uint32_t *p = sbrk(PAGES * 4096);
	tap(p != (void *)-1, "sbrk(%d pages) grows the heap", PAGES);
	mm_stat(&a);
	tap(all_zero(p, PAGES), "new heap reads zero");
	fill(p, PAGES);
	mm_stat(&b);
	tap_eq(b.my_faults[0] + b.my_faults[2] - a.my_faults[0] - a.my_faults[2], PAGES,
	       "each heap page took one demand-zero (or zero-cow) fault");
	uint32_t free_before = b.free_pages;
	sbrk(-PAGES * 4096);
	mm_stat(&b);
	tap(b.free_pages >= free_before + PAGES, "shrinking the heap frees its pages (%u -> %u)",
	    free_before, b.free_pages);
	p = sbrk(PAGES * 4096);
	tap(all_zero(p, PAGES), "the heap grown again reads zero, not old data");
	sbrk(-PAGES * 4096);
}

static __attribute__((noinline)) int untouched_zero(volatile uint32_t *p)
{
	int zero = 1;

	for (int i = 0; i < 1024; i += 64)
		zero &= p[i] == 0;
	return zero;
}

/* Each level takes a fresh page of stack below the last; the top levels
 * may reuse stack that earlier calls dirtied, so only deeper ones count. */
static int deep(int depth)
{
	volatile uint32_t frame[1024];
	int zero = depth > 45 || untouched_zero(frame);

	frame[0] = (uint32_t)depth;
	return depth ? zero & deep(depth - 1) : zero;
}

static void anon(void)
{
	volatile uint32_t *p = mmap(0, PAGES * 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS);
	tap(p != MAP_FAILED, "mmap of %d anonymous pages", PAGES);
	tap(all_zero(p, PAGES), "anonymous memory reads zero");
	fill(p, PAGES);
	tap_eq(munmap((void *)p, PAGES * 4096), 0, "munmap");
	int status, pid = fork();
	if (pid == 0) {
		(void)p[0]; /* unmapped: must die */
		exit(0);
	}
	waitpid(pid, &status, 0);
	tap_eq(W_TERM(status), TERM_SEGV, "touching unmapped memory kills (status 0x%x)", status);
}

int main(void)
{
	heap();
	tap(deep(48), "a stack grown 48 pages deep reads zero in every new frame");
	anon();
	return 0;
}
