/* cpu.c - read the CPU's identity and features once. */
#include <arch/cpu.h>

#include "lib/string.h"

struct cpu_features cpu;

void cpu_init(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	cpu.max_leaf = a;
	memcpy(cpu.vendor, &b, 4);
	memcpy(cpu.vendor + 4, &d, 4);
	memcpy(cpu.vendor + 8, &c, 4);
	cpu.vendor[12] = 0;
	if (cpu.max_leaf >= 1) {
		cpuid(1, &a, &b, &c, &d);
		cpu.edx1 = d;
		cpu.ecx1 = c;
	}
	cpu.hypervisor = !!(cpu.ecx1 & CPUID_ECX_HYPERVISOR);
}
