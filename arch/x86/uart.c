/*
 * uart.c - the 16550 UART at COM1, 115200 8N1.
 *
 * Many PCs have no COM1: port reads then float to 0xFF and a naive "wait
 * until the transmitter is empty" loop never ends. So the UART is probed
 * first (IER read-back, then a loopback round trip), and every wait is
 * bounded; after repeated timeouts the port is given up for good.
 */
#include <arch/io.h>
#include <arch/uart.h>

#include "core/log.h"

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
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define IER_RX 0x01

#define WAIT_LIMIT 100000 /* polls; ~100 ms even on slow port I/O */
#define MAX_TIMEOUTS 8

static uint16_t port;
static int timeouts;

static int probe(uint16_t base)
{
	uint8_t saved = inb(base + REG_IER);

	outb(base + REG_IER, 0);
	if (inb(base + REG_IER) & 0x0F)
		return 0;
	outb(base + REG_IER, 0x0F);
	uint8_t back = inb(base + REG_IER);
	outb(base + REG_IER, saved);
	if ((back & 0x0F) != 0x0F)
		return 0;
	/* Loopback: MCR bits OUT2|RTS|... echo into MSR's top nibble. */
	uint8_t mcr = inb(base + REG_MCR);
	outb(base + REG_MCR, MCR_LOOP | 0x0A);
	uint8_t msr = inb(base + REG_MSR) & 0xF0;
	outb(base + REG_MCR, mcr);
	return msr == 0x90;
}

int uart_init(void)
{
	if (!probe(COM1))
		return 0;
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DLL, 1); /* 115200 / 1 */
	outb(COM1 + REG_DLM, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, 0xC7); /* FIFOs on, cleared, 14-byte trigger */
	outb(COM1 + REG_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	port = COM1;
	return 1;
}

int uart_present(void)
{
	return port != 0;
}

/*
 * Send one byte, waiting a bounded time for the transmitter. The port is
 * checked here, not only by the caller: the '\r' before a '\n' may be the
 * byte that gives the UART up, and with port 0 the next byte would poll
 * port 5 and write port 0: registers of the 8237 DMA controller.
 */
static void put_raw(char c)
{
	if (!port)
		return;
	for (int i = 0; i < WAIT_LIMIT; i++) {
		if (inb(port + REG_LSR) & LSR_THR_EMPTY) {
			outb(port + REG_DATA, (uint8_t)c);
			return;
		}
	}
	if (++timeouts >= MAX_TIMEOUTS)
		port = 0; /* the UART stopped answering: stop waiting on it */
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n && port; i++) {
		if (s[i] == '\n')
			put_raw('\r');
		put_raw(s[i]);
	}
}

int uart_getc(void)
{
	if (!port || !(inb(port + REG_LSR) & LSR_DATA_READY))
		return -1;
	return inb(port + REG_DATA);
}

void uart_enable_rx_irq(void)
{
	if (port)
		outb(port + REG_IER, IER_RX);
}
