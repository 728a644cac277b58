/* test_fmt.c - lib/fmt.c against the C library's printf for the same specs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lib/fmt.h"

#define SAME(...)                                                  \
	do {                                                       \
		char ours[128], libc[128];                         \
		fmt_snprintf(ours, sizeof ours, __VA_ARGS__);      \
		snprintf(libc, sizeof libc, __VA_ARGS__);          \
		assert_string_equal(ours, libc);                   \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	SAME("%d %i %u", -42, 7, 4000000000u);
	SAME("%x %X %#x %o", 0xbeefu, 0xbeefu, 0x1fu, 8u);
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	SAME("%08x %.3d %.0d|", 0xabcu, 7, 0);
	SAME("%lld %llu %llx", -1234567890123ll, 18446744073709551615ull, 0x123456789abcdefull);
	SAME("%ld %lu %zu %hhu %hd", -5l, 5ul, (size_t)77, 300, 70000);
	SAME("%d", -2147483647 - 1);
	SAME("%016llx", 0xfedcba9876543210ull);
}

static void test_strings_and_chars(void **state)
{
	(void)state;
	SAME("%s|%10s|%-10s|%.2s", "abc", "abc", "abc", "abc");
	SAME("%c%c %%", 'o', 'k');
	SAME("%*d|%-*d|%.*s", 6, 1, 6, 2, 3, "abcdef");
	char buf[16];
	const char *volatile nothing = NULL; /* hide it from -Wformat-overflow */
	fmt_snprintf(buf, sizeof buf, "%s", nothing);
	assert_string_equal(buf, "(null)");
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[8];
	int n = fmt_snprintf(buf, sizeof buf, "%s", "0123456789");
	assert_int_equal(n, 10); /* the length it wanted, as snprintf */
	assert_string_equal(buf, "0123456");
	assert_int_equal(fmt_snprintf(buf, 0, "abc"), 3);
	const char *volatile lone = "ab %"; /* a lone '%' at the end stops there */
	fmt_snprintf(buf, sizeof buf, lone);
	assert_string_equal(buf, "ab ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
