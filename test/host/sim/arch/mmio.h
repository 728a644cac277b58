/*
 * Host replacement for arch/x86/include/arch/mmio.h: mmio_map hands out
 * host memory standing for a device's registers, and every access through
 * it goes to the simulated device that decodes that address
 * (test/host/sim/hwsim.c). Tests that simulate registers of their own
 * (test_apic.c) rename these calls before including the code.
 */
#ifndef ARCH_MMIO_H
#define ARCH_MMIO_H

#include <stdint.h>

#define MMIO_BARRIER() __asm__ volatile("" ::: "memory")

void *mmio_map(uint64_t pa, uint32_t size);
void mmio_unmap(void *va, uint32_t size);
uint32_t mmio_read32(const volatile uint32_t *reg);
uint16_t mmio_read16(const volatile uint16_t *reg);
uint8_t mmio_read8(const volatile uint8_t *reg);
void mmio_write32(volatile uint32_t *reg, uint32_t v);
void mmio_write16(volatile uint16_t *reg, uint16_t v);
void mmio_write8(volatile uint8_t *reg, uint8_t v);

#endif
