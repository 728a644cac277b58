/*
 * Host replacement for arch/x86/include/arch/io.h: port I/O goes to the
 * simulated machine (test/host/sim/hwsim.c): PCI configuration mechanism
 * #1 and the I/O BARs of simulated devices. Tests that simulate ports of
 * their own (test_apic.c) rename these calls before including the code.
 */
#ifndef ARCH_IO_H
#define ARCH_IO_H

#include <stdint.h>

void outb(uint16_t port, uint8_t v);
uint8_t inb(uint16_t port);
void outw(uint16_t port, uint16_t v);
uint16_t inw(uint16_t port);
void outl(uint16_t port, uint32_t v);
uint32_t inl(uint16_t port);
void io_wait(void);

#endif
