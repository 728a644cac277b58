/*
 * fork.c - copying an address space for fork.
 *
 * Linux 0.11's copy_page_tables() gives the child new page tables, copies
 * every entry, and write-protects each present page in both parent and
 * child, counting one more reference on it. That is fork_mode "copy"
 * here, and its cost grows with every resident page.
 *
 * The default, "share", goes one level up: the child's directory points at
 * the parent's page tables themselves. Each shared table gains a reference
 * and both PDEs lose PTE_W, which write-protects all 4 MiB the table maps
 * (the CPU ANDs the rights of PDE and PTE). Fork then costs one step per
 * table instead of one per page. The first write through such a PDE un-
 * shares that one table (table.c: table_make_private), doing then, lazily,
 * the per-page work copy mode does at fork -- only for tables that are
 * written. Page counts stay exact either way: a page's count is the number
 * of page-table entries pointing at it, and a shared table holds one
 * entry per page however many directories point at the table.
 *
 * A Linux 0.11-mode space forks the 0.11 way whatever the mode: its
 * child lives in another slot of the same directory (linux011.c).
 */
#include "core/log.h"
#include "core/mm/internal.h"

int mm_fork_mode = FORK_SHARE_TABLES;

struct fork_ctx {
	struct aspace *child;
	int failed;
};

static void share_table(struct aspace *parent, uint32_t pdx, void *p)
{
	struct fork_ctx *ctx = p;

	if (ctx->failed || page_ref_inc(PTE_PFN(parent->pd[pdx]))) {
		ctx->failed = 1;
		return;
	}
	parent->pd[pdx] &= ~PTE_W;
	ctx->child->pd[pdx] = parent->pd[pdx];
}

static void copy_table(struct aspace *parent, uint32_t pdx, void *p)
{
	struct fork_ctx *ctx = p;

	if (ctx->failed)
		return;
	if (table_is_shared(parent->pd[pdx]) && table_make_private(parent, pdx)) {
		ctx->failed = 1;
		return;
	}
	pfn_t new = table_copy_new(parent->pd[pdx]);
	if (!new) {
		ctx->failed = 1;
		return;
	}
	ctx->child->pd[pdx] = PFN_TO_PADDR(new) | PDE_USER_TABLE;
}

struct aspace *vmm_fork(struct aspace *parent)
{
	if (parent->slot)
		return linux011_fork(parent); /* another slot of the same directory */
	struct aspace *child = vmm_create();
	struct fork_ctx ctx = { child, 0 };

	if (!child)
		return NULL;
	if (areas_copy(parent, child)) {
		vmm_destroy(child);
		return NULL;
	}
	for_each_table(parent, mm_fork_mode == FORK_COPY_TABLES ? copy_table : share_table,
		       &ctx);
	child->rss = parent->rss;
	/* Parent entries lost PTE_W (in PDEs or PTEs): its TLB may still hold
	 * them writable. A whole space changed: one CR3 reload. */
	flush_all(parent, "fork");
	if (ctx.failed) {
		/* Tables copied so far hold their references: destroy counts them
		 * down. child->rss only matters until then. */
		vmm_destroy(child);
		return NULL;
	}
	return child;
}
