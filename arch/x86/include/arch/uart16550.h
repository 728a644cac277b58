/*
 * uart16550.h - the 16550 UART's registers, and the probe that tells a
 * real one from a floating bus: shared by the kernel's driver
 * (arch/x86/uart.c) and the loader's last-word writer (efi/com1.c).
 *
 * Many PCs have no COM1: port reads then float to 0xFF, the "transmitter
 * empty" bit always reads set and other bits lie. A 16550 holds what is
 * written to IER, and in loopback mode echoes MCR's outputs into MSR.
 */
#ifndef ARCH_UART16550_H
#define ARCH_UART16550_H

#include <stdint.h>

#include "arch/x86/include/arch/io.h"

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

/* Does a 16550 answer at base? Leaves IER and MCR as they were. */
static inline int uart16550_probe(uint16_t base)
{
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

#endif
