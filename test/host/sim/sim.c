/*
 * sim.c - the machine under the host tests: RAM as an array, a kernel
 * page directory, a log captured in memory, and the few kernel services
 * core/mm calls (current task, task_kill, exception fixups, the benchmark's
 * fault skip).
 */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arch/mmu_ops.h>

#include <arch/trap.h>

#include "core/log.h"
#include "core/kernel.h"
#include "core/report.h"
#include "core/task/bench.h"
#include "core/task/task.h"
#include "lib/fmt.h"

unsigned char *sim_ram;
uint32_t sim_ram_pages;
pfn_t lowmem_end_pfn;
uint32_t sim_invlpg, sim_full_flush, sim_kmaps;
paddr_t sim_cr3;
int log_level = LOG_QUIET;
unsigned char log_trace;
char sim_log[SIM_LOG_SIZE];
size_t sim_log_len;
static pde_t kernel_pd[NPDENTRIES];
struct task *current; /* the running task, as in core/task */
int sim_killed_term;
uint64_t sim_tsc, sim_tsc_step = 1; /* the TSC of test/host/sim/arch/tsc.h */

void sim_check_direct(paddr_t pa)
{
	if (pa >= PFN_TO_PADDR(lowmem_end_pfn)) {
		fprintf(stderr, "sim: direct-map access to highmem 0x%08x\n", pa);
		abort();
	}
}

void *kmap(enum kmap_slot slot, pfn_t pfn)
{
	(void)slot;
	if (pfn >= sim_ram_pages) {
		fprintf(stderr, "sim: kmap of pfn %u beyond RAM\n", pfn);
		abort();
	}
	sim_kmaps++;
	return sim_ram + PFN_TO_PADDR(pfn);
}

const pde_t *paging_kernel_pd(void)
{
	return kernel_pd;
}

/* pages of RAM, the first low_pages of them direct-mapped; page 0 and
 * the top `reserved` pages are firmware's. */
void sim_boot(uint32_t pages, uint32_t low_pages)
{
	free(sim_ram);
	sim_ram_pages = pages;
	sim_ram = aligned_alloc(PGSIZE, (size_t)pages * PGSIZE);
	memset(sim_ram, 0xA5, (size_t)pages * PGSIZE); /* garbage, as RAM is */
	lowmem_end_pfn = low_pages;
	for (uint32_t i = KERNEL_PDX; i < NPDENTRIES; i++)
		kernel_pd[i] = ((i - KERNEL_PDX) << 22) | PTE_P | PTE_W | PTE_PS;
	sim_invlpg = sim_full_flush = sim_kmaps = 0;
	sim_tlb_flush();
	sim_tlb_tolerate = 0;
	sim_tlb_stale = sim_tlb_hits = 0;
	sim_log_len = 0;
	sim_log[0] = 0;
	struct bi_mem_range map[2] = {
		{ 0, 1, 0, EFI_MEM_BS_CODE, 0 },
		{ PGSIZE, pages - 1, EFI_MEM_ATTR_WB, EFI_MEM_CONVENTIONAL, 0 },
	};
	if (pmm_init(map, 2, NULL, 0)) {
		fprintf(stderr, "sim: pmm_init failed\n");
		abort();
	}
	mm_init_zero_page();
	vmm_init();
	memset(&mm_counters, 0, sizeof mm_counters);
}

static void log_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n && sim_log_len + 1 < SIM_LOG_SIZE; i++)
		sim_log[sim_log_len++] = s[i];
	sim_log[sim_log_len] = 0;
	if (getenv("SIM_LOG"))
		fwrite(s, 1, n, stderr);
}

