/*
 * fault.c - the page-fault path, top to bottom.
 *
 *   the CPU           a user access finds no page, or a read-only one: it
 *                     pushes an error code, puts the address in CR2 and
 *                     raises vector 14
 *   arch/x86/vectors.S   vector14 -> trap_common: registers saved
 *   arch/x86/trap.c      trap_dispatch(): vector 14 -> page_fault()
 *   page_fault()      below: who faulted (a task, or the kernel copying to
 *                     or from a task's memory) and what to do afterwards
 *   vmm_fault()       below: the decision tree
 *   do_no_page()      not present: demand-zero, or the shared zero page
 *   do_wp_page()      present but read-only: copy-on-write or reuse
 *
 * When it returns, iret restarts the faulting instruction, which now
 * finds its page. No logging happens here unless someone watches (the
 * verbose log, the report's records: one byte, log_trace, says), and
 * nothing scans: every step is a few table lookups and at most one page
 * zeroed (rep stosd) or copied (rep movsd).
 */
#include "core/log.h"
#include "core/mm/internal.h"
#include "core/report.h"
#include "core/task/bench.h"
#include "core/task/task.h"

#include <arch/trap.h>
#include <layout.h>

#include "core/kernel.h"
#include "lib/fmt.h"

struct mm_counters mm_counters;

static const char *const kind_names[FAULT_NKINDS] = {
	"demand-zero", "zero-page", "zero-cow", "cow-copy", "cow-reuse", "spurious", "segv", "oom",
};

const char *fault_kind_name(enum fault_kind k)
{
	return k < FAULT_NKINDS ? kind_names[k] : "?";
}

void page_fault_error_str(uint32_t err, char *buf, size_t size)
{
	fmt_snprintf(buf, size, "(%s,%s,%s%s%s)", err & PF_W ? "write" : "read",
		     err & PF_U ? "user" : "kernel", err & PF_P ? "protection" : "not-present",
		     err & PF_RSVD ? ",reserved-bit" : "", err & PF_I ? ",fetch" : "");
}

/* Not present: Linux 0.11's do_no_page, for anonymous memory only. */
static enum fault_kind do_no_page(struct aspace *as, pte_t *pte, uint32_t err)
{
	/* A read of a never-touched page: map the one shared page of zeroes,
	 * read-only. Memory is spent only when the task writes. */
	if (!(err & PF_W) && page_ref_inc(pmm.zero_pfn) == 0) {
		*pte = PFN_TO_PADDR(pmm.zero_pfn) | PTE_P | PTE_U;
		as->rss++;
		return FAULT_ZERO_PAGE;
	}
	pfn_t pfn = pmm_alloc_page(PMM_USER | PMM_ZERO, PAGE_MAPPED);
	if (!pfn)
		return FAULT_OOM;
	/* No TLB flush: x86 never caches a not-present entry. */
	*pte = PFN_TO_PADDR(pfn) | PTE_P | PTE_W | PTE_U;
	as->rss++;
	return FAULT_DEMAND_ZERO;
}

/* Write to a present read-only page of a writable area: 0.11's do_wp_page.
 * Every way out but oom invalidates va (decide() relies on it). */
static enum fault_kind do_wp_page(struct aspace *as, pte_t *pte, vaddr_t va)
{
	pfn_t old = PTE_PFN(*pte), new;
	enum fault_kind kind;

	if (old == pmm.zero_pfn) {
		new = pmm_alloc_page(PMM_USER | PMM_ZERO, PAGE_MAPPED);
		kind = FAULT_ZERO_COW;
	} else if (page_refs(old) == 1) {
		/* Every other sharer is gone: the page is ours (un_wp_page). */
		*pte |= PTE_W;
		flush_page(as, va, "cow-reuse");
		return FAULT_COW_REUSE;
	} else {
		new = pmm_alloc_page(PMM_USER, PAGE_MAPPED); /* no need to zero: copied over */
		if (new)
			page_copy(page_address(new, KMAP_DST), page_address(old, KMAP_SRC));
		kind = FAULT_COW_COPY;
	}
	if (!new)
		return FAULT_OOM;
	*pte = PFN_TO_PADDR(new) | PTE_P | PTE_W | PTE_U;
	page_ref_dec(old); /* after the copy: the old page may be freed now */
	flush_page(as, va, kind == FAULT_ZERO_COW ? "zero-cow" : "cow-copy");
	return kind;
}

static enum fault_kind decide(struct aspace *as, vaddr_t va, uint32_t err)
{
	struct area *a = vmm_find_area(as, va);

