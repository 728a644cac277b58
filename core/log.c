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
#include "lib/string.h"

int log_level = LOG_NORMAL;
unsigned char log_trace;
static struct log_sink *sinks;

/* The log before the screen console starts (it needs the kernel's page
 * directory): the loader's lines, the memory map, the CPU state. A PC
 * without COM1 would never show them, so they are kept and replayed. */
static char early[EARLY_LOG_SIZE];
static size_t early_len, early_lost;
static int early_open = 1;

static void keep_early(const char *s, size_t n)
{
	size_t room = sizeof early - early_len, take = n < room ? n : room;

	memcpy(early + early_len, s, take);
	early_len += take;
	early_lost += n - take;
}

void log_add_sink(struct log_sink *sink)
{
	sink->next = sinks;
	sinks = sink;
}

void log_add_sink_replay(struct log_sink *sink)
{
	char note[96];

	sink->write(early, early_len);
	if (early_lost) {
		int n = fmt_snprintf(note, sizeof note,
				     "\nlog: %u more bytes before the screen started: on serial only\n",
				     (unsigned)early_lost);
		sink->write(note, (size_t)n);
	}
	early_open = 0;
	log_add_sink(sink);
}

void log_write(const char *s, size_t n)
{
	if (early_open)
		keep_early(s, n);
	for (struct log_sink *k = sinks; k; k = k->next)
		k->write(s, n);
}

void log_set_level(int level)
{
	log_level = level;
	if (level >= LOG_VERBOSE)
		log_trace |= LOG_TRACE_VERBOSE;
	else
		log_trace &= (unsigned char)~LOG_TRACE_VERBOSE;
}

void log_early_done(void)
{
	early_open = 0;
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

void kprintf_serial(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof line)
		n = sizeof line - 1;
	for (struct log_sink *k = sinks; k; k = k->next)
		if (!k->screen)
			k->write(line, (size_t)n);
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
