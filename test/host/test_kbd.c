/* test_kbd.c - arch/x86/kbd_map.c: scan code set 1 to characters, US layout.
 *
 * The expected characters are written here key by key, in a different
 * form from kbd_map.c's tables, so a shifted row or a wrong slot in either
 * shows up as a mismatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <arch/kbd.h>

#define RELEASE 0x80
#define E0 0xE0
#define E1 0xE1
#define LSHIFT 0x2A
#define RSHIFT 0x36
#define CTRL 0x1D
#define CAPS 0x3A
#define ESC "\x1b"

/* One key of the main block: scan code, character, character with Shift. */
struct key {
	uint8_t code;
	char plain, shifted;
};

static const struct key keys[] = {
	{ 0x02, '1', '!' },  { 0x03, '2', '@' },  { 0x04, '3', '#' },  { 0x05, '4', '$' },
	{ 0x06, '5', '%' },  { 0x07, '6', '^' },  { 0x08, '7', '&' },  { 0x09, '8', '*' },
	{ 0x0A, '9', '(' },  { 0x0B, '0', ')' },  { 0x0C, '-', '_' },  { 0x0D, '=', '+' },
	{ 0x10, 'q', 'Q' },  { 0x11, 'w', 'W' },  { 0x12, 'e', 'E' },  { 0x13, 'r', 'R' },
	{ 0x14, 't', 'T' },  { 0x15, 'y', 'Y' },  { 0x16, 'u', 'U' },  { 0x17, 'i', 'I' },
	{ 0x18, 'o', 'O' },  { 0x19, 'p', 'P' },  { 0x1A, '[', '{' },  { 0x1B, ']', '}' },
	{ 0x1E, 'a', 'A' },  { 0x1F, 's', 'S' },  { 0x20, 'd', 'D' },  { 0x21, 'f', 'F' },
	{ 0x22, 'g', 'G' },  { 0x23, 'h', 'H' },  { 0x24, 'j', 'J' },  { 0x25, 'k', 'K' },
	{ 0x26, 'l', 'L' },  { 0x27, ';', ':' },  { 0x28, '\'', '"' }, { 0x29, '`', '~' },
	{ 0x2B, '\\', '|' }, { 0x2C, 'z', 'Z' },  { 0x2D, 'x', 'X' },  { 0x2E, 'c', 'C' },
	{ 0x2F, 'v', 'V' },  { 0x30, 'b', 'B' },  { 0x31, 'n', 'N' },  { 0x32, 'm', 'M' },
	{ 0x33, ',', '<' },  { 0x34, '.', '>' },  { 0x35, '/', '?' },  { 0x39, ' ', ' ' },
	{ 0x0E, 0x7F, 0x7F }, { 0x0F, '\t', '\t' }, { 0x1C, '\r', '\r' }, { 0x01, 0x1B, 0x1B },
	/* the keypad, read as digits (Num Lock is not tracked) */
	{ 0x37, '*', '*' },  { 0x47, '7', '7' },  { 0x48, '8', '8' },  { 0x49, '9', '9' },
	{ 0x4A, '-', '-' },  { 0x4B, '4', '4' },  { 0x4C, '5', '5' },  { 0x4D, '6', '6' },
	{ 0x4E, '+', '+' },  { 0x4F, '1', '1' },  { 0x50, '2', '2' },  { 0x51, '3', '3' },
	{ 0x52, '0', '0' },  { 0x53, '.', '.' },
};
#define NKEYS (sizeof keys / sizeof keys[0])

static struct kbd_state st;

static int setup(void **state)
{
	(void)state;
	kbd_state_init(&st);
	return 0;
}

/* Feed a byte sequence; return everything it typed as a string. */
static const char *feed(const uint8_t *codes, size_t n)
{
	static char typed[256];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		char out[KBD_SEQ_MAX];
		unsigned got = kbd_translate(&st, codes[i], out);
		assert_true(got <= KBD_SEQ_MAX);
		assert_true(len + got < sizeof typed);
		memcpy(typed + len, out, got);
		len += got;
	}
	typed[len] = 0;
	return typed;
}
#define FEED(...) feed((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* Press and release one key. */
static char tap(uint8_t code)
{
	const char *s = FEED(code, code | RELEASE);

	assert_true(strlen(s) <= 1);
	return s[0];
}

static int is_letter(char c)
{
	return c >= 'a' && c <= 'z';
}

static void test_plain_keys(void **state)
{
	(void)state;
	for (size_t i = 0; i < NKEYS; i++) {
		char c = tap(keys[i].code);
		if (c != keys[i].plain)
			fail_msg("code 0x%02x typed 0x%02x, want 0x%02x", keys[i].code, c,
				 keys[i].plain);
	}
}