	if (!a || ((err & PF_W) && !(a->flags & AREA_WRITE)))
		return FAULT_SEGV;
	/* Tables shared by fork are write-protected as a whole in their PDE:
	 * un-share (or take back) the table before touching an entry. */
	pde_t before = as->pd[PDX(va)];
	pte_t *pte = table_for_write(as, va);
	if (!pte)
		return FAULT_OOM;
	/* do_wp_page's invlpg of va also drops a cached PDE of a table just
	 * un-shared; every other way out makes that invalidation here. */
	if ((err & PF_W) && (*pte & (PTE_P | PTE_W)) == PTE_P) {
		enum fault_kind kind = do_wp_page(as, pte, va);
		if (kind == FAULT_OOM && table_is_shared(before))
			flush_page(as, va, "table un-shared");
		return kind;
	}
	if (table_is_shared(before))
		flush_page(as, va, "table un-shared");
	if (!(*pte & PTE_P))
		return do_no_page(as, pte, err);
	if (table_is_shared(before))
		return FAULT_COW_REUSE; /* the table came back whole, its page writable */
	flush_page(as, va, "spurious");
	return FAULT_SPURIOUS;
}

enum fault_kind vmm_fault(struct aspace *as, vaddr_t va, uint32_t err)
{
	enum fault_kind kind = decide(as, va, err);

	mm_counters.faults[kind]++;
	as->counters.faults[kind]++;
	return kind;
}

const char *vmm_segv_reason(struct aspace *as, vaddr_t va, uint32_t err)
{
	struct area *a = va < USER_TOP ? vmm_find_area(as, va) : NULL;

	if (va >= USER_TOP)
		return "kernel address";
	if (va < as->base || va >= as->end)
		return "outside its 0.11 slot: the CPU did not check the segment limit";
	if (!a)
		return va - as->base < PGSIZE ? "null page" : "no area";
	if ((err & PF_W) && !(a->flags & AREA_WRITE))
		return "write to a read-only area";
	return "?";
}

static void log_fault(struct task *t, enum fault_kind kind, vaddr_t va, uint32_t err,
		      uint32_t eip)
{
	char e[48];
	struct walk w;

	vmm_walk(t->as, va, &w);
	page_fault_error_str(err, e, sizeof e);
	kprintf("fault: %s pid=%d va=0x%08x pa=0x%08x err=%s eip=0x%08x\n", fault_kind_name(kind),
		t->pid, va, PG_ROUND_DOWN(w.pa), e, eip);
}

/* A fault served, for whoever watches: the verbose log's line, the
 * report's record. Out of line: the fault path only tests log_trace. */
static void __attribute__((noinline)) trace_fault(struct task *t, enum fault_kind kind,
						  vaddr_t va, uint32_t err, uint32_t eip)
{
	if (log_trace & LOG_TRACE_VERBOSE)
		log_fault(t, kind, va, err, eip);
	if (log_trace & LOG_TRACE_REPORT)
		report_fault(t, kind, va, err);
}

/* Log and kill a task whose fault cannot be served. */
static void fault_kill(struct task *t, enum fault_kind kind, vaddr_t va, uint32_t err,
		       uint32_t eip)
{
	char e[48];

	report_fault(t, kind, va, err);
	page_fault_error_str(err, e, sizeof e);
	if (kind == FAULT_OOM)
		kprintf("oom: pid=%d (%s) va=0x%08x err=%s eip=0x%08x: no free page; killed\n",
			t->pid, t->name, va, e, eip);
	else
		kprintf("segv: pid=%d (%s) va=0x%08x err=%s eip=0x%08x: %s; killed\n", t->pid,
			t->name, va, e, eip, vmm_segv_reason(t->as, va, err));
	task_kill(t, kind == FAULT_OOM ? TERM_OOM : TERM_SEGV);
}

/*
 * Vector 14. Returns 1 when the fault is dealt with (the instruction
 * restarts, or the task is marked to die), 0 when it is a kernel bug or a
 * kernel access that must fail: trap.c then tries the exception table
 * (user copies return -EFAULT) and otherwise panics with a dump.
 */
int page_fault(struct trapframe *tf, uint32_t cr2)
{
	struct task *t = current_task();
	int user = trap_from_user(tf);

	/* The kernel itself may only fault on user memory, inside the user
	 * copy routines, on behalf of the running task. */
	if (!user && (!t || !t->as || cr2 >= USER_TOP || !trap_has_fixup(tf->eip)))
		return 0;
	enum fault_kind kind = vmm_fault(t->as, cr2, tf->error);
	if (__builtin_expect(kind < FAULT_SEGV, 1)) {
		if (__builtin_expect(log_trace, 0))
			trace_fault(t, kind, cr2, tf->error, tf->eip);
		return 1;
	}
	if (!user) {
		/* A bad pointer in a system call: the copy fails with -EFAULT.
		 * Out of memory: the call fails and the task dies on its way out. */
		if (kind == FAULT_OOM)
			fault_kill(t, kind, cr2, tf->error, tf->eip);
		return 0;
	}
	if (kind == FAULT_SEGV && bench_fault_skip(t, tf))
		return 1; /* the benchmark's bare-fault floor (core/task/sys_bench.c) */
	fault_kill(t, kind, cr2, tf->error, tf->eip);
	return 1;
}
