/*
 * apic.h - the local APIC and the IO-APICs (arch/x86/apic.c).
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

#endif
