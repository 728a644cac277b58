/*
 * stress.c - random fork / exit / wait / read / write / sbrk, thousands of
 * operations over a tree of tasks. Every task keeps a shadow of what each
 * of its heap pages must hold; a child first checks that everything it
 * inherited is what its parent had at the fork, then goes its own way.
 * Exit codes carry error counts up the tree. arg: bits 0-15 seed, bit 16
 * run the kernel's invariant checker after every operation.
 */
#include <ulib.h>

#define MAX_PAGES 24
#define MIN_PAGES 4
#define MAX_KIDS 3
#define MAX_DEPTH 2
#define ROOT_OPS 2000
#define CHILD_OPS 100
/* Percent of operations that fork, by depth: the tree stays a few
 * hundred tasks, not an exponential crowd. */
static const uint32_t fork_percent[MAX_DEPTH] = { 4, 2 };
#define CHECK_EVERY_STEP (1u << 16)

static uint32_t expect[MAX_PAGES]; /* forked along with the heap it describes */
static volatile uint32_t *heap;
static uint32_t pages, kids, depth, errors, ops_done, forks, check_every;
static int kid_pids[MAX_KIDS];

static uint32_t *word(uint32_t page)
{
	return (uint32_t *)&heap[page * 1024 + (page * 13) % 1024];
}

static void verify_all(void)
{
	for (uint32_t p = 0; p < pages; p++)
		if (*word(p) != expect[p])
			errors++;
}

static void reap(int pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !W_EXITED(status))
		errors++;
	else
		errors += W_EXITCODE(status);
	for (uint32_t k = 0; k < kids; k++)
		if (kid_pids[k] == pid) {
			kid_pids[k] = kid_pids[--kids];
			break;
		}
}

static void run(uint32_t seed, uint32_t ops);

static void do_fork(uint32_t *rng)
{
	uint32_t child_seed = rand_next(rng);
	int pid = fork();

	if (pid < 0)
		return; /* no memory: fine, try again later */
	if (pid == 0) {
		depth++;
		kids = 0;
		verify_all(); /* exactly what the parent had at fork time */
		run(child_seed, CHILD_OPS);
		while (kids)
			reap(kid_pids[0]);
		exit(errors > 255 ? 255 : (int)errors);
	}
	kid_pids[kids++] = pid;
	forks++;
}

/* The break moves without taking memory (pages come by demand-zero), so
 * sbrk never fails here: in a forked child as much as in the root. */
static void resize(int grow)
{
	if (grow && pages < MAX_PAGES) {
		if (sbrk(4096) != (void *)&heap[pages * 1024]) {
			errors++;
			return;
		}
		expect[pages] = 0;
		if (*word(pages) != 0)
			errors++; /* grown memory must read zero */
		pages++;
	} else if (!grow && pages > MIN_PAGES) {
		if (sbrk(-4096) != (void *)&heap[pages * 1024]) {
			errors++;
			return;
		}
		pages--;
	}
}

static void step(uint32_t *rng)
{
	uint32_t r = rand_next(rng) % 100, p = rand_next(rng) % pages;

	if (depth < MAX_DEPTH && r < fork_percent[depth]) {
		if (kids < MAX_KIDS)
			do_fork(rng);
	} else if (r < 35) {
		expect[p] = rand_next(rng) | 1;
		*word(p) = expect[p];
	} else if (r < 58) {
		errors += *word(p) != expect[p];
	} else if (r < 68) {
		if (kids)
			reap(kid_pids[rand_next(rng) % kids]);
	} else if (r < 78) {
		resize(1);
	} else if (r < 88) {
		resize(0);
	} else {
		sched_yield();
	}
}

static void run(uint32_t seed, uint32_t ops)
{
	uint32_t rng = seed * 2654435761u + 1;

	for (uint32_t i = 0; i < ops; i++) {
		step(&rng);
		ops_done++;
		if (check_every && mm_check())
			errors++;
	}
}

int main(uint32_t arg)
{
	check_every = arg & CHECK_EVERY_STEP;
	heap = sbrk(MIN_PAGES * 4096);
	if (heap == (void *)-1)
		return 1;
	pages = MIN_PAGES;
	run(arg & 0xFFFF, ROOT_OPS);
	while (kids)
		reap(kid_pids[0]);
	verify_all();
	tap_eq(errors, 0, "seed %u: root did %u operations and %u forks, children more (checker %s): no wrong value",
	       arg & 0xFFFF, ops_done, forks, check_every ? "after every step" : "at the end");
	return 0;
}