void kprintf(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	log_put(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
}

void klog(int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	log_put(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

void task_kill(struct task *t, int term)
{
	t->term = term;
	sim_killed_term = term;
}

int trap_has_fixup(uint32_t eip)
{
	return eip == SIM_FIXUP_EIP;
}

/* The report's record of a fault (core/report.c): counted, for the tests
 * that the fault path reports exactly when asked. */
uint32_t sim_reported_faults;

void report_fault(struct task *t, enum fault_kind kind, vaddr_t va, uint32_t err)
{
	(void)t;
	(void)kind;
	(void)va;
	(void)err;
	if (log_trace & LOG_TRACE_REPORT)
		sim_reported_faults++;
}

int bench_fault_skip(struct task *t, struct trapframe *tf)
{
	(void)t;
	(void)tf;
	return 0; /* no benchmark here: a fault that cannot be served kills */
}

void sim_clear_log(void)
{
	sim_log_len = 0;
	sim_log[0] = 0;
}

/*
 * The TLB and the paging-structure (PDE) cache, the way core/mm must
 * assume they behave. Entries are made only for present entries, on an
 * access (a real CPU may also make them speculatively, at any time); they
 * hold the address space that was current (a CR3 load drops them all:
 * user pages are never global). INVLPG drops the TLB entry of its page and
 * the PDE-cache entry of its 4 MiB (Intel drops every PDE-cache entry; the
 * model assumes only what both vendors promise). A page fault drops the
 * entries for the faulting address; the CPU may then walk to the same
 * address again (speculation, the handler's own code) and cache its PDE
 * anew, so the model does: a handler that changes that PDE must
 * invalidate it. Using an entry
 * that disagrees with the tables -- another page, a table no longer there,
 * or more rights than the tables now give -- is what a missing flush looks
 * like on hardware: the model reports it and aborts (or, when
 * sim_tlb_tolerate is set, counts it in sim_tlb_stale and uses the tables).
 * Fewer rights than the tables is allowed: the CPU faults, the handler
 * sees a spurious fault.
 */
#define TLB_SETS 512u /* direct-mapped by page number */
#define PDC_SETS 64u  /* direct-mapped by directory index */

struct tlb_entry {
	uint8_t valid, writable, dirty;
	uint32_t vpn;
	pfn_t pfn;
};

struct pdc_entry {
	uint8_t valid;
	uint32_t pdx;
	pde_t pde;
};

static struct tlb_entry tlb[TLB_SETS];
static struct pdc_entry pdc[PDC_SETS];
int sim_tlb_tolerate;
uint32_t sim_tlb_stale, sim_tlb_hits;

static struct tlb_entry *tlb_find(vaddr_t va)
{
	struct tlb_entry *t = &tlb[(va >> PGSHIFT) % TLB_SETS];

	return t->valid && t->vpn == va >> PGSHIFT ? t : NULL;
}

static struct pdc_entry *pdc_find(vaddr_t va)
{
	struct pdc_entry *c = &pdc[PDX(va) % PDC_SETS];

	return c->valid && c->pdx == PDX(va) ? c : NULL;
}

void sim_tlb_invlpg(vaddr_t va)
{
	struct tlb_entry *t = tlb_find(va);
	struct pdc_entry *c = pdc_find(va);

	if (t)
		t->valid = 0;
	if (c)
		c->valid = 0;
}

void sim_tlb_flush(void)
{
	memset(tlb, 0, sizeof tlb);
	memset(pdc, 0, sizeof pdc);
}

static void stale(const char *what, vaddr_t va, uint32_t cached, pde_t pde, pte_t pte)
{
	sim_tlb_stale++;
	fprintf(stderr, "sim: stale %s used for 0x%08x: cached 0x%08x, tables say pde=0x%08x "
		"pte=0x%08x (a missing invalidation)\n", what, va, cached, pde, pte);
	if (!sim_tlb_tolerate)
		abort();
}

/* A TLB hit: the entry must agree with the tables, save for fewer rights. */
static int tlb_entry_ok(struct tlb_entry *t, vaddr_t va, pde_t pde, pte_t pte)
{
	int w = (pde & PTE_W) && (pte & PTE_W);

	if ((pde & PTE_P) && (pte & PTE_P) && PTE_PFN(pte) == t->pfn && (w || !t->writable))
		return 1;
	stale("TLB entry", va, PFN_TO_PADDR(t->pfn) | (t->writable ? PTE_W : 0), pde, pte);
	t->valid = 0;
	return 0;
}

/* The PDE the walk uses: the cached one if any (it must point at the same
 * table, with no more rights), else the directory's, cached if present. */
static pde_t walk_pde(vaddr_t va, pde_t pde, pte_t pte)
{
	struct pdc_entry *c = pdc_find(va);

	if (c) {
		if ((pde & PTE_P) && PTE_PFN(c->pde) == PTE_PFN(pde) &&
		    ((pde & PTE_W) || !(c->pde & PTE_W)))
			return c->pde;
		stale("PDE cache entry", va, c->pde, pde, pte);
		c->valid = 0;
	}
	if (pde & PTE_P)
		pdc[PDX(va) % PDC_SETS] = (struct pdc_entry){ 1, PDX(va), pde };
	return pde;
}

/* A page fault on va: its entries go, then its PDE is cached again, as a
 * speculative walk may do at any time. */
static void fault_entries(struct aspace *as, vaddr_t va)
{
	pde_t pde = as->pd[PDX(va)];

	sim_tlb_invlpg(va);
	if (pde & PTE_P)
		pdc[PDX(va) % PDC_SETS] = (struct pdc_entry){ 1, PDX(va), pde };
}

/* One translation attempt: the byte's address, or NULL with *err set to
 * the page-fault error code (PF_P, PF_W; the caller adds PF_U). */
static unsigned char *mmu_translate(struct aspace *as, vaddr_t va, int write, uint32_t *err)
{
	pde_t pde = as->pd[PDX(va)];
	pte_t *pt = pde & PTE_P ? page_address(PTE_PFN(pde), KMAP_PEEK) : NULL;
	pte_t pte = pt ? pt[PTX(va)] : 0;
	struct tlb_entry *t = tlb_find(va);

	*err = write ? PF_W : 0;
	if (t && tlb_entry_ok(t, va, pde, pte)) {
		if (write && !t->writable) {
			*err |= PF_P;
			return NULL;
		}
		sim_tlb_hits++;
		if (write && !t->dirty) { /* the CPU sets D on the first write */
			pt[PTX(va)] |= PTE_D;
			t->dirty = 1;
		}
		return (unsigned char *)page_address(t->pfn, KMAP_PEEK) + PGOFF(va);
	}
	pde_t used = walk_pde(va, pde, pte);
	int w = (used & PTE_W) && (pte & PTE_W);
	if (!(used & PTE_P) || !(pte & PTE_P))
		return NULL;
	if (write && !w) {
		*err |= PF_P;
		return NULL;
	}
	pt[PTX(va)] |= PTE_A | (write ? PTE_D : 0);
	tlb[(va >> PGSHIFT) % TLB_SETS] =
		(struct tlb_entry){ 1, (uint8_t)w, (uint8_t)write, va >> PGSHIFT, PTE_PFN(pte) };
	return (unsigned char *)page_address(PTE_PFN(pte), KMAP_PEEK) + PGOFF(va);
}

/* The task's space must be the one CR3 points at: a context switch. */
static void run_in(struct aspace *as)
{
	if (as != vmm_current)
		vmm_activate(as);
}

/*
 * What the MMU does for one byte access from ring 3: translate through
 * the TLB model, fault when the entry is missing or either level forbids
 * the write, retry after the handler. Returns the byte's address in sim
 * RAM, or NULL when the fault handler gave up (segv, oom). *kind: the
 * last fault taken, or -1.
 */
unsigned char *sim_access(struct aspace *as, vaddr_t va, int write, int *kind)
{
	*kind = -1;
	run_in(as);
	for (int tries = 0; tries < 4; tries++) {
		uint32_t err;
		unsigned char *p = mmu_translate(as, va, write, &err);
		if (p)
			return p;
		fault_entries(as, va);
		*kind = vmm_fault(as, va, err | PF_U);
		if (*kind == FAULT_SEGV || *kind == FAULT_OOM)
			return NULL;
	}
	fprintf(stderr, "sim: fault loop at 0x%08x\n", va);
	abort();
}

/* The fault kind whose counter moved since *before, or -1. */
static int kind_taken(const struct mm_counters *before, const struct mm_counters *now)
{
	for (int k = 0; k < FAULT_NKINDS; k++)
		if (now->faults[k] != before->faults[k])
			return k;
	return -1;
}

/*
 * The same access made by the kernel inside a system call (a user copy,
 * ring 0, CR0.WP on): a fault goes through page_fault() with the one
 * instruction that has a fixup, as arch/x86/usercopy.S would. Returns the
 * last fault kind (-1: none), or -2 - kind when the copy failed with
 * -EFAULT (segv) or the task was killed for want of memory (oom).
 */
int sim_kernel_access(struct aspace *as, vaddr_t va, int write, unsigned char *v)
{
	static struct task kernel_side = { .pid = 1, .name = "sim" };
	struct task *saved = current;
	int kind = -1;

	run_in(as);
	kernel_side.as = as;
	kernel_side.term = 0;
	current = &kernel_side;
	sim_killed_term = 0;
	for (int tries = 0; tries < 4; tries++) {
		uint32_t err;
		unsigned char *p = mmu_translate(as, va, write, &err);
		if (p) {
			if (write)
				*p = *v;
			else
				*v = *p;
			current = saved;
			return kind;
		}
		struct trapframe tf = { .eip = SIM_FIXUP_EIP, .cs = 0x08, .error = err };
		struct mm_counters before = as->counters;
		fault_entries(as, va);
		int handled = page_fault(&tf, va);
		kind = kind_taken(&before, &as->counters);
		if (!handled) {
			current = saved;
			return -2 - (sim_killed_term == TERM_OOM ? FAULT_OOM : FAULT_SEGV);
		}
	}
	fprintf(stderr, "sim: kernel fault loop at 0x%08x\n", va);
	abort();
}

int sim_write(struct aspace *as, vaddr_t va, unsigned char v)
{
	int kind;
	unsigned char *p = sim_access(as, va, 1, &kind);

	if (p)
		*p = v;
	return p ? kind : -2 - kind;
}

int sim_read(struct aspace *as, vaddr_t va, unsigned char *v)
{
	int kind;
	unsigned char *p = sim_access(as, va, 0, &kind);

	if (p)
		*v = *p;
	return p ? kind : -2 - kind;
}

/* glibc 2.36 has no strlcpy; the kernel's lib/string.c does. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}
