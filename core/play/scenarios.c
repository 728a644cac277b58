/*
 * scenarios.c - the built-in scenario suite: the .pg files of test/scenarios,
 * into the kernel. Each runs as a script; afterwards every page must be
 * back (the free count at its value before the scenario) and the
 * invariant checker must find nothing.
 */
#include "core/play/interp.h"

#include "core/log.h"
#include "core/tap.h"

extern const struct play_source __scenarios_start[], __scenarios_end[];

void play_run_scenarios(void)
{
	tap_suite("scenario");
	for (const struct play_source *s = __scenarios_start; s < __scenarios_end; s++) {
		uint32_t before = pmm_free_pages();
		unsigned failures = play_run_script(s->name, s->start, (uint32_t)(s->end - s->start));
		tap_eq(failures, 0, "%s: no failed expect, no error", s->name);
		tap_eq(pmm_free_pages(), before, "%s: every page back afterwards", s->name);
		tap_eq(mm_check(), 0, "%s: invariant checker", s->name);
	}
}
