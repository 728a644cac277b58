/*
 * tap.h - TAP version 13 test output on the kernel log.
 *
 * Numbering is global across suites; the plan ("1..N") is printed at the
 * end, which TAP allows, so suites need not count their tests up front.
 * A crash mid-run therefore shows up as a missing plan.
 */
#ifndef CORE_TAP_H
#define CORE_TAP_H

#include <stdint.h>

void tap_begin(void);
/* "# suite: name" */
void tap_suite(const char *name);
/* ok/not ok N - description; returns cond. */
int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Compare two numbers; on failure print both. */
int tap_eq(uint64_t got, uint64_t want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A test that cannot run here ("ok N - desc # SKIP why"). */
void tap_skip(const char *desc, const char *why);
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan and the summary; returns the number of failures. */
unsigned tap_finish(void);
unsigned tap_failures(void);
unsigned tap_count(void);

#endif
