/*
 * uart.c - the 16550 UART at COM1, 115200 8N1.
 *
 * Many PCs have no COM1: port reads then float to 0xFF and a naive "wait
 * until the transmitter is empty" loop never ends. So the UART is probed
 * first (IER read-back, then a loopback round trip), and every wait is
 * bounded; after several timeouts in a row the port is given up for good.
 */
#include <arch/io.h>
#include <arch/uart.h>
#include <arch/uart16550.h>

#include "core/log.h"

#define WAIT_LIMIT 100000 /* polls; ~100 ms even on slow port I/O */
#define MAX_TIMEOUTS 8

static uint16_t port;
static int timeouts;

int uart_init(void)
{
	if (!uart16550_probe(COM1))
		return 0;
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DLL, DIVISOR_115200);
	outb(COM1 + REG_DLM, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, FCR_ON_CLEAR_14);
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
			timeouts = 0;
			return;
		}
	}
	/* A stall now and then (a terminal not reading, flow held) is not
	 * a dead UART; several in a row, with nothing sent between, are. */
	if (++timeouts >= MAX_TIMEOUTS)
		port = 0;
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