static void test_shifted_keys_either_shift(void **state)
{
	(void)state;
	for (int side = 0; side < 2; side++) {
		uint8_t shift = side ? RSHIFT : LSHIFT;
		assert_string_equal(FEED(shift), "");
		for (size_t i = 0; i < NKEYS; i++) {
			char c = tap(keys[i].code);
			if (c != keys[i].shifted)
				fail_msg("shift 0x%02x + code 0x%02x typed 0x%02x, want 0x%02x", shift,
					 keys[i].code, c, keys[i].shifted);
		}
		assert_string_equal(FEED(shift | RELEASE), "");
		assert_int_equal(tap(0x1E), 'a'); /* Shift is up again */
	}
}

static void test_both_shifts_held(void **state)
{
	(void)state;
	FEED(LSHIFT, RSHIFT, LSHIFT | RELEASE);
	assert_int_equal(tap(0x1E), 'A'); /* the right one is still down */
	FEED(RSHIFT | RELEASE);
	assert_int_equal(tap(0x1E), 'a');
}

static void test_caps_lock_letters_only(void **state)
{
	(void)state;
	assert_string_equal(FEED(CAPS, CAPS | RELEASE), "");
	for (size_t i = 0; i < NKEYS; i++) {
		char want = is_letter(keys[i].plain) ? keys[i].shifted : keys[i].plain;
		assert_int_equal(tap(keys[i].code), want);
	}
	FEED(LSHIFT); /* Shift under Caps Lock: lower-case letters, shifted symbols */
	for (size_t i = 0; i < NKEYS; i++) {
		char want = is_letter(keys[i].plain) ? keys[i].plain : keys[i].shifted;
		assert_int_equal(tap(keys[i].code), want);
	}
	FEED(LSHIFT | RELEASE, CAPS, CAPS | RELEASE);
	assert_int_equal(tap(0x1E), 'a'); /* off again */
}

static void test_caps_lock_repeat_toggles_once(void **state)
{
	(void)state;
	FEED(CAPS, CAPS, CAPS, CAPS); /* held: typematic repeats */
	assert_int_equal(tap(0x1E), 'A');
	FEED(CAPS | RELEASE);
	assert_int_equal(tap(0x1E), 'A');
	FEED(CAPS, CAPS | RELEASE);
	assert_int_equal(tap(0x1E), 'a');
}

static void test_ctrl_letters(void **state)
{
	(void)state;
	FEED(CTRL);
	assert_int_equal(tap(0x2E), 0x03); /* ^C */
	assert_int_equal(tap(0x16), 0x15); /* ^U */
	assert_int_equal(tap(0x20), 0x04); /* ^D */
	assert_int_equal(tap(0x1E), 0x01); /* ^A */
	assert_int_equal(tap(0x2C), 0x1A); /* ^Z */
	assert_int_equal(tap(0x02), 0);    /* Ctrl+1: nothing */
	assert_int_equal(tap(0x1C), 0);    /* Ctrl+Enter: nothing */
	FEED(LSHIFT);
	assert_int_equal(tap(0x2E), 0x03); /* Ctrl+Shift+C is still ^C */
	FEED(LSHIFT | RELEASE, CTRL | RELEASE);
	assert_int_equal(tap(0x2E), 'c');
}

static void test_right_ctrl(void **state)
{
	(void)state;
	assert_string_equal(FEED(E0, CTRL), "");
	assert_int_equal(tap(0x2E), 0x03);
	FEED(CTRL); /* left too; releasing the right one leaves the left held */
	FEED(E0, CTRL | RELEASE);
	assert_int_equal(tap(0x16), 0x15);
	FEED(CTRL | RELEASE);
	assert_int_equal(tap(0x16), 'u');
}

static void test_arrows(void **state)
{
	(void)state;
	assert_string_equal(FEED(E0, 0x48, E0, 0x48 | RELEASE), ESC "[A");
	assert_string_equal(FEED(E0, 0x50, E0, 0x50 | RELEASE), ESC "[B");
	assert_string_equal(FEED(E0, 0x4D, E0, 0x4D | RELEASE), ESC "[C");
	assert_string_equal(FEED(E0, 0x4B, E0, 0x4B | RELEASE), ESC "[D");
	assert_string_equal(FEED(E0, 0x48, E0, 0x48, E0, 0x48), ESC "[A" ESC "[A" ESC "[A");
	FEED(E0, 0x48 | RELEASE);
	/* the same codes without E0 are the keypad's digits */
	assert_string_equal(FEED(0x48, 0x50, 0x4D, 0x4B), "8264");
}

