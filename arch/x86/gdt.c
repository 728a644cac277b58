/*
 * gdt.c - the kernel's own GDT and TSS.
 *
 * Paging does all the protection work, so every code and data segment is
 * flat: base 0, limit 4 GiB. Logical address = linear address, which the
 * playground's "show walk" command demonstrates by decoding the descriptor.
 * The TSS only supplies the ring-0 stack (esp0) for traps from ring 3; its
 * I/O bitmap offset points past the end, so ring 3 has no port access.
 * A second TSS runs the double-fault handler on a stack of its own, so a
 * kernel stack overflow ends in a register dump, not a triple fault.
 */
#include <arch/cpu.h>
#include <arch/segment.h>
#include <arch/trap.h>

#include "lib/string.h"

struct seg_desc gdt[GDT_ENTRIES] __attribute__((aligned(8)));
struct tss tss __attribute__((aligned(128)));
struct tss df_tss __attribute__((aligned(128)));
static uint8_t df_stack[4096] __attribute__((aligned(16)));

#define ACC_P 0x80
#define ACC_DPL3 0x60
#define ACC_S 0x10 /* code or data (not system) */
#define ACC_CODE 0x0A /* execute/read */
#define ACC_DATA 0x02 /* read/write */
#define ACC_TSS32 0x09 /* available 32-bit TSS */
#define FLAG_G 0x80
#define FLAG_D 0x40

static void set_desc(int i, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	struct seg_desc *d = &gdt[i];

	if (flags & FLAG_G)
		limit >>= 12;
	d->limit_lo = limit & 0xFFFF;
	d->base_lo = base & 0xFFFF;
	d->base_mid = (base >> 16) & 0xFF;
	d->access = access;
	d->limit_flags = flags | ((limit >> 16) & 0x0F);
	d->base_hi = base >> 24;
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
	static const struct {
		int index;
		uint8_t access;
	} flat[] = {
		{ GDT_KCODE, ACC_P | ACC_S | ACC_CODE },
		{ GDT_KDATA, ACC_P | ACC_S | ACC_DATA },
		{ GDT_UCODE, ACC_P | ACC_DPL3 | ACC_S | ACC_CODE },
		{ GDT_UDATA, ACC_P | ACC_DPL3 | ACC_S | ACC_DATA },
	};
	struct descriptor_table_reg r = { sizeof gdt - 1, (uint32_t)gdt };

	memset(gdt, 0, sizeof gdt);
	for (unsigned i = 0; i < sizeof flat / sizeof flat[0]; i++)
		set_desc(flat[i].index, 0, 0xFFFFFFFF, flat[i].access, FLAG_G | FLAG_D);

	memset(&tss, 0, sizeof tss);
	tss.ss0 = KERNEL_DS;
	tss.iomap_base = sizeof tss;
	set_desc(GDT_TSS, (uint32_t)&tss, sizeof tss - 1, ACC_P | ACC_TSS32, 0);
	setup_df_tss();
	set_desc(GDT_DF_TSS, (uint32_t)&df_tss, sizeof df_tss - 1, ACC_P | ACC_TSS32, 0);

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
