/*
 * com1.c - a last word on COM1 by port I/O, for when the firmware may no
 * longer be asked to print: once ExitBootServices has been called, even
 * unsuccessfully, ConOut and the Serial I/O protocol are off limits.
 *
 * Many PCs have no COM1: port reads then float to 0xFF, the "transmitter
 * empty" bit always reads set and other bits lie. So the UART is probed
 * first, with the kernel's own probe (arch/uart16550.h: IER read-back,
 * then a loopback round trip), and every wait on the line status is bounded.
 */
#include "loader.h"

#include "arch/x86/include/arch/uart16550.h"

#define WAIT_LIMIT 100000 /* polls; ~100 ms even on slow port I/O */
#define MAX_TIMEOUTS 8    /* then the UART is taken as gone */

/* Spin until one of the LSR bits in mask is set; 0 on timeout. */
static int com1_wait(uint8_t mask)
{
	for (int i = 0; i < WAIT_LIMIT; i++)
		if (inb(COM1 + REG_LSR) & mask)
			return 1;
	return 0;
}

/*
 * 115200 8N1, interrupts off: what the kernel sets, so one terminal setting
 * reads both. The firmware's last bytes are let out first (a bounded wait),
 * since changing the divisor under them would garble them.
 */
static void com1_setup(void)
{
	com1_wait(LSR_IDLE);
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DLL, DIVISOR_115200);
	outb(COM1 + REG_DLM, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_MCR, MCR_DTR | MCR_RTS);
}

int com1_write(const char *s)
{
	int timeouts = 0;

	if (!uart16550_probe(COM1))
		return 0;
	com1_setup();
	for (; *s && timeouts < MAX_TIMEOUTS; s++) {
		if (*s == '\n') {
			timeouts += !com1_wait(LSR_THR_EMPTY);
			outb(COM1 + REG_DATA, '\r');
		}
		timeouts += !com1_wait(LSR_THR_EMPTY);
		outb(COM1 + REG_DATA, (uint8_t)*s);
	}
	com1_wait(LSR_IDLE); /* let it out before the CPU halts */
	return 1;
}
