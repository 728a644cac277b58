/*
 * segment.h - selectors, descriptors, the GDT layout and the LDTs.
 *
 * A logical address is a selector and an offset. The selector names a
 * descriptor: bits 15..3 its index, bit 2 (TI) the table -- the GDT, or
 * the LDT that LDTR names -- and bits 1..0 the privilege asked for (RPL).
 * The descriptor gives a base and a limit: linear = base + offset, and an
 * offset past the limit is a #GP (#SS through SS) on a CPU that checks.
 *
 * The kernel's segments are in the GDT and flat. Every user task has an
 * LDT of its own (arch/x86/ldt.c): LDT[1] its code, LDT[2] its data and
 * stack, as in Linux 0.11. Flat tasks get base 0 and a limit just under
 * 3 GiB; Linux 0.11-mode tasks their 64 MiB slot (core/mm/linux011.c).
 * The same two selectors, 0x0f and 0x17, serve every task: which LDT they
 * reach is LDTR's business, loaded with lldt on each switch.
 */
#ifndef ARCH_SEGMENT_H
#define ARCH_SEGMENT_H

/* GDT entries. */
#define GDT_NULL 0
#define GDT_KCODE 1
#define GDT_KDATA 2
#define GDT_TSS 3
#define GDT_DF_TSS 4 /* a separate task for double faults (kernel stack overflow) */
#define GDT_LDT0 5   /* the first LDT descriptor: one per user task, LDT_SLOTS of them */
#define LDT_SLOTS 128
#define GDT_ENTRIES (GDT_LDT0 + LDT_SLOTS)

/* Each task's LDT: 0.11's three entries (include/linux/sched.h's ldt[3]). */
#define LDT_NULL 0
#define LDT_CODE 1
#define LDT_DATA 2 /* DS, ES, SS, FS, GS */
#define LDT_ENTRIES 3

/* Selector parts. */
#define SEL_RPL_MASK 0x3u
#define SEL_TI 0x4u /* table indicator: set, the LDT; clear, the GDT */
#define SEL_INDEX_SHIFT 3
#define SEL_INDEX(sel) ((unsigned)(sel) >> SEL_INDEX_SHIFT)
#define SEL_RPL(sel) ((unsigned)(sel)&SEL_RPL_MASK)
#define SEL_IS_LDT(sel) (((unsigned)(sel)&SEL_TI) != 0)
#define GDT_SEL(index, rpl) (((index) << SEL_INDEX_SHIFT) | (rpl))
#define LDT_SEL(index, rpl) (((index) << SEL_INDEX_SHIFT) | SEL_TI | (rpl))

#define RPL_KERNEL 0
#define RPL_USER 3
#define KERNEL_CS GDT_SEL(GDT_KCODE, RPL_KERNEL)
#define KERNEL_DS GDT_SEL(GDT_KDATA, RPL_KERNEL)
#define USER_CS LDT_SEL(LDT_CODE, RPL_USER) /* 0x0f, as in 0.11 */
#define USER_DS LDT_SEL(LDT_DATA, RPL_USER) /* 0x17 */
#define TSS_SEL GDT_SEL(GDT_TSS, RPL_KERNEL)
#define DF_TSS_SEL GDT_SEL(GDT_DF_TSS, RPL_KERNEL)

/* The access byte: P | DPL | S | type. */
#define DESC_P 0x80u
#define DESC_DPL_SHIFT 5
#define DESC_DPL(access) (((unsigned)(access) >> DESC_DPL_SHIFT) & 3u)
#define DESC_S 0x10u /* a code or data segment (clear: a system descriptor) */
#define DESC_TYPE(access) ((unsigned)(access)&0xFu)
/* Type bits of a code or data segment. */
#define DESC_ACCESSED 0x1u      /* set by the CPU on a load, unless already set */
#define DESC_WRITE 0x2u         /* data: writable */
#define DESC_READ 0x2u          /* code: readable */
#define DESC_EXPAND_DOWN 0x4u   /* data: valid offsets lie above the limit */
#define DESC_CONFORMING 0x4u    /* code: runs at the caller's privilege */
#define DESC_CODE 0x8u          /* executable */
/* System types (S clear). */
#define DESC_TYPE_LDT 0x2u
#define DESC_TYPE_TSS32 0x9u      /* available 32-bit TSS */
#define DESC_TYPE_TSS32_BUSY 0xBu /* the CPU marks the TSS in TR busy */
/* The flags nibble: G | D/B | L | AVL. */
#define DESC_G 0x80u  /* limit in 4 KiB units, the low 12 bits of an offset unchecked */
#define DESC_DB 0x40u /* 32-bit segment (code: default operands; stack: ESP) */
#define DESC_L 0x20u  /* 64-bit code: never here */
#define DESC_LIMIT_HI 0x0Fu
#define DESC_LIMIT_MAX 0xFFFFFu /* the 20-bit limit field */

