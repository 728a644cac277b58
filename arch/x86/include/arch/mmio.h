/*
 * mmio.h - device registers in memory space: uncached mappings of a
 * device's BARs (arch/x86/paging.c) and single accesses to them.
 *
 * Drivers (drivers/) map a BAR once at probe with mmio_map and reach its
 * registers only through mmio_read* / mmio_write*: each access is made,
 * in order, never merged or cached. The host tests replace this file
 * (test/host/sim/arch/mmio.h) with functions that hand each access to a
 * simulated device.
 */
#ifndef ARCH_MMIO_H
#define ARCH_MMIO_H

#include <stdint.h>

/*
 * Map size bytes of device memory at physical pa, uncached (PCD and PWT:
 * real hardware must not cache registers), in the kernel's MMIO window
 * (layout.h). Returns the address of pa, or NULL when pa + size reaches
 * 4 GiB (32-bit paging cannot map it) or the window is full; the caller
 * logs why. Boot-time: the mapping lasts until mmio_unmap.
 */
void *mmio_map(uint64_t pa, uint32_t size);
/* Take back a mapping mmio_map returned (a driver's teardown, newest
 * first); its window pages are reused when it was the newest. */
void mmio_unmap(void *va, uint32_t size);

/* The compiler barrier in each access keeps the driver's stores to DMA
 * memory before the register write that hands them to the device, and
 * its loads of DMA memory after the register read that said they were
 * ready. x86 keeps stores in order and UC accesses in program order, so
 * no fence instruction is needed. */
#define MMIO_BARRIER() __asm__ volatile("" ::: "memory")

static inline uint32_t mmio_read32(const volatile uint32_t *reg)
{
	uint32_t v = *reg;

	MMIO_BARRIER();
	return v;
}

static inline uint16_t mmio_read16(const volatile uint16_t *reg)
{
	uint16_t v = *reg;

	MMIO_BARRIER();
	return v;
}

static inline uint8_t mmio_read8(const volatile uint8_t *reg)
{
	uint8_t v = *reg;

	MMIO_BARRIER();
	return v;
}

static inline void mmio_write32(volatile uint32_t *reg, uint32_t v)
{
	MMIO_BARRIER();
	*reg = v;
}

static inline void mmio_write16(volatile uint16_t *reg, uint16_t v)
{
	MMIO_BARRIER();
	*reg = v;
}

static inline void mmio_write8(volatile uint8_t *reg, uint8_t v)
{
	MMIO_BARRIER();
	*reg = v;
}

#endif
