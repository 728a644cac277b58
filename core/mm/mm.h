/*
 * mm.h - the memory manager: physical pages, address spaces, page faults.
 *
 * Physical pages (page.c) -- Linux 0.11's mem_map, done with a free list:
 *   pmm_alloc_page()   get_free_page(): O(1), zeroed on request
 *   page_ref_inc/dec() mem_map[]++ / free_page(): a page is freed when its
 *                      last reference goes
 * Address spaces (aspace.c, fork.c) -- a page directory plus a list of
 * areas (Linux's vm_area_struct list):
 *   vmm_create/destroy, vmm_map (no page yet), vmm_unmap, vmm_fork
 * Page faults (fault.c) -- demand-zero, the shared zero page, copy-on-write.
 * Checking (check.c, stats.c) -- the invariant checker and calc_mem.
 *
 * Everything here is architecture-neutral C over <arch/mmu.h> and
 * <arch/mmu_ops.h>, so it also builds on the host for the unit tests.
 */
#ifndef CORE_MM_MM_H
#define CORE_MM_MM_H

#include <arch/mmu.h>
#include <bootinfo.h>
#include <stdint.h>

/* ---------------------------------------------------------- physical pages */

/* One entry per physical page below the highest usable address. */
struct page {
	uint32_t refs; /* page-table entries + kernel owners pointing here */
	uint32_t link; /* free: next free pfn (0 ends the list); else a tag */
	/* The rest belongs to whoever owns the page now, as in Linux's
	 * struct page (seed note 004). Each owner uses only its own names. */
	uint32_t flags;   /* PG_* bits of the owner: referenced, dirty, ... */
	uint32_t lru_prev; /* a list by pfn (0 ends it): reclaim lists for user */
	uint32_t lru_next; /*   and cache pages, slab lists for slab pages */
	union {
		uint32_t private; /* free buddy block: its order */
		uint32_t swap_entry; /* swap cache: the slot it came from */
		void *slab_cache; /* slab page: its kmem_cache */
	};
	union {
		uint32_t mapping; /* page-cache page: its file (Linux: mapping) */
		void *s_mem;      /* slab page: its first object */
	};
	union {
		uint32_t index;   /* page-cache page: offset in the file, in pages */
		struct {
			uint16_t inuse;    /* slab page: objects handed out */
			uint16_t freelist; /* slab page: first free object (index) */
		};
	};
};
/* 32 bytes in the kernel: mem_map costs 0.8% of RAM, all of it in low
 * memory. (Host tests have 8-byte pointers.) */
_Static_assert(sizeof(void *) != 4 || sizeof(struct page) == 32,
	       "struct page must stay 32 bytes");

/* Tags in struct page.link for pages that are not free. */
#define PAGE_MAPPED 0xFFFFFFF0u  /* counted by PTEs: user pages */
#define PAGE_KERNEL 0xFFFFFFF1u  /* one kernel owner: kernel stacks, the zero page */
#define PAGE_PGDIR 0xFFFFFFF2u   /* a page directory, owned by one address space */
#define PAGE_PGTABLE 0xFFFFFFF3u /* a page table, counted by the PDEs pointing at it
				    (Linux: PageTable) */
#define PAGE_RESERVED 0xFFFFFFFFu /* never handed out: firmware, kernel image, holes */
#define PAGE_IS_FREE(p) ((p)->link < PAGE_MAPPED)

/* A count this high is a bug, not sharing: the increment refuses. */
#define PAGE_REFS_MAX 0x7FFFFFFFu

/* Allocation flags. */
#define PMM_ZERO 0x1u   /* zero the page (rep stosd) */
#define PMM_USER 0x2u   /* user data: prefer highmem, keep the low reserve */
#define PMM_TABLE 0x4u  /* page table: prefer lowmem, highmem allowed */
#define PMM_DIR 0x8u    /* page directory: lowmem only, keep the low reserve */
#define PMM_KERNEL 0x10u /* kernel data: lowmem only; may use the low reserve */

enum zone { ZONE_LOW, ZONE_HIGH, NZONES };

struct pmm_info {
	uint32_t max_pfn;         /* mem_map covers pfn 0 .. max_pfn-1 */
	uint32_t total;           /* pages the allocator manages */
	uint32_t free[NZONES];
	uint32_t managed[NZONES];
	uint32_t low_reserve;     /* low pages only PMM_KERNEL may take */
	uint32_t errors;          /* bad frees and overflowing counts */
	pfn_t zero_pfn;           /* the shared zero page */
};

