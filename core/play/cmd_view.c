/*
 * cmd_view.c - the playground's side of the pictures (core/view) and of
 * the report (core/report.c): `watch on|off`, the report's snapshots of
 * the named tasks, and what runs around every command (the live strip's
 * redraw, the report's task census).
 */
#include "core/play/interp.h"

#include "core/fbcon.h"
#include "core/log.h"
#include "core/report.h"
#include "core/task/task.h"
#include "core/view/view.h"
#include "lib/fmt.h"
#include "lib/string.h"

static int cmd_watch(struct play *p, int argc, char **argv)
{
	(void)argc;
	if (strcmp(argv[1], "on") && strcmp(argv[1], "off"))
		return play_error(p, "usage: watch on|off");
	if (!fbcon_active())
		return play_error(p, "watch: there is no screen (the strip is drawn on the "
				  "framebuffer; show map prints characters here)");
	struct watch_cost c;
	int had = watch_cost(&c);
	watch_set(!strcmp(argv[1], "on"));
	if (watch_is_on())
		play_say("watch on: the top of the screen shows memory and the fault counters, live");
	else if (had)
		play_say("watch off: %u redraws took %u.%03u ms of %u ms (%u.%u%%)", c.redraws,
			 c.spent_us / 1000, c.spent_us % 1000, c.total_ms, c.permille / 10,
			 c.permille % 10);
	else
		play_say("watch off");
	return 0;
}

void play_snapshot(struct play *p, int argc, char **argv)
{
	char why[PLAY_MSG_MAX];
	unsigned n = 0;

	if (!report_active())
		return;
	why[0] = 0;
	for (int i = 0; i < argc && n < sizeof why; i++)
		n += (unsigned)fmt_snprintf(why + n, sizeof why - n, "%s%s", i ? " " : "", argv[i]);
	report_snapshot_begin(why);
	for (int i = 0; i < MAX_PTASKS; i++) {
		struct task *k = ptask_task(&p->tasks[i]);
		if (k && k->as)
			report_space(p->tasks[i].name, k->pid, k->as);
	}
	report_snapshot_end();
}

void play_after_command(struct play *p)
{
	(void)p;
	report_tasks();
	watch_poke();
}

const struct command view_commands[] = {
	{ "watch", 1, 1, cmd_watch, "on|off",
	  "a live strip atop the screen: memory map, fault counters" },
	{ 0, 0, 0, 0, 0, 0 },
};
