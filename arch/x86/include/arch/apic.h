/*
 * apic.h - the local APIC and the IO-APICs (arch/x86/apic.c).
 *
 * kmain calls apic_quiesce() once to silence what the firmware left
 * running; trap_dispatch calls the rest for vectors only the APIC uses.
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <stdint.h>

/*
 * Silence the local APIC and every IO-APIC the MADT lists (through the
 * ACPI RSDP at rsdp, 0 for none), keep the local APIC as the 8259's
 * virtual wire, and take what it still held pending. Call with
 * interrupts off, the IDT loaded and the 8259 lines masked; interrupts
 * are on only for the few instructions that take what was pending.
 */
void apic_quiesce(uint64_t rsdp);

/*
 * An interrupt on a vector nothing owns (FIRST_UNUSED_VECTOR, 0x30, and
 * up but 0xFF; 0x80 too when it interrupts ring 0, which never makes a
 * system call): a source the firmware left armed, or one the local APIC
 * held pending.
 * It is no CPU exception (those are 0-31), so it never panics: EOI at
 * the local APIC when the vector is in service there, a log line for the
 * first few (apic: stray interrupt ...), a count for all of them.
 */
void apic_stray_interrupt(uint32_t vector);

/* End vector at the local APIC (EOI), if it is in service there: for
 * trap.c, after the handler of a device's MSI vector ran. */
void apic_end_vector(uint32_t vector);

/*
 * The MSI (or MSI-X) message that delivers vector to this CPU's local
 * APIC: the address and data words a device writes. 0, or -ENODEV when
 * no local APIC is in use (disabled or out of reach) or its ID does not
 * fit the message's 8 bits; then the driver polls.
 */
int apic_msi_message(uint8_t vector, uint32_t *address, uint32_t *data);

/* The local APIC's spurious vector (0xFF): no EOI, as the SDM says,
 * unless that vector really is in service (a device programmed with it). */
void apic_spurious_interrupt(void);

/* How many stray interrupts arrived since boot, logged or not (the
 * session's end prints the total when there were any). */
unsigned apic_stray_count(void);

#endif
