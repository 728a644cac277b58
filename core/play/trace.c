/*
 * trace.c - the page-reference trace: `trace on [label]` ... `trace off`.
 *
 * While a trace is on, every page a script's memory command makes a task
 * touch (read, write, fill, sum, touch: each runs in ring 3 in the task)
 * is printed on the log as one compact line, in the order of the accesses,
 * and a task's end as another:
 *
 *   trace: on belady                  a trace starts, with its label
 *   trace: a r 10000                  task a read page 0x10000 (address >> 12)
 *   trace: a w 10000+16               16 pages from 0x10000 up, written
 *   trace: a gone                     a's pages left memory (exit, kill)
 *   trace: off belady, 12 references  the end, and the references counted
 *
 * scripts/pgtrace.py reads these lines back and replays them under FIFO,
 * clock, aging, active/inactive and OPT (Belady's optimal, which needs the
 * future and so can only be computed offline) for a table of faults.
 * The trace is made here, after each command's reply, never in the fault
 * path: with the trace off it costs nothing. What a task's own
 * instructions touch besides (the agent's code and stack) is not part of
 * the workload, and not traced; nor are spawned programs' accesses, which
 * the kernel never sees one by one.
 */
#include "core/log.h"
#include "core/play/interp.h"
#include "lib/string.h"

static void say_ref(const char *task, int write, uint32_t first, uint32_t n)
{
	if (n == 1)
		kprintf("trace: %s %c %x\n", task, write ? 'w' : 'r', first);
	else
		kprintf("trace: %s %c %x+%u\n", task, write ? 'w' : 'r', first, n);
}

void play_trace_access(struct play *p, const struct ptask *t, const struct pg_agent_cmd *c)
{
	uint32_t len, first, last;
	int write;

	if (!p->trace)
		return;
	switch (c->op) {
	case AGENT_READ:
	case AGENT_WRITE:
		len = c->size;
		write = c->op == AGENT_WRITE;
		break;
	case AGENT_FILL:
	case AGENT_SUM:
	case AGENT_TOUCH:
		len = c->len;
		write = c->op == AGENT_FILL || (c->op == AGENT_TOUCH && c->size);
		break;
	default:
		return;
	}
	if (!len)
		return;
	first = c->addr >> 12;
	last = (c->addr + len - 1) >> 12;
	say_ref(t->name, write, first, last - first + 1);
	p->trace_refs += last - first + 1;
}

void play_trace_gone(struct play *p, const struct ptask *t)
{
	if (p->trace)
		kprintf("trace: %s gone\n", t->name);
}

void play_trace_stop(struct play *p)
{
	if (!p->trace)
		return;
	kprintf("trace: off %s, %u references\n", p->trace_label, p->trace_refs);
	p->trace = 0;
}

/* trace on [label] | trace off */
static int cmd_trace(struct play *p, int argc, char **argv)
{
	if (!strcmp(argv[1], "off") && argc == 2) {
		if (!p->trace)
			return play_error(p, "no trace is on");
		play_trace_stop(p);
		return 0;
	}
	if (strcmp(argv[1], "on"))
		return play_error(p, "usage: trace on [label] | trace off");
	if (p->trace)
		return play_error(p, "a trace is on already ('%s'): trace off first", p->trace_label);
	const char *label = argc > 2 ? argv[2] : "-";
	if (strlen(label) >= sizeof p->trace_label)
		return play_error(p, "trace label longer than %u characters",
				  (unsigned)sizeof p->trace_label - 1);
	strlcpy(p->trace_label, label, sizeof p->trace_label);
	p->trace = 1;
	p->trace_refs = 0;
	kprintf("trace: on %s\n", p->trace_label);
	return 0;
}

const struct command trace_commands[] = {
	{ "trace", 1, 2, cmd_trace, "on [label] | off",
	  "log each page a script's access touches, for scripts/pgtrace.py" },
	{ 0, 0, 0, 0, 0, 0 },
};