extern struct page *mem_map;
extern struct pmm_info pmm;

/* Build mem_map from the firmware memory map (sorted), keeping the
 * loader's regions listed in keep[]. Returns 0, or -1 if no memory fits. */
int pmm_init(const struct bi_mem_range *map, uint32_t n, const struct bi_keep *keep,
	     uint32_t nkeep);
/* A page tagged use (PAGE_MAPPED, PAGE_KERNEL, PAGE_PGDIR, PAGE_PGTABLE) with refs = 1;
 * 0 when none is left. */
pfn_t pmm_alloc_page(unsigned flags, uint32_t use);
/* The page pmm_alloc_page(flags, ...) would return now (the head of a
 * free list), or 0; nothing changes. For the playground's next_free. */
pfn_t pmm_next_free(unsigned flags);

/* Reference counts, inline: every fault, fork and exit changes some. The
 * checks are all here; what they find goes to page_ref_bad(). */
int page_ref_bad(pfn_t pfn, const char *action);
void page_free(pfn_t pfn);

/* In use, so its count may change: in mem_map, neither free nor reserved
 * (pfn 0, "no page", is reserved). */
static inline int page_countable(pfn_t pfn)
{
	return pfn < pmm.max_pfn && !PAGE_IS_FREE(&mem_map[pfn]) &&
	       mem_map[pfn].link != PAGE_RESERVED;
}

/* Drop one reference; the page is freed at zero. Bad calls (free page,
 * reserved page, outside mem_map) are reported and counted, not obeyed. */
static inline int page_ref_dec(pfn_t pfn)
{
	if (!page_countable(pfn))
		return page_ref_bad(pfn, "free of");
	if (--mem_map[pfn].refs == 0)
		page_free(pfn);
	return 0;
}

/* Add one reference; refuses (and reports) at PAGE_REFS_MAX. */
static inline int page_ref_inc(pfn_t pfn)
{
	if (!page_countable(pfn) || mem_map[pfn].refs >= PAGE_REFS_MAX)
		return page_ref_bad(pfn, "reference to");
	mem_map[pfn].refs++;
	return 0;
}

static inline uint32_t page_refs(pfn_t pfn)
{
	return pfn < pmm.max_pfn ? mem_map[pfn].refs : 0;
}

uint32_t pmm_free_pages(void);
/* The tag of pfn's mem_map entry as a word: "free", "mapped", "kernel",
 * "zero-page", "page-directory", "page-table", "reserved" (or "outside"
 * past mem_map). What show page prints and `page <phys> <use>` tests. */
const char *pmm_use_name(pfn_t pfn);

/*
 * What a page is used for, as a picture colours it (core/view, the
 * report): the tag, refined by the count (a user page or a page table
 * held by more than one) and by the zero page. Read from mem_map alone,
 * so a picture of all memory is one pass over it, and nothing outside
 * core/mm looks inside struct page.
 *
 * A new kind of page (swap cache, page cache, slab, a buddy block...)
 * is one more value here, one more case in pmm_page_use(), and one more
 * row in the table of core/view/uses.c (the build fails without it).
 * The order is a rank: a picture cell that stands for several pages
 * shows the use of highest rank among them (free lowest, so one user
 * page among free ones shows). Insert a new use where its rank belongs.
 */
enum page_use {
	PAGE_USE_FREE,
	PAGE_USE_RESERVED,      /* firmware, the kernel image, holes */
	PAGE_USE_KERNEL,        /* kernel stacks and data */
	PAGE_USE_PGDIR,         /* page directories */
	PAGE_USE_PGTABLE,       /* page tables of one address space */
	PAGE_USE_PGTABLE_SHARED, /* page tables shared by fork (count > 1) */
	PAGE_USE_ZERO,          /* the shared zero page */
	PAGE_USE_USER,          /* user pages mapped once (anonymous) */
	PAGE_USE_SHARED,        /* user pages of count > 1 (copy-on-write) */
	PAGE_NUSES
};

