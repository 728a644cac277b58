/*
 * boot_tests.c - is the CPU in the state the trampoline and kmain promise?
 *
 * Each check reads the hardware itself (control registers, MSRs, the
 * descriptor-table registers, the live page directory), never a variable
 * that merely records what we meant to do.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/mmu_ops.h>
#include <arch/paging.h>
#include <arch/segment.h>
#include <arch/trap.h>

#include <layout.h>

#include "core/kernel.h"
#include "core/tap.h"
#include "test/kernel/ktests.h"

extern char __kernel_start[], __kernel_end[];
extern struct seg_desc gdt[];
extern const uint32_t trap_vectors[256];
void kmain(uint32_t, uint32_t);

static void test_modes(void)
{
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();
	uint32_t efer = (uint32_t)rdmsr(MSR_EFER);

	tap_ok(cr0 & CR0_PE, "protected mode: CR0.PE=1 (cr0=0x%08x)", cr0);
	tap_ok(cr0 & CR0_PG, "paging on: CR0.PG=1");
	tap_ok(cr0 & CR0_WP, "CR0.WP=1: ring 0 cannot write read-only pages");
	tap_ok(!(cr4 & CR4_PAE), "PAE off: two-level paging (cr4=0x%08x)", cr4);
	tap_ok(!(cr4 & (CR4_PCIDE | CR4_LA57)), "CR4.PCIDE and CR4.LA57 off");
	tap_ok(cr4 & CR4_PSE, "CR4.PSE=1: 4 MiB pages for the direct map");
	tap_ok(!(efer & (EFER_LMA | EFER_LME)), "long mode off: EFER.LMA=0, LME=0 (efer=0x%08x)",
	       efer);
}

static void test_segments(void)
{
	struct descriptor_table_reg g, i;
	uint16_t cs = read_cs();
	const struct seg_desc *code = &gdt[cs >> 3];

	sgdt(&g);
	sidt(&i);
	tap_ok(g.base == (uint32_t)gdt && g.limit == GDT_ENTRIES * 8 - 1,
	       "GDT is ours: base 0x%08x limit %u", g.base, g.limit);
	tap_ok(cs == KERNEL_CS, "CS = kernel code selector 0x%02x", cs);
	tap_ok((code->limit_flags & 0x60) == 0x40, "CS is a 32-bit segment: D=1, L=0");
	tap_ok(seg_base(code) == 0 && seg_limit(code) == 0xFFFFFFFF,
	       "CS is flat: base 0, limit 4 GiB (logical = linear)");
	tap_ok(str() == TSS_SEL && (gdt[GDT_TSS].access & 0x0F) == 0x0B,
	       "TR = our TSS, marked busy by ltr");
	tap_ok(i.base == (uint32_t)idt && i.limit == 256 * 8 - 1,
	       "IDT is ours: base 0x%08x, 256 gates (limit %u)", i.base, i.limit);
	const uint16_t *gate14 = (const uint16_t *)(i.base + T_PGFLT * 8);
	const uint8_t *gate80 = (const uint8_t *)(i.base + T_SYSCALL * 8);
	tap_ok((gate14[0] | (uint32_t)gate14[3] << 16) == trap_vectors[T_PGFLT],
	       "IDT gate 14 points at the page-fault stub");
	tap_ok((gate80[5] & 0x60) == 0x60, "IDT gate 0x80 is callable from ring 3 (DPL 3)");
}

static void test_layout(void)
{
	const pde_t *pd = phys_to_virt(PTE_ADDR(read_cr3()));
	uint32_t kmain_va = (uint32_t)kmain;
	uint32_t kmain_pa = kmain_va - KERNEL_VIRT_BASE;
	pde_t pde = pd[PDX(kmain_va)];

	tap_ok(read_cr3() == kernel_pd_phys, "CR3 = the kernel's own page directory");
	uint32_t eip, esp;
	__asm__ volatile("call 1f\n1: popl %0\n\tmovl %%esp, %1" : "=r"(eip), "=r"(esp));
	tap_ok(eip >= KERNEL_VIRT_BASE && esp >= KERNEL_VIRT_BASE,
	       "kernel runs high: EIP 0x%08x and ESP 0x%08x, read off the CPU, above 0xC0000000",
	       eip, esp);
	tap_ok((uint32_t)__kernel_start == boot_info->kernel_virt,
	       "kernel base matches the loader's placement (0x%08x)", boot_info->kernel_virt);
	tap_ok((pde & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS) &&
		       PTE_ADDR(pde) + (kmain_va & (PTSPAN - 1)) == kmain_pa,
	       "page walk: 0x%08x -> PDE 0x%08x -> phys 0x%08x = virt - 0xC0000000", kmain_va,
	       pde, kmain_pa);
	tap_ok(!(pde & PTE_U), "kernel mappings are supervisor-only (PDE.U=0)");
	int user_pdes = 0;
	for (unsigned i = 0; i < KERNEL_PDX; i++)
		user_pdes += (pd[i] & PTE_P) != 0;
	tap_eq(user_pdes, 0, "no mapping below 0xC0000000: identity map gone");
}

static void test_provoked_faults(void)
{
	uint32_t tramp = (uint32_t)boot_info->trampoline_phys, v;

	int rc = probe_read((const volatile uint32_t *)tramp, &v);
	tap_ok(rc == -1 && fixup_last_cr2 == tramp && fixup_last_error == 0,
	       "read at the old identity address 0x%08x faults: cr2=0x%08x err=0x%x "
	       "(read, kernel, not present)",
	       tramp, fixup_last_cr2, fixup_last_error);

	/* A read-only mapping of a kernel page: only CR0.WP makes a write fault. */
	pfn_t pfn = PADDR_TO_PFN(virt_to_phys(gdt));
	volatile uint32_t *ro = kmap_readonly(KMAP_PEEK, pfn);
	rc = probe_read(ro, &v);
	tap_ok(rc == 0, "read through a read-only kmap of a kernel page works");
	rc = probe_write(ro, v);
	tap_ok(rc == -1 && fixup_last_cr2 == (uint32_t)ro && fixup_last_error == (PF_P | PF_W),
	       "ring-0 write to a read-only page faults: cr2=0x%08x err=0x%x (write, kernel, "
	       "protection)",
	       fixup_last_cr2, fixup_last_error);

	rc = probe_write((volatile uint32_t *)0xFFFFF000u, 1);
	tap_ok(rc == -1 && fixup_last_cr2 == 0xFFFFF000u && fixup_last_error == PF_W,
	       "write to the unmapped top page faults: cr2=0x%08x err=0x%x (write, kernel, not "
	       "present)",
	       fixup_last_cr2, fixup_last_error);
}

void ktest_boot(void)
{
	tap_suite("boot");
	test_modes();
	test_segments();
	test_layout();
	test_provoked_faults();
}