/* Flat user segments end just under the kernel half; a 0.11 slot is 64 MiB. */
#define USER_SEG_LIMIT 0xBFFFFFFFu

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
_Static_assert(sizeof(struct seg_desc) == 8, "a descriptor is 8 bytes");

/* Base and limit of a descriptor, limit scaled by the G bit: the last
 * offset an expand-up segment allows. */
static inline uint32_t seg_base(const struct seg_desc *d)
{
	return d->base_lo | (uint32_t)d->base_mid << 16 | (uint32_t)d->base_hi << 24;
}

static inline uint32_t seg_limit(const struct seg_desc *d)
{
	uint32_t limit = d->limit_lo | (uint32_t)(d->limit_flags & DESC_LIMIT_HI) << 16;

	return d->limit_flags & DESC_G ? limit << 12 | 0xFFF : limit;
}

static inline int seg_present(const struct seg_desc *d)
{
	return (d->access & DESC_P) != 0;
}

/*
 * What a descriptor says, in words a program can ask for (arch/x86/desc.c).
 * seg_encode() builds the 8 bytes, seg_decode() reads them back; the
 * playground and the LDT code use nothing else, so every descriptor the
 * kernel writes went through seg_encode's refusals.
 */
enum seg_kind { SEG_CODE, SEG_DATA, SEG_LDT, SEG_TSS };

struct seg_spec {
	enum seg_kind kind;
	uint32_t base;
	uint32_t limit;     /* the last valid offset, in bytes */
	unsigned dpl;       /* 0..3 */
	unsigned bits;      /* 32, or 16 (refused for code and data) */
	int expand_down;    /* data only: refused */
	int conforming;     /* code only: refused */
	int read_only;      /* data: not writable; code: execute-only */
};

/* Fill d from s. 0, or -1 with *why saying what is refused: a 16-bit,
 * expand-down or conforming segment (each needs a return path of its own:
 * IRET to a 16-bit stack restores only SP's low half), a limit above
 * 1 MiB that does not end at a page's last byte (G scales by 4 KiB), a
 * DPL past 3, a system descriptor that is not 32-bit. d is untouched on
 * failure. The accessed bit of code and data is set up front. */
int seg_encode(const struct seg_spec *s, struct seg_desc *d, const char **why);
/* What d says. 0, or -1 (with *why) for what seg_encode would refuse or
 * the kernel never writes (a call gate, a 64-bit segment...). */
int seg_decode(const struct seg_desc *d, struct seg_spec *s, const char **why);
/* "code", "data", "LDT", "32-bit TSS"... for the show commands. */
const char *seg_type_name(const struct seg_desc *d);

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

/* ------------------------------------------------------------- LDTs (ldt.c) */

/* At boot (gdt_init): every slot's LDT descriptor, not present. */
void ldt_init(void);
/* A new LDT with code and data segments of this base and limit (DPL 3,
 * 32-bit), and its descriptor in the GDT. Returns the descriptor's
 * selector (for lldt), or -EAGAIN when all LDT_SLOTS are taken, -EINVAL
 * when seg_encode refuses the limit. */
int ldt_alloc(uint32_t base, uint32_t limit);
/* A copy of the LDT from names, with both segments moved to base (fork:
 * the child keeps its parent's limits, at its own slot). The selector,
 * -EAGAIN or -EINVAL as ldt_alloc. */
int ldt_clone(uint16_t from, uint32_t base);
/* Rewrite LDT[index] (code or data) of ldt_sel as s says: what seg_encode
 * refuses is refused (-EINVAL, *why said), and nothing but a ring-3 code
 * or data segment is written there. The task's segment registers take it
 * at their next load (for a task in the kernel: on its way back). */
int ldt_set(uint16_t ldt_sel, unsigned index, const struct seg_spec *s, const char **why);
/* Give the slot back; its task must never run again. */
void ldt_free(uint16_t ldt_sel);
/* The entries of the LDT that ldt_sel names (the tables the CPU reads):
 * NULL for 0 or a slot not in use. */
struct seg_desc *ldt_entries(uint16_t ldt_sel);
/* The descriptor a selector names: the GDT's, or (TI set) the LDT's of
 * ldt_sel. NULL past the table's end. */
const struct seg_desc *seg_lookup(uint16_t sel, uint16_t ldt_sel);

static inline void lldt(uint16_t sel)
{
	__asm__ volatile("lldt %0" : : "r"(sel) : "memory");
}

static inline uint16_t sldt(void)
{
	uint16_t v;

	__asm__ volatile("sldt %0" : "=r"(v));
	return v;
}

/* Does this CPU check segment limits? Found at boot by trying (ldt.c):
 * a read past a 1-byte segment raises #GP, or goes through. QEMU's TCG
 * does not check them (docs/memory.md). */
extern int seg_limits_checked;
void seg_probe_limits(void);
#endif

#endif
