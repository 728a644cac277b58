/* fmt.h - printf engine shared by loader, kernel, user programs and host tests. */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_put_fn)(void *ctx, char c);

/* Format to a character sink; returns the number of characters emitted. */
int fmt_vformat(fmt_put_fn put, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: always terminates (size > 0), returns the full length. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
