/*
 * kbd_map.c - scan code set 1 to characters, US layout.
 *
 * A key sends its code when pressed ("make") and the code with bit 7 set
 * when released ("break"); held down, it repeats the make code. Keys added
 * after the XT keyboard (right Ctrl, the arrow block, keypad Enter and /)
 * send 0xE0 first; Pause sends E1 1D 45 E1 9D C5 and nothing on release.
 * Print Screen and the arrow keys may come wrapped in "fake" shifts
 * (E0 2A, E0 AA, E0 36, E0 B6), which must not change the Shift state.
 *
 * Pure: no I/O, so test/host/test_kbd.c runs it on the host.
 */
#include <arch/kbd.h>

#define CODE_RELEASE 0x80 /* bit 7: the key went up */
#define CODE_MASK 0x7F
#define PREFIX_EXTENDED 0xE0
#define PREFIX_PAUSE 0xE1
#define PAUSE_TAIL 2 /* bytes after each E1 in Pause's make sequence */

#define SC_LCTRL 0x1D  /* E0 1D: right Ctrl */
#define SC_LSHIFT 0x2A /* E0 2A: a fake shift */
#define SC_RSHIFT 0x36 /* E0 36: a fake shift */
#define SC_CAPS 0x3A
#define SC_ENTER 0x1C  /* E0 1C: keypad Enter */
#define SC_SLASH 0x35  /* E0 35: keypad / */
#define SC_UP 0x48     /* E0 48; without E0 it is keypad 8 */
#define SC_LEFT 0x4B
#define SC_RIGHT 0x4D
#define SC_DOWN 0x50

#define LEFT_KEY 0x01  /* bit in kbd_state.shift / .ctrl */
#define RIGHT_KEY 0x02

#define ASCII_ESC 0x1B
#define ASCII_DEL 0x7F  /* what Backspace sends, as on a Linux console */
#define CTRL_MASK 0x1F  /* Ctrl+letter: the letter's low five bits */

/* Characters by scan code, unshifted and shifted; 0: no character. Codes
 * past the end of the tables (F-keys, locks, ...) give none either. */
static const char plain[] =
	"\0\x1b" "1234567890-=" "\x7f\t"	/* 00-0F: -, Esc, digit row, BS, Tab */
	"qwertyuiop[]" "\r\0" "as"		/* 10-1F: ..., Enter, LCtrl */
	"dfghjkl;'`" "\0\\" "zxcv"		/* 20-2F: ..., LShift */
	"bnm,./" "\0*\0 \0" "\0\0\0\0\0"	/* 30-3F: RShift, KP*, Alt, Space, Caps, F1-F5 */
	"\0\0\0\0\0\0\0" "789-456+1"		/* 40-4F: F6-F10, NumLock, ScrLock, keypad */
	"230.";					/* 50-53: keypad */
static const char shifted[] =
	"\0\x1b" "!@#$%^&*()_+" "\x7f\t"
	"QWERTYUIOP{}" "\r\0" "AS"
	"DFGHJKL:\"~" "\0|" "ZXCV"
	"BNM<>?" "\0*\0 \0" "\0\0\0\0\0"
	"\0\0\0\0\0\0\0" "789-456+1"
	"230.";

_Static_assert(sizeof plain == sizeof shifted, "kbd_map: the two tables cover the same codes");
_Static_assert(sizeof plain - 1 == 0x54, "kbd_map: the tables end after keypad '.' (0x53)");

void kbd_state_init(struct kbd_state *st)
{
	*st = (struct kbd_state){ 0 };
}

/* Shift, Ctrl and Caps Lock: update the state; 1 if code was one of them. */
static int modifier(struct kbd_state *st, uint8_t key, int released, int extended)
{
	uint8_t side = extended ? RIGHT_KEY : LEFT_KEY;

	if (key == SC_LCTRL) {
		st->ctrl = released ? st->ctrl & ~side : st->ctrl | side;
		return 1;
	}
	if (key == SC_LSHIFT || key == SC_RSHIFT) {
		if (!extended) {	/* E0 2A / E0 36 are fake shifts: ignored */
			side = key == SC_LSHIFT ? LEFT_KEY : RIGHT_KEY;
			st->shift = released ? st->shift & ~side : st->shift | side;
		}
		return 1;
	}
	if (key == SC_CAPS && !extended) {
		if (!released && !st->caps_held)
			st->caps_lock ^= 1;
		st->caps_held = !released;
		return 1;
	}
	return 0;
}

/* An extended key that types something: arrows, keypad Enter and /. */
static unsigned extended_key(uint8_t key, char out[KBD_SEQ_MAX])
{
	static const struct {
		uint8_t key;
		char final;
	} arrows[] = { { SC_UP, 'A' }, { SC_DOWN, 'B' }, { SC_RIGHT, 'C' }, { SC_LEFT, 'D' } };

	if (key == SC_ENTER || key == SC_SLASH) {
		out[0] = plain[key];
		return 1;
	}
	for (unsigned i = 0; i < sizeof arrows / sizeof arrows[0]; i++) {
		if (arrows[i].key == key) {
			out[0] = ASCII_ESC;
			out[1] = '[';
			out[2] = arrows[i].final;
			return 3;
		}
	}
	return 0;
}

/* A plain key: its character under Shift, Caps Lock and Ctrl. */
static unsigned plain_key(const struct kbd_state *st, uint8_t key, char out[KBD_SEQ_MAX])
{
	if (key >= sizeof plain - 1 || !plain[key])
		return 0;
	char c = st->shift ? shifted[key] : plain[key];
	int letter = plain[key] >= 'a' && plain[key] <= 'z';

	if (letter && st->caps_lock)	/* Caps Lock inverts Shift, for letters only */
		c = st->shift ? plain[key] : shifted[key];
	if (st->ctrl) {
		if (!letter)
			return 0;	/* Ctrl+digit and the like mean nothing here */
		c = (char)(c & CTRL_MASK);
	}
	out[0] = c;
	return 1;
}

unsigned kbd_translate(struct kbd_state *st, uint8_t code, char out[KBD_SEQ_MAX])
{
	if (st->skip) {
		st->skip--;
		return 0;
	}
	if (code == PREFIX_EXTENDED) {
		st->extended = 1;
		return 0;
	}
	if (code == PREFIX_PAUSE) {
		st->skip = PAUSE_TAIL;
		return 0;
	}
	int extended = st->extended, released = (code & CODE_RELEASE) != 0;
	uint8_t key = code & CODE_MASK;

	st->extended = 0;
	if (modifier(st, key, released, extended) || released)
		return 0;
	return extended ? extended_key(key, out) : plain_key(st, key, out);
}
