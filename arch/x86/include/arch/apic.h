/*
 * apic.h - the local APIC, the IO-APICs and the NMI gate (arch/x86/apic.c).
 *
 * apic_quiesce() (declared in machine.h for core/) silences what the
 * firmware left running; these are the pieces trap_dispatch and kmain
 * call afterwards.
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <stdint.h>

/*
 * An interrupt on a vector nothing owns (0x30 and up, not 0x80 or 0xFF):
 * a source the firmware left armed, or one the local APIC held pending.
 * It is no CPU exception (those are 0-31), so it never panics: EOI at
 * the local APIC when the vector is in service there, a log line for the
 * first few (apic: stray interrupt ...), a count for all of them.
 */
void apic_stray_interrupt(uint32_t vector);

/* The local APIC's spurious vector (0xFF): no EOI, as the SDM says,
 * unless that vector really is in service (a device programmed with it). */
void apic_spurious_interrupt(void);

/* How many stray interrupts arrived since boot, logged or not. */
unsigned apic_stray_count(void);

/*
 * Let NMIs through again: the trampoline masked them (bit 7 of the CMOS
 * index port 0x70) for the mode switch, and nothing else unmasks them.
 * Call once the kernel's IDT is loaded: an NMI then lands in
 * trap_dispatch as vector 2. (The local APIC's LINT1, where the chipset
 * wires NMI, is set to deliver it by apic_quiesce.)
 */
void nmi_enable(void);

#endif
