/*
 * kbd.c - the PS/2 keyboard behind an i8042 controller, on IRQ 1.
 *
 * Many PCs sold since about 2015 have no i8042 at all: nothing decodes
 * ports 0x60/0x64 and every read floats to 0xFF, so "wait until the input
 * buffer is empty" never ends. Others have none but emulate one in SMM for
 * a USB keyboard ("USB legacy support"), until an OS takes the USB
 * controller over, which this kernel never does. So the controller is
 * probed with bounded waits only and must read back the configuration
 * written to it; a machine that fails simply has no keyboard.
 *
 * The controller translates the keyboard's scan code set 2 into set 1
 * (configuration bit 6: firmware normally sets it, we make sure); kbd_map.c
 * turns set 1 into characters, which the IRQ handler queues in a ring.
 */
#include <arch/io.h>
#include <arch/kbd.h>
#include <arch/machine.h>
#include <arch/trap.h>

#include "core/log.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64 /* read */
#define I8042_COMMAND 0x64 /* write */

#define STATUS_OUTPUT_FULL 0x01 /* a byte waits at I8042_DATA */
#define STATUS_INPUT_FULL 0x02 /* the controller has not taken the last write */
#define STATUS_AUX 0x20 /* the waiting byte came from the mouse port */
#define STATUS_NOTHING 0xFF /* what an undecoded port reads */

#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_DISABLE_AUX 0xA7
#define CMD_DISABLE_KBD 0xAD
#define CMD_ENABLE_KBD 0xAE

#define CONFIG_KBD_IRQ 0x01
#define CONFIG_AUX_IRQ 0x02
#define CONFIG_KBD_CLOCK_OFF 0x10
#define CONFIG_AUX_CLOCK_OFF 0x20
#define CONFIG_TRANSLATE 0x40

#define KBD_ENABLE_SCANNING 0xF4
#define KBD_ACK 0xFA

#define WAIT_LIMIT 100000 /* polls; ~100 ms even on slow port I/O */
#define DRAIN_LIMIT 32    /* bytes read to empty the controller's buffer */
#define RING_SIZE 64      /* characters; a power of two */

static char ring[RING_SIZE];
static volatile unsigned ring_head, ring_tail; /* free-running: head by the IRQ, tail by readers */
static struct kbd_state state;
static void (*notify)(void);
static int present;

/* Wait until the controller can take a byte; 0 on timeout. */
static int wait_writable(void)
{
	for (int i = 0; i < WAIT_LIMIT; i++)
		if (!(inb(I8042_STATUS) & STATUS_INPUT_FULL))
			return 1;
	return 0;
}

/* Wait for a byte from the controller; -1 on timeout. */
static int read_byte(void)
{
	for (int i = 0; i < WAIT_LIMIT; i++)
		if (inb(I8042_STATUS) & STATUS_OUTPUT_FULL)
			return inb(I8042_DATA);
	return -1;
}

static int command(uint8_t cmd)
{
	if (!wait_writable())
		return 0;
	outb(I8042_COMMAND, cmd);
	return 1;
}

/* A controller command followed by a data byte for it. */
static int command_with_data(uint8_t cmd, uint8_t data)
{
	if (!command(cmd) || !wait_writable())
		return 0;
	outb(I8042_DATA, data);
	return 1;
}

/* Throw away whatever the controller holds (keys typed in the firmware). */
static void drain(void)
{
	for (int i = 0; i < DRAIN_LIMIT && (inb(I8042_STATUS) & STATUS_OUTPUT_FULL); i++)
		(void)inb(I8042_DATA);
}

static int read_config(void)
{
	return command(CMD_READ_CONFIG) ? read_byte() : -1;
}

/*
 * Keyboard port on with its IRQ and translation, mouse port off. Returns
 * 0 unless the controller answered and reads the new configuration back:
 * a missing controller answers nothing, or 0xFF.
 */
static int configure(void)
{
	if (!command(CMD_DISABLE_KBD) || !command(CMD_DISABLE_AUX))
		return 0;
	drain();
	int old = read_config();
	if (old < 0)
		return 0;
	uint8_t cfg = (uint8_t)((old | CONFIG_KBD_IRQ | CONFIG_TRANSLATE | CONFIG_AUX_CLOCK_OFF) &
				~(CONFIG_AUX_IRQ | CONFIG_KBD_CLOCK_OFF));
	if (!command_with_data(CMD_WRITE_CONFIG, cfg) || read_config() != cfg)
		return 0;
	return command(CMD_ENABLE_KBD);
}

/* Ask the keyboard to send keys (firmware may have stopped it); 1 if it
 * acknowledged. No answer is no error: a keyboard may be missing. */
static int keyboard_enable(void)
{
	if (!wait_writable())
		return 0;
	outb(I8042_DATA, KBD_ENABLE_SCANNING);
	for (int i = 0; i < DRAIN_LIMIT; i++) {
		int b = read_byte();
		if (b < 0)
			return 0;
		if (b == KBD_ACK)
			return 1;
	}
	return 0;
}

/* Queue a key's characters, all or none (half an escape sequence is worse
 * than a lost key). Returns how many were queued. */
static unsigned ring_put(const char *s, unsigned n)
{
	unsigned head = ring_head;

	if (RING_SIZE - (head - ring_tail) < n)
		return 0;
	for (unsigned i = 0; i < n; i++)
		ring[(head + i) % RING_SIZE] = s[i];
	__asm__ volatile("" ::: "memory"); /* the characters before the index */
	ring_head = head + n;
	return n;
}

/* IRQ 1 is the i8042's alone: ours when it held a byte. */
static int kbd_irq(void *ctx)
{
	unsigned queued = 0, bytes = 0;

	(void)ctx;

	for (int i = 0; i < DRAIN_LIMIT; i++) {
		uint8_t status = inb(I8042_STATUS);
		if (!(status & STATUS_OUTPUT_FULL))
			break;
		uint8_t code = inb(I8042_DATA);
		bytes++;
		if (status & STATUS_AUX)
			continue; /* a mouse byte, though the port is off */
		char seq[KBD_SEQ_MAX];
		queued += ring_put(seq, kbd_translate(&state, code, seq));
	}
	if (queued && notify)
		notify();
	return bytes ? IRQ_HANDLED : IRQ_NONE;
}

int kbd_init(void)
{
	uint8_t status = inb(I8042_STATUS);
	int found = 0;

	if (present)
		return 1;
	if (status != STATUS_NOTHING) {
		drain();
		found = configure();
	}
	if (!found) {
		log_normal("kbd: no i8042 keyboard controller (status 0x%02x)\n", status);
		return 0;
	}
	int acked = keyboard_enable();
	drain();
	kbd_state_init(&state);
	present = 1;
	irq_register(KBD_IRQ, kbd_irq, 0);
	pic_unmask(KBD_IRQ);
	log_normal("kbd: i8042 keyboard controller on IRQ %d, scan code set 1, %s\n", KBD_IRQ,
		   acked ? "keyboard answered" : "no keyboard answered (yet)");
	return 1;
}

int kbd_getc(void)
{
	unsigned tail = ring_tail;

	if (tail == ring_head)
		return -1;
	int c = (unsigned char)ring[tail % RING_SIZE];
	ring_tail = tail + 1;
	return c;
}

void kbd_set_notify(void (*fn)(void))
{
	notify = fn;
}
