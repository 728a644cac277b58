/*
 * uart.c - the 16550 UART at COM1, 115200 8N1.
 *
 * Many PCs have no COM1: port reads then float to 0xFF and a naive "wait
 * until the transmitter is empty" loop never ends. So the UART is probed
 * first (IER read-back, then a loopback round trip), and every wait is
 * bounded; after several timeouts in a row the port is given up for good.
 */
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/uart.h>
#include <arch/uart16550.h>

#include "core/log.h"

/* How long to wait for the transmitter. A real 16550 empties in 87 us at
 * 115200; an emulated one holds as long as the host's reader does not
 * read, which can be a second on a busy host. So the wait is bounded in
 * time once the TSC's rate is known (the loader times it), and in polls
 * before that: a poll is ~1 us on a PC but ~50 ns under emulation. */
#define WAIT_POLLS 100000
#define STALL_MS 250
#define MAX_TIMEOUTS 8 /* in a row: then the UART is taken as gone */

static uint16_t port;
static int timeouts;
static uint64_t stall_ticks; /* 0: count polls */

void uart_set_tsc_khz(uint32_t khz)
{
	stall_ticks = (uint64_t)khz * STALL_MS;
}

/* Wait until the transmitter holds no byte; 0 on timeout. */
static int wait_transmitter(void)
{
	if (!stall_ticks) {
		for (int i = 0; i < WAIT_POLLS; i++)
			if (inb(port + REG_LSR) & LSR_THR_EMPTY)
				return 1;
		return 0;
	}
	for (uint64_t end = rdtsc() + stall_ticks;;) {
		if (inb(port + REG_LSR) & LSR_THR_EMPTY)
			return 1;
		if (rdtsc() > end)
			return 0;
	}
}

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
	if (wait_transmitter()) {
		outb(port + REG_DATA, (uint8_t)c);
		timeouts = 0;
		return;
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
