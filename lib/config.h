/* config.h - parser for playground.cfg (key=value lines). */
#ifndef LIB_CONFIG_H
#define LIB_CONFIG_H

#include <stddef.h>

#include <config.h>

/* Called once per problem: line number (1-based) and a complete message. */
typedef void (*config_report_fn)(void *ctx, unsigned line, const char *msg);

/* Fill cfg with the defaults (what an absent file means). */
void config_defaults(struct pg_config *cfg);

/*
 * Parse text[0..len) into cfg (which should hold the defaults). Bad lines
 * and unknown keys are reported and skipped, never fatal. Returns the
 * number of problems reported.
 */
unsigned config_parse(struct pg_config *cfg, const char *text, size_t len,
		      config_report_fn report, void *ctx);

/* Name of a swap mode ("auto", "disk", "highram", "off"). */
const char *config_swap_name(unsigned mode);

/* Name of a run step, for logs ("suite", "scripts", ...). */
const char *config_step_name(unsigned step);

#endif
