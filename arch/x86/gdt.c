/*
 * gdt.c - the kernel's own GDT and TSS.
 *
 * The kernel's code and data segments are flat: base 0, limit 4 GiB, so
 * for the kernel a logical address is a linear one. User tasks do not use
 * the GDT's segments but their own LDT's (ldt.c), whose descriptors take
 * the GDT's entries from GDT_LDT0 on; "show gdt" and "show walk" decode
 * them. The TSS only supplies the ring-0 stack (esp0) for traps from
 * ring 3; its I/O bitmap offset points past the end, so ring 3 has no
 * port access.
 * A second TSS runs the double-fault handler on a stack of its own, so a
 * kernel stack overflow ends in a register dump, not a triple fault.
 */
#include <arch/cpu.h>
#include <arch/segment.h>
#include <arch/trap.h>

#include "core/log.h"
#include "lib/string.h"

struct seg_desc gdt[GDT_ENTRIES] __attribute__((aligned(8)));
struct tss tss __attribute__((aligned(128)));
struct tss df_tss __attribute__((aligned(128)));
static uint8_t df_stack[4096] __attribute__((aligned(16)));

static void set_desc(int i, enum seg_kind kind, uint32_t base, uint32_t limit)
{
	struct seg_spec s = { .kind = kind, .base = base, .limit = limit, .bits = 32 };
	const char *why;

	if (seg_encode(&s, &gdt[i], &why))
		panic("gdt: entry %d: %s", i, why);
}

static void setup_df_tss(void)
{
	memset(&df_tss, 0, sizeof df_tss);
	df_tss.eip = (uint32_t)double_fault_task;
	df_tss.esp = (uint32_t)(df_stack + sizeof df_stack);
	df_tss.cs = KERNEL_CS;
	df_tss.ds = df_tss.es = df_tss.ss = df_tss.fs = df_tss.gs = KERNEL_DS;
	df_tss.eflags = 0x2; /* interrupts off */
	/* The directory in use now (the loader's, until paging_init() puts the
	 * kernel's here): a task switch with CR3 = 0 would triple-fault. */
	df_tss.cr3 = read_cr3();
	df_tss.iomap_base = sizeof df_tss;
}

void tss_set_double_fault_cr3(uint32_t cr3)
{
	df_tss.cr3 = cr3;
}

void gdt_init(void)
{
	struct descriptor_table_reg r = { sizeof gdt - 1, (uint32_t)gdt };

	memset(gdt, 0, sizeof gdt);
	ldt_init(); /* the LDT descriptors: not present until a task comes */
	set_desc(GDT_KCODE, SEG_CODE, 0, 0xFFFFFFFF);
	set_desc(GDT_KDATA, SEG_DATA, 0, 0xFFFFFFFF);
	memset(&tss, 0, sizeof tss);
	tss.ss0 = KERNEL_DS;
	tss.iomap_base = sizeof tss;
	set_desc(GDT_TSS, SEG_TSS, (uint32_t)&tss, sizeof tss - 1);
	setup_df_tss();
	set_desc(GDT_DF_TSS, SEG_TSS, (uint32_t)&df_tss, sizeof df_tss - 1);

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "mov %3, %%fs\n\t"
			 "mov %3, %%gs\n\t"
			 "ltr %w4"
			 :
			 : "m"(r), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(0), "r"(TSS_SEL)
			 : "memory");
}
