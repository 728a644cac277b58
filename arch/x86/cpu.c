/* cpu.c - read the CPU's identity and features once. */
#include <arch/cpu.h>
#include <arch/segment.h>

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
	/* Hypervisors name themselves at leaf 0x40000000, as leaf 0 names
	 * the vendor: "KVMKVMKVM", "TCGTCGTCGTCG" (QEMU's emulator)... */
	if (cpu.hypervisor) {
		cpuid(CPUID_HYPERVISOR_LEAF, &a, &b, &c, &d);
		memcpy(cpu.hv_vendor, &b, 4);
		memcpy(cpu.hv_vendor + 4, &c, 4);
		memcpy(cpu.hv_vendor + 8, &d, 4);
		cpu.hv_vendor[12] = 0;
	}
}

const char *cpu_machine_kind(void)
{
	if (!cpu.hypervisor)
		return "bare metal";
	if (!strcmp(cpu.hv_vendor, "TCGTCGTCGTCG"))
		return "QEMU TCG, an emulator";
	if (!strcmp(cpu.hv_vendor, "KVMKVMKVM"))
		return "a KVM virtual machine";
	/* The boot's probe found no limit check: only an emulator skips it. */
	return seg_limits_checked ? "a virtual machine" : "an emulator (QEMU TCG checks no limit)";
}