/* The use of pfn; PAGE_USE_RESERVED past mem_map. Never fails. */
enum page_use pmm_page_use(pfn_t pfn);
/* Benchmarks: a user page held by the kernel (see page.c). */
pfn_t pmm_hold_page(pfn_t after);
#ifdef MM_SCAN_ALLOC
#define PMM_ALLOCATOR_NAME "scan" /* make MM_SCAN_ALLOC=1: comparison only */
#else
#define PMM_ALLOCATOR_NAME "free-list"
#endif

/* ----------------------------------------------------------- address spaces */

#define AREA_WRITE 0x1u
#define AREA_EXEC 0x2u  /* informational: non-PAE paging cannot forbid fetches */
#define AREA_NAME_MAX 8

#define AREAS_PER_SPACE 64 /* mmap/brk areas of one address space (Linux: max_map_count) */

struct area {
	vaddr_t start, end; /* [start, end), page aligned */
	uint32_t flags;
	char name[AREA_NAME_MAX]; /* "text", "data", "heap", "stack", "anon" */
	struct area *next;        /* sorted by start */
};

enum fault_kind {
	FAULT_DEMAND_ZERO, /* not present, write: a fresh zeroed page */
	FAULT_ZERO_PAGE,   /* not present, read: the shared zero page, read-only */
	FAULT_ZERO_COW,    /* write to the zero page: a fresh zeroed page */
	FAULT_COW_COPY,    /* write to a shared page: a private copy */
	FAULT_COW_REUSE,   /* write to a page we alone hold: made writable */
	FAULT_SPURIOUS,    /* nothing to fix: a stale TLB entry */
	FAULT_SEGV,        /* no area, forbidden access, or a kernel address */
	FAULT_OOM,         /* no page for the data or its page table */
	FAULT_NKINDS
};

struct mm_counters {
	uint32_t faults[FAULT_NKINDS];
	uint32_t table_copies; /* a fork-shared page table copied on a write */
	uint32_t table_reuses; /* ... or taken over by its last user */
	uint32_t tlb_invlpg, tlb_full;
};

struct aspace {
	pde_t *pd; /* page directory, always in lowmem; shared by all 0.11-mode spaces */
	pfn_t pd_pfn;
	vaddr_t base;  /* linear address of its segments' offset 0: 0, or its 0.11 slot's */
	vaddr_t end;   /* its areas lie in [base + USER_BASE, end): USER_TOP, or the slot's end */
	uint32_t slot; /* Linux 0.11 mode: its slot nr (1..LINUX011_SLOTS); 0: flat, own directory */
	struct area *areas;
	struct area *cache; /* the area the last lookup found */
	uint32_t rss;       /* present user PTEs reachable from pd */
	uint32_t nareas;    /* at most AREAS_PER_SPACE */
	uint32_t id;
	struct mm_counters counters;
	struct aspace *next_all;
};

extern struct mm_counters mm_counters; /* all address spaces together */
extern struct aspace *vmm_current;     /* the space CR3 points at, or NULL */
extern int mm_fork_mode; /* enum fork_mode (config.h): share or copy tables */

void vmm_init(void);
/* A page directory: an empty user half and the kernel's half, count 1
 * (PAGE_PGDIR). Every directory is made here, so that the kernel half is
 * set up in one place. 0 when no page is left. */
pfn_t vmm_pgdir_alloc(void);
struct aspace *vmm_create(void);
void vmm_destroy(struct aspace *as);
/* Make as the running address space (NULL: the kernel's own directory). */
void vmm_activate(struct aspace *as);
/* Add an area; no page is allocated until touched. 0, or -EINVAL (not
 * page aligned, or no length), -EFAULT (outside as's window: user space
 * or the 0.11 slot), -EEXIST (overlaps an area), -ENOMEM (as holds
 * AREAS_PER_SPACE areas already). */
int vmm_map(struct aspace *as, vaddr_t start, uint32_t len, uint32_t flags, const char *name);
/* Remove [start, start+len): pages, empty page tables, area parts. */
int vmm_unmap(struct aspace *as, vaddr_t start, uint32_t len);
/* Grow or shrink an area in place (brk); shrinking frees the pages. */
int vmm_resize(struct aspace *as, struct area *a, vaddr_t new_end);
struct area *vmm_find_area_walk(struct aspace *as, vaddr_t va);

/* The area holding va, or NULL. Its last answer is checked first, inline:
 * a task faulting through an array, or copying to a buffer, asks about
 * the same area again and again. */
