/* tap.c - TAP version 13 on the kernel log (Debian 12's prove rejects 14). */
#include "core/tap.h"

#include <stdarg.h>

#include "core/log.h"
#include "lib/fmt.h"

static unsigned count, failures;
static int begun;

void tap_begin(void)
{
	if (!begun)
		kprintf("TAP version 13\n");
	begun = 1;
}

void tap_suite(const char *name)
{
	tap_begin();
	kprintf("# suite: %s\n", name);
}

static int report(int cond, const char *fmt, va_list ap)
{
	char desc[200];

	tap_begin();
	fmt_vsnprintf(desc, sizeof desc, fmt, ap);
	count++;
	if (!cond)
		failures++;
	kprintf("%s %u - %s\n", cond ? "ok" : "not ok", count, desc);
	return cond;
}

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	return cond;
}

int tap_eq(uint64_t got, uint64_t want, const char *fmt, ...)
{
	va_list ap;
	int cond = got == want;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		kprintf("#   got: %llu (0x%llx), expected: %llu (0x%llx)\n",
			(unsigned long long)got, (unsigned long long)got,
			(unsigned long long)want, (unsigned long long)want);
	return cond;
}

void tap_skip(const char *desc, const char *why)
{
	tap_begin();
	count++;
	kprintf("ok %u - %s # SKIP %s\n", count, desc, why);
}

void tap_diag(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	kprintf("# %s\n", line);
}

unsigned tap_finish(void)
{
	tap_begin();
	kprintf("1..%u\n", count);
	kprintf("# summary: %u tests, %u passed, %u failed\n", count, count - failures, failures);
	return failures;
}

unsigned tap_failures(void)
{
	return failures;
}

unsigned tap_count(void)
{
	return count;
}
