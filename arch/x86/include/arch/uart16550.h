/*
 * uart16550.h - the 16550 UART: its registers, the probe that tells a real
 * one from a floating bus, the line setting and a bounded put-byte; shared
 * by the kernel's driver (arch/x86/uart.c) and the loader's last-word
 * writer (efi/com1.c), so both set the port the same way.
 *
 * Many PCs have no COM1: port reads then float to 0xFF, the "transmitter
 * empty" bit always reads set and other bits lie. A 16550 holds what is
 * written to IER, and in loopback mode echoes MCR's outputs into MSR.
 * Every wait on the line status is bounded: a real 16550 empties in 87 us
 * a byte at 115200, but an emulated one holds as long as the host's reader
 * does not read, and a stuck one forever.
 */
#ifndef ARCH_UART16550_H
#define ARCH_UART16550_H

#include <stdint.h>

#include "arch/x86/include/arch/io.h"
#include "arch/x86/include/arch/tsc.h"

#define COM1 0x3F8

#define REG_DATA 0
#define REG_IER 1
#define REG_DLL 0 /* with DLAB set */
#define REG_DLM 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT2 0x08 /* gates the IRQ line on PCs */
#define MCR_LOOP 0x10
#define MSR_LOOPED (0x80 | 0x10) /* DCD <- OUT2, CTS <- RTS in loopback */
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LSR_IDLE 0x40 /* holding and shift registers both empty */
#define IER_RX 0x01
#define IER_ALL 0x0F
#define FCR_ON_CLEAR_14 0xC7 /* FIFOs on, both cleared, 14-byte trigger */
#define DIVISOR_115200 1

/* A wait's bound when the TSC's rate is unknown (tsc_ticks 0 below): LSR
 * reads. A port read takes ~1 us on a PC, so this is ~100 ms there, but
 * only ~50 ns under emulation (~5 ms). */
#define UART16550_WAIT_POLLS 100000
#define UART16550_BOUND_POLLS 0 /* tsc_ticks for "count polls" */

/* Spin until one of the LSR bits in mask is set: 1, or 0 on timeout, after
 * tsc_ticks TSC ticks, or UART16550_WAIT_POLLS reads when tsc_ticks is 0.
 * A floating bus reads 0xFF, every bit set: no UART ends it at once. */
static inline int uart16550_wait(uint16_t base, uint8_t mask, uint64_t tsc_ticks)
{
	if (!tsc_ticks) {
		for (uint32_t i = 0; i < UART16550_WAIT_POLLS; i++)
			if (inb(base + REG_LSR) & mask)
				return 1;
		return 0;
	}
	for (uint64_t end = rdtsc() + tsc_ticks;;) {
		if (inb(base + REG_LSR) & mask)
			return 1;
		if (rdtsc() > end)
			return 0;
	}
}

/*
 * Does a 16550 answer at base? Leaves IER and MCR as they were. First the
 * bytes already sent are let out (bounded as uart16550_wait): loopback
 * mode during the probe, and the FIFO clear of uart16550_setup after it,
 * would lose them, and they are the last line of whoever used the port
 * before (the firmware's, the loader's: up to a FIFO's 16 bytes, 1.4 ms).
 */
static inline int uart16550_probe(uint16_t base, uint64_t tsc_ticks)
{
	uart16550_wait(base, LSR_IDLE, tsc_ticks);

	uint8_t ier = inb(base + REG_IER);

	outb(base + REG_IER, 0);
	if (inb(base + REG_IER) & IER_ALL)
		return 0;
	outb(base + REG_IER, IER_ALL);
	uint8_t back = inb(base + REG_IER);
	outb(base + REG_IER, ier);
	if ((back & IER_ALL) != IER_ALL)
		return 0;
	uint8_t mcr = inb(base + REG_MCR);
	outb(base + REG_MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
	uint8_t msr = inb(base + REG_MSR) & 0xF0;
	outb(base + REG_MCR, mcr);
	return msr == MSR_LOOPED;
}

/*
 * 115200 8N1, FIFOs on and cleared, interrupts off, DTR and RTS up: the
 * one setting of the loader and the kernel, so one terminal setting reads
 * both. OUT2 gates the IRQ line on PCs; with IER 0 nothing is raised until
 * the kernel asks for receive interrupts. Only after uart16550_probe said
 * yes (which also let the line go idle: the FIFO clear drops what it holds).
 */
static inline void uart16550_setup(uint16_t base)
{
	outb(base + REG_IER, 0);
	outb(base + REG_LCR, LCR_DLAB);
	outb(base + REG_DLL, DIVISOR_115200);
	outb(base + REG_DLM, 0);
	outb(base + REG_LCR, LCR_8N1);
	outb(base + REG_FCR, FCR_ON_CLEAR_14);
	outb(base + REG_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
}

/* Send c once the transmitter holds no byte, waiting as uart16550_wait:
 * 1 sent, 0 timed out (c dropped). */
static inline int uart16550_put(uint16_t base, uint8_t c, uint64_t tsc_ticks)
{
	if (!uart16550_wait(base, LSR_THR_EMPTY, tsc_ticks))
		return 0;
	outb(base + REG_DATA, c);
	return 1;
}

#endif
