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

#include "core/log.h"
#include "core/task/bench.h"
#include "core/task/task.h"
#include "lib/fmt.h"

unsigned char *sim_ram;
uint32_t sim_ram_pages;
pfn_t lowmem_end_pfn;
uint32_t sim_invlpg, sim_full_flush, sim_kmaps;
paddr_t sim_cr3;
int log_level = LOG_QUIET;
char sim_log[SIM_LOG_SIZE];
size_t sim_log_len;
static pde_t kernel_pd[NPDENTRIES];
struct task *current; /* the running task, as in core/task */
int sim_killed_term;

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
 * What the MMU does for one byte access: walk PDE and PTE, fault when the
 * entry is missing or either level forbids the write, retry after the
 * handler. Returns the byte's address in sim RAM, or NULL when the fault
 * handler gave up (segv, oom). *kind: the last fault taken, or -1.
 */
unsigned char *sim_access(struct aspace *as, vaddr_t va, int write, int *kind)
{
	*kind = -1;
	for (int tries = 0; tries < 4; tries++) {
		pde_t pde = as->pd[PDX(va)];
		uint32_t err = PF_U | (write ? PF_W : 0);
		if (pde & PTE_P) {
			pte_t *pt = page_address(PTE_PFN(pde), KMAP_PEEK);
			pte_t pte = pt[PTX(va)];
			int allowed = (pte & PTE_P) && (!write || ((pde & PTE_W) && (pte & PTE_W)));
			if (allowed) {
				pt[PTX(va)] |= PTE_A | (write ? PTE_D : 0);
				return (unsigned char *)page_address(PTE_PFN(pte), KMAP_PEEK) +
				       PGOFF(va);
			}
			if (pte & PTE_P)
				err |= PF_P;
		}
		*kind = vmm_fault(as, va, err);
		if (*kind == FAULT_SEGV || *kind == FAULT_OOM)
			return NULL;
	}
	fprintf(stderr, "sim: fault loop at 0x%08x\n", va);
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
