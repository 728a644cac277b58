/*
 * log.h - the kernel log: every line goes to serial (when a UART answered
 * the probe) and to the framebuffer console (when there is one).
 *
 * The format of each line is stable and documented in docs/serial-log.md:
 * tests and graders assert on it. Levels: quiet (TAP, errors, panics),
 * normal (boot log, summaries), verbose (one line per fault and per TLB
 * flush). The verbose check is one compare, cheap enough for hot paths.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <config.h>
#include <stddef.h>

/* A destination for log text. */
struct log_sink {
	const char *name;
	void (*write)(const char *s, size_t n);
	struct log_sink *next;
	int screen; /* draws pictures itself: kprintf_serial() skips it */
};

extern int log_level;

void log_add_sink(struct log_sink *sink);
/* Add a sink that starts late (the screen), giving it first everything
 * logged so far (up to EARLY_LOG_SIZE bytes); stops keeping the log. */
#define EARLY_LOG_SIZE 16384
void log_add_sink_replay(struct log_sink *sink);
/* No late sink is coming (no screen): stop keeping the early log. */
void log_early_done(void);
void log_write(const char *s, size_t n);

/* Always printed, whatever the level. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Always printed, to every sink but the screen (today: serial): the
 * character version of a picture the screen draws in pixels, and the
 * report's records (core/report.c), which are for machines. */
void kprintf_serial(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Printed when level <= log_level. */
void klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set log_level: use this rather than an assignment, so that log_trace
 * follows it. */
void log_set_level(int level);

/*
 * Nonzero when someone watches every page fault: the verbose log
 * (LOG_TRACE_VERBOSE) or the report's records (LOG_TRACE_REPORT). The
 * fault path tests this one byte, once, and does nothing more unless it
 * is set: watching costs the fault path a single predictable branch,
 * the one it always had for the verbose log.
 */
#define LOG_TRACE_VERBOSE 0x1u
#define LOG_TRACE_REPORT 0x2u
extern unsigned char log_trace;

#define log_normal(...) klog(LOG_NORMAL, __VA_ARGS__)
#define log_verbose(...)                              \
	do {                                          \
		if (__builtin_expect(log_level >= LOG_VERBOSE, 0)) \
			kprintf(__VA_ARGS__);         \
	} while (0)

/* A kernel bug: print, dump, stop (exits QEMU with a failure status). */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
