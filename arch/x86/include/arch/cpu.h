/* cpu.h - control registers, MSRs, TSC and friends. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>

#include "arch/x86/include/arch/tsc.h" /* rdtsc(), shared with the loader */

#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u /* no x87: its instructions raise #NM */
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_PG 0x80000000u

#define CR4_PSE 0x00000010u
#define CR4_PAE 0x00000020u
#define CR4_MCE 0x00000040u
#define CR4_PGE 0x00000080u
#define CR4_PCIDE 0x00020000u
#define CR4_LA57 0x00001000u

#define MSR_EFER 0xC0000080u
#define EFER_LME 0x00000100u
#define EFER_LMA 0x00000400u
#define MSR_APIC_BASE 0x0000001Bu

#define EFLAGS_IF 0x00000200u

#define CPUID_EDX_PSE (1u << 3)
#define CPUID_EDX_TSC (1u << 4)
#define CPUID_EDX_MSR (1u << 5)
#define CPUID_EDX_APIC (1u << 9)
#define CPUID_EDX_PGE (1u << 13)
#define CPUID_EDX_PSE36 (1u << 17) /* 4 MiB pages reach physical bits 32 and up */
#define CPUID_ECX_HYPERVISOR (1u << 31)
#define CPUID_HYPERVISOR_LEAF 0x40000000u
#define CPUID_EXT_LEAF 0x80000000u   /* EAX: the highest extended leaf */
#define CPUID_ADDR_SIZES 0x80000008u /* EAX[7:0]: MAXPHYADDR */

#define DEFINE_CR(n)                                                      \
	static inline uint32_t read_cr##n(void)                           \
	{                                                                 \
		uint32_t v;                                               \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));         \
		return v;                                                 \
	}                                                                 \
	static inline void write_cr##n(uint32_t v)                        \
	{                                                                 \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline uint32_t read_eflags(void)
{
	uint32_t v;

	__asm__ volatile("pushfl; popl %0" : "=r"(v));
	return v;
}

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

/* Enable interrupts and wait for one, with no window in between. */
static inline void sti_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

struct descriptor_table_reg {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static inline void sgdt(struct descriptor_table_reg *r)
{
	__asm__ volatile("sgdt %0" : "=m"(*r));
}

static inline void sidt(struct descriptor_table_reg *r)
{
	__asm__ volatile("sidt %0" : "=m"(*r));
}

static inline uint16_t str(void)
{
	uint16_t v;

	__asm__ volatile("str %0" : "=r"(v));
	return v;
}

static inline uint16_t read_cs(void)
{
	uint16_t v;

	__asm__ volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

/* CPU features this kernel cares about, read once by cpu_init(). */
struct cpu_features {
	uint32_t max_leaf;
	uint32_t edx1, ecx1;
	char vendor[13];
	int hypervisor;
	char hv_vendor[13]; /* the hypervisor's signature, "" on bare metal */
};
extern struct cpu_features cpu;
void cpu_init(void);
/* What we run on, for lines that must say whether a figure means anything:
 * "bare metal", "QEMU TCG, an emulator", "a KVM virtual machine"... */
const char *cpu_machine_kind(void);

#endif
