/*
 * uart.c - the 16550 UART at COM1, 115200 8N1.
 *
 * Many PCs have no COM1: port reads then float to 0xFF and a naive "wait
 * until the transmitter is empty" loop never ends. So the UART is probed
 * first (IER read-back, then a loopback round trip), and every wait is
 * bounded; after several timeouts in a row the port is given up for good.
 * Probe, line setting and put-byte are the loader's too (arch/uart16550.h).
 */
#include <arch/io.h>
#include <arch/uart.h>
#include <arch/uart16550.h>

/* How long to wait for the transmitter once the TSC's rate is known (the
 * loader times it): a real 16550 empties in 87 us at 115200, an emulated
 * one holds as long as the host's reader does not read, which can be a
 * second on a busy host. Before that, uart16550.h's bound in polls. */
#define STALL_MS 250
#define MAX_TIMEOUTS 8 /* in a row: then the UART is taken as gone */

static uint16_t port;
static int timeouts;
static uint64_t stall_ticks; /* 0 (UART16550_BOUND_POLLS): count polls */

void uart_set_tsc_khz(uint32_t khz)
{
	stall_ticks = (uint64_t)khz * STALL_MS;
}

int uart_init(void)
{
	if (!uart16550_probe(COM1, stall_ticks))
		return 0;
	uart16550_setup(COM1);
	port = COM1;
	return 1;
}

int uart_present(void)
{
	return port != 0;
}

/*
 * Send one byte, waiting a bounded time for the transmitter. The port is
 * checked here, and only here: the '\r' before a '\n' may be the byte that
 * gives the UART up, and with port 0 the next byte would poll port 5 and
 * write port 0: registers of the 8237 DMA controller.
 */
static void put_raw(char c)
{
	if (!port)
		return;
	if (uart16550_put(port, (uint8_t)c, stall_ticks)) {
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
	for (size_t i = 0; i < n; i++) {
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