static inline struct area *vmm_find_area(struct aspace *as, vaddr_t va)
{
	struct area *a = as->cache;

	if (a && va >= a->start && va < a->end)
		return a;
	return vmm_find_area_walk(as, va);
}

/* Copy for fork: every present page shared read-only, counted once more.
 * A 0.11-mode parent gets a 0.11-mode child, in another slot (linux011.c). */
struct aspace *vmm_fork(struct aspace *parent);

/*
 * Linux 0.11 mode (linux011.c): every such space shares one page directory
 * and owns a 64 MiB slot of it, nr * 64 MiB; its segments (the task's LDT)
 * start there. 47 slots fit below the kernel's 3 GiB, slot 0 is never used.
 */
#define LINUX011_SLOT_SIZE 0x04000000u
#define LINUX011_SLOTS 47u
/* A new space in the lowest free slot. 0, or -EAGAIN (all slots taken),
 * -ENOMEM; *out is set on success only. */
int vmm_create_linux011(struct aspace **out);
/* The shared directory, 0 while no 0.11-mode space exists. */
pfn_t linux011_pgdir(void);
uint32_t linux011_slots_used(void);
/* The space that owns slot nr, or NULL. */
struct aspace *linux011_owner(uint32_t nr);

/* Is as's directory the one in CR3 (its TLB entries may be cached)? */
static inline int vmm_is_live(const struct aspace *as)
{
	return as == vmm_current || (vmm_current && vmm_current->pd_pfn == as->pd_pfn);
}
/* CR3 writes vmm_activate() made: a switch between two 0.11-mode tasks
 * makes none. */
extern uint32_t vmm_cr3_loads;
/* Copy bytes into as at va, allocating private pages as needed (the
 * program loader uses it; rights of the area are not checked). */
int vmm_load(struct aspace *as, vaddr_t va, const void *src, uint32_t len);
/* Read bytes of as at va from the kernel; -1 if a page is not present. */
int vmm_peek(struct aspace *as, vaddr_t va, void *dst, uint32_t len);

/* The page-fault decision tree (fault.c). err uses PF_* bits. */
enum fault_kind vmm_fault(struct aspace *as, vaddr_t va, uint32_t err);
/* Why vmm_fault() said FAULT_SEGV, for the log line. */
const char *vmm_segv_reason(struct aspace *as, vaddr_t va, uint32_t err);
const char *fault_kind_name(enum fault_kind k);

/* The translation of va in as, entry by entry (for the playground). */
struct walk {
	pde_t pde;
	pte_t pte;       /* 0 when the PDE is not present */
	paddr_t pa;      /* valid when ok */
	int ok;          /* both levels present */
	pfn_t table_pfn; /* the page table, when the PDE is present */
};
void vmm_walk(struct aspace *as, vaddr_t va, struct walk *w);

/* Pages of as whose count says they are shared (refs > 1, or in a table
 * shared with another space). */
uint32_t vmm_shared_pages(struct aspace *as);
uint32_t vmm_table_pages(struct aspace *as);

/*
 * The TLB experiment (remap.c): va's PTE pointed at a copy of its page,
 * the word at va inverted, without invalidating; then invalidated, and
 * the old page, held meanwhile, let go. begin: 0, -EFAULT (no present
 * page at va in an area, or the word crosses the page's end), -ENOMEM.
 */
struct remap {
	struct aspace *as;
	vaddr_t va;
	pfn_t old;               /* held until vmm_remap_end */
	pfn_t new;               /* the copy the PTE points at now */
	uint32_t old_word, new_word;
};
enum remap_end { REMAP_INVLPG, REMAP_CR3, REMAP_GONE /* the space was destroyed */ };
int vmm_remap_begin(struct aspace *as, vaddr_t va, struct remap *r);
void vmm_remap_end(struct remap *r, enum remap_end how);

/* ---------------------------------------------------------------- checking */

/* Walk every address space and count, for each page, the entries that
 * point to it (a PAGE_KERNEL page has one more: its kernel owner, a
 * PAGE_PGDIR page one: its address space); compare with mem_map; check
 * the free lists and the totals. Prints one line per problem (up to a
 * limit); returns the number of problems. */
uint32_t mm_check(void);

/* calc_mem: free/total, per address space rss/shared/tables, counters. */
void mm_print_stats(void);
void mm_print_counters(const struct mm_counters *c, const char *prefix);

void mm_init_zero_page(void);
struct aspace *vmm_first(void);

#endif
