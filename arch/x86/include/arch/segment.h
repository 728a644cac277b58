/* segment.h - GDT layout and selectors. All segments are flat (base 0, 4 GiB). */
#ifndef ARCH_SEGMENT_H
#define ARCH_SEGMENT_H

#define GDT_NULL 0
#define GDT_KCODE 1
#define GDT_KDATA 2
#define GDT_UCODE 3
#define GDT_UDATA 4
#define GDT_TSS 5
#define GDT_DF_TSS 6 /* a separate task for double faults (kernel stack overflow) */
#define GDT_ENTRIES 7

#define RPL_USER 3
#define KERNEL_CS (GDT_KCODE << 3)
#define KERNEL_DS (GDT_KDATA << 3)
#define USER_CS ((GDT_UCODE << 3) | RPL_USER)
#define USER_DS ((GDT_UDATA << 3) | RPL_USER)
#define TSS_SEL (GDT_TSS << 3)
#define DF_TSS_SEL (GDT_DF_TSS << 3)

#ifndef __ASSEMBLER__
#include <stdint.h>

struct seg_desc {
	uint16_t limit_lo;
	uint16_t base_lo;
	uint8_t base_mid;
	uint8_t access;      /* P | DPL | S | type */
	uint8_t limit_flags; /* G | D/B | L | AVL | limit 19:16 */
	uint8_t base_hi;
} __attribute__((packed));

/* Base and limit of a descriptor, limit scaled by the G bit. */
static inline uint32_t seg_base(const struct seg_desc *d)
{
	return d->base_lo | (uint32_t)d->base_mid << 16 | (uint32_t)d->base_hi << 24;
}

static inline uint32_t seg_limit(const struct seg_desc *d)
{
	uint32_t limit = d->limit_lo | (uint32_t)(d->limit_flags & 0xF) << 16;

	return d->limit_flags & 0x80 ? limit << 12 | 0xFFF : limit;
}

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
} __attribute__((packed));

/* An IDT entry: interrupt, trap or task gate. */
struct gate {
	uint16_t off_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type_attr;
	uint16_t off_hi;
} __attribute__((packed));

extern struct seg_desc gdt[GDT_ENTRIES];
extern struct gate idt[256];
extern struct tss tss;

void gdt_init(void);
/* The double-fault task must run on the kernel's own page directory. */
void tss_set_double_fault_cr3(uint32_t cr3);

/* The kernel stack the CPU switches to on a trap from ring 3. */
static inline void tss_set_kernel_stack(uint32_t esp0)
{
	tss.esp0 = esp0;
}
#endif

#endif
