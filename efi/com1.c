/*
 * com1.c - a last word on COM1 by port I/O, for when the firmware may no
 * longer be asked to print: once ExitBootServices has been called, even
 * unsuccessfully, ConOut and the Serial I/O protocol are off limits.
 *
 * Many PCs have no COM1: port reads then float to 0xFF, the "transmitter
 * empty" bit always reads set and other bits lie. So the UART is probed
 * first as the kernel's arch/x86/uart.c does (IER read-back, then a
 * loopback round trip), and every wait on the line status is bounded.
 */
#include "loader.h"

#include "arch/x86/include/arch/io.h"

#define COM1 0x3F8
#define REG_DATA 0
#define REG_IER 1
#define REG_DLL 0 /* with DLAB set */
#define REG_DLM 1
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MSR_LOOPED (0x80 | 0x10) /* DCD <- OUT2, CTS <- RTS in loopback */
#define LSR_THR_EMPTY 0x20
#define LSR_IDLE 0x40 /* holding and shift registers both empty */
#define IER_ALL 0x0F
#define DIVISOR_115200 1

#define WAIT_LIMIT 100000 /* polls; ~100 ms even on slow port I/O */
#define MAX_TIMEOUTS 8    /* then the UART is taken as gone */

/* Does a 16550 answer at base? Leaves IER and MCR as they were. */
static int com1_probe(uint16_t base)
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

	if (!com1_probe(COM1))
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
