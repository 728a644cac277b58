/*
 * com1.c - a last word on COM1 by port I/O, for when the firmware may no
 * longer be asked to print: once ExitBootServices has been called, even
 * unsuccessfully, ConOut and the Serial I/O protocol are off limits.
 *
 * Many PCs have no COM1: port reads then float to 0xFF, the "transmitter
 * empty" bit always reads set and other bits lie. So the UART is probed
 * first, and set up and written, with the kernel's own code
 * (arch/uart16550.h: the firmware's last bytes let out, IER read-back, a
 * loopback round trip; then 115200 8N1 exactly as the kernel sets it, so
 * one terminal setting reads both), and every wait is bounded.
 */
#include "loader.h"

#include "arch/x86/include/arch/uart16550.h"

/* Waits are bounded in polls (UART16550_WAIT_POLLS: ~100 ms on a PC, ~5 ms
 * emulated), not in TSC time as the kernel's: this writer is given nothing
 * but the line (the TSC's rate may not even be known yet), and one line
 * before a halt needs no finer bound. */
#define BOUND UART16550_BOUND_POLLS
#define MAX_TIMEOUTS 8 /* in the whole line: then the UART is taken as gone */

int com1_write(const char *s)
{
	int timeouts = 0;

	if (!uart16550_probe(COM1, BOUND))
		return 0;
	uart16550_setup(COM1);
	for (; *s && timeouts < MAX_TIMEOUTS; s++) {
		if (*s == '\n')
			timeouts += !uart16550_put(COM1, '\r', BOUND);
		timeouts += !uart16550_put(COM1, (uint8_t)*s, BOUND);
	}
	uart16550_wait(COM1, LSR_IDLE, BOUND); /* let it out before the CPU halts */
	return 1;
}
