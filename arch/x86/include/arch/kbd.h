/*
 * kbd.h - the PS/2 keyboard behind an i8042 controller.
 *
 * Keys arrive as scan code set 1 (the controller translates the keyboard's
 * set 2) and come out as the bytes a serial terminal would send for them:
 * printable ASCII, '\r' for Enter, 0x7F for Backspace, control characters
 * for Ctrl+letter, and ESC [ A/B/C/D for the arrow keys (US layout).
 */
#ifndef ARCH_KBD_H
#define ARCH_KBD_H

#include <stdint.h>

#define KBD_IRQ 1
#define KBD_SEQ_MAX 3 /* the longest output of one key: ESC [ A */

/* Probe the controller and take IRQ 1; 0 when there is no controller. */
int kbd_init(void);
/* The next character typed, or -1 when none is waiting. */
int kbd_getc(void);
/* Called from the IRQ handler whenever characters arrived (NULL: none). */
void kbd_set_notify(void (*fn)(void));

/* ---- the translation, separate so that it can be tested on the host ---- */

/* What the translation remembers between scan codes. */
struct kbd_state {
	uint8_t extended;  /* an 0xE0 prefix came: the next code is an extended key */
	uint8_t skip;      /* bytes of the Pause key's sequence still to drop */
	uint8_t shift;     /* one bit per Shift key held */
	uint8_t ctrl;      /* one bit per Ctrl key held */
	uint8_t caps_lock; /* toggled by each press of Caps Lock */
	uint8_t caps_held; /* Caps Lock is down: its typematic repeats toggle nothing */
};

void kbd_state_init(struct kbd_state *st);
/* Feed one byte from the keyboard; the characters it completes go to out.
 * Returns how many (0 .. KBD_SEQ_MAX): releases, modifiers, prefixes and
 * keys without a character give 0. */
unsigned kbd_translate(struct kbd_state *st, uint8_t code, char out[KBD_SEQ_MAX]);

#endif
