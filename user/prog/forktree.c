/*
 * forktree.c - a tree (arg 0) or a chain (arg 1) of forks, several levels
 * deep. Every task writes its own id into a page and a pattern into a
 * heap buffer before forking; each child first checks that it inherited
 * exactly its parent's values, then writes its own. Exit codes count the
 * errors found below, so the root knows about every task.
 */
#include <ulib.h>

#define TREE_DEPTH 3 /* 2^3 leaves, 15 tasks */
#define CHAIN_DEPTH 8
#define HEAP_PAGES 8

static volatile uint32_t id_page[1024] __attribute__((aligned(4096)));
static volatile uint32_t *heap;

static void stamp(uint32_t id)
{
	id_page[0] = id;
	for (int i = 0; i < HEAP_PAGES; i++)
		heap[i * 1024] = id * 100 + (uint32_t)i;
}

static int inherited(uint32_t parent_id)
{
	if (id_page[0] != parent_id)
		return 0;
	for (int i = 0; i < HEAP_PAGES; i++)
		if (heap[i * 1024] != parent_id * 100 + (uint32_t)i)
			return 0;
	return 1;
}

static int node(uint32_t id, int depth, int fanout);

static int spawn_child(uint32_t id, uint32_t child_id, int depth, int fanout, int *pid)
{
	*pid = fork();
	if (*pid < 0)
		return 1;
	if (*pid == 0) {
		int errors = inherited(id) ? 0 : 1;
		exit(errors + node(child_id, depth - 1, fanout));
	}
	return 0;
}

/* Returns the number of errors in this subtree. */
static int node(uint32_t id, int depth, int fanout)
{
	int errors = 0, pids[2], status;

	stamp(id);
	if (depth == 0)
		return 0;
	for (int k = 0; k < fanout; k++)
		errors += spawn_child(id, id * 2 + (uint32_t)k, depth, fanout, &pids[k]);
	for (int k = 0; k < fanout; k++) {
		if (waitpid(pids[k], &status, 0) != pids[k] || !W_EXITED(status))
			errors++;
		else
			errors += W_EXITCODE(status);
	}
	if (id_page[0] != id) /* the children's writes never reach us */
		errors++;
	return errors;
}

int main(uint32_t chain)
{
	heap = sbrk(HEAP_PAGES * 4096);
	if (heap == (void *)-1)
		return tap(0, "sbrk for the heap buffer"), 1;
	int fanout = chain ? 1 : 2, depth = chain ? CHAIN_DEPTH : TREE_DEPTH;
	int errors = node(1, depth, fanout);
	tap_eq(errors, 0, "%s of depth %d: every task inherited its parent's values",
	       chain ? "chain" : "tree", depth);
	return 0;
}