static void test_fake_shifts(void **state)
{
	(void)state;
	/* Arrows under Num Lock come wrapped in E0 2A ... E0 AA. */
	assert_string_equal(FEED(E0, LSHIFT, E0, 0x48, E0, 0x48 | RELEASE, E0, LSHIFT | RELEASE),
			    ESC "[A");
	assert_int_equal(tap(0x1E), 'a');
	FEED(E0, RSHIFT);
	assert_int_equal(tap(0x1E), 'a');
	FEED(LSHIFT, E0, LSHIFT | RELEASE); /* a fake release leaves the real Shift down */
	assert_int_equal(tap(0x1E), 'A');
	FEED(LSHIFT | RELEASE);
}

static void test_extended_keys(void **state)
{
	(void)state;
	assert_string_equal(FEED(E0, 0x1C, E0, 0x1C | RELEASE), "\r"); /* keypad Enter */
	assert_string_equal(FEED(E0, 0x35, E0, 0x35 | RELEASE), "/");  /* keypad / */
	FEED(LSHIFT);
	assert_string_equal(FEED(E0, 0x35), "/"); /* not '?' */
	FEED(LSHIFT | RELEASE);
	/* Home, End, PgUp, PgDn, Insert, Delete, right Alt, Windows keys: nothing */
	assert_string_equal(FEED(E0, 0x47, E0, 0x4F, E0, 0x49, E0, 0x51, E0, 0x52, E0, 0x53, E0,
				 0x38, E0, 0x5B, E0, 0x5C, E0, 0x5D),
			    "");
	assert_int_equal(tap(0x1E), 'a'); /* and the prefix does not linger */
}

static void test_pause_and_print_screen(void **state)
{
	(void)state;
	assert_string_equal(FEED(E1, 0x1D, 0x45, E1, 0x9D, 0xC5), ""); /* Pause */
	assert_int_equal(tap(0x1E), 'a');
	assert_int_equal(st.ctrl, 0); /* the 1D inside Pause is no Ctrl */
	assert_string_equal(FEED(E0, 0x2A, E0, 0x37, E0, 0xB7, E0, 0xAA), ""); /* Print Screen */
	assert_int_equal(tap(0x1E), 'a');
	assert_string_equal(FEED(E0, 0x46, E0, 0xC6), ""); /* Ctrl+Break */
	assert_int_equal(tap(0x1E), 'a');
}

static void test_keys_without_characters(void **state)
{
	(void)state;
	/* F1-F12, Num/Scroll Lock, Alt, codes past the table, controller bytes */
	static const uint8_t silent[] = { 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41, 0x42,
					  0x43, 0x44, 0x57, 0x58, 0x45, 0x46, 0x38, 0x00,
					  0x54, 0x55, 0x56, 0x59, 0x5F, 0x7F };
	for (size_t i = 0; i < sizeof silent; i++) {
		char out[KBD_SEQ_MAX];
		assert_int_equal(kbd_translate(&st, silent[i], out), 0);
		assert_int_equal(kbd_translate(&st, silent[i] | RELEASE, out), 0);
	}
	/* ACK (FA), resend (FE), overrun (FF), echo (EE) from the keyboard */
	assert_string_equal(FEED(0xFA, 0xFE, 0xFF, 0xEE), "");
	assert_int_equal(tap(0x1E), 'a');
	assert_int_equal(st.shift | st.ctrl | st.caps_lock, 0);
}

static void test_every_byte_is_safe(void **state)
{
	(void)state;
	/* Any byte sequence: bounded output, never a crash (ASan/UBSan watch). */
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			char out[KBD_SEQ_MAX];
			kbd_state_init(&st);
			assert_true(kbd_translate(&st, (uint8_t)a, out) <= KBD_SEQ_MAX);
			assert_true(kbd_translate(&st, (uint8_t)b, out) <= KBD_SEQ_MAX);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_plain_keys, setup),
		cmocka_unit_test_setup(test_shifted_keys_either_shift, setup),
		cmocka_unit_test_setup(test_both_shifts_held, setup),
		cmocka_unit_test_setup(test_caps_lock_letters_only, setup),
		cmocka_unit_test_setup(test_caps_lock_repeat_toggles_once, setup),
		cmocka_unit_test_setup(test_ctrl_letters, setup),
		cmocka_unit_test_setup(test_right_ctrl, setup),
		cmocka_unit_test_setup(test_arrows, setup),
		cmocka_unit_test_setup(test_fake_shifts, setup),
		cmocka_unit_test_setup(test_extended_keys, setup),
		cmocka_unit_test_setup(test_pause_and_print_screen, setup),
		cmocka_unit_test_setup(test_keys_without_characters, setup),
		cmocka_unit_test_setup(test_every_byte_is_safe, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
