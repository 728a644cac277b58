/*
 * log.c - format a line once, hand it to every sink.
 *
 * Interrupts are off whenever kernel code runs (see arch/x86/trap.c), so a
 * line is never interleaved with another.
 */
#include "core/log.h"

#include <arch/machine.h>
#include <stdarg.h>

#include "lib/fmt.h"

int log_level = LOG_NORMAL;
static struct log_sink *sinks;

void log_add_sink(struct log_sink *sink)
{
	sink->next = sinks;
	sinks = sink;
}

void log_write(const char *s, size_t n)
{
	for (struct log_sink *k = sinks; k; k = k->next)
		k->write(s, n);
}

static void vlog(const char *fmt, va_list ap)
{
	char line[512];
	int n = fmt_vsnprintf(line, sizeof line, fmt, ap);

	if (n >= (int)sizeof line)
		n = sizeof line - 1;
	log_write(line, (size_t)n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	static int nested;
	va_list ap;

	machine_irq_disable();
	if (nested++) /* a panic while panicking: stop at once */
		machine_finish(MACHINE_EXIT_PANIC);
	kprintf("PANIC: ");
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	kprintf("\n");
	machine_backtrace(__builtin_frame_address(0));
	kprintf("PANIC: system halted\n");
	machine_finish(MACHINE_EXIT_PANIC);
}
