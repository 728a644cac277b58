/*
 * cmd_task.c - playground commands about tasks: create, fork, exit, kill,
 * wait, switch address spaces, let the scheduler run.
 */
#include "core/play/interp.h"

#include <arch/mmu_ops.h>

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

static int valid_name(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z') || strlen(s) >= PT_NAME)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* A name for a new task: valid, not taken by a task alive, nor by a
 * zombie (its parent still waits for it by this name), and an entry for
 * it in the table. */
static int new_name(struct play *p, const char *name)
{
	struct ptask *t = find_ptask(p, name);
	struct task *k = t ? task_by_pid(t->pid) : NULL;

	if (!valid_name(name))
		return play_error(p, "bad task name '%s' (a-z, 0-9, _; starts with a letter)", name);
	if (t && ptask_task(t))
		return play_error(p, "task '%s' already exists", name);
	if (k && k->state == TASK_ZOMBIE) {
		struct ptask *parent = k->parent ? ptask_by_pid(p, k->parent->pid) : NULL;
		return play_error(p, "task '%s' has exited but is a zombie until 'wait %s %s'", name,
				  parent ? parent->name : "<parent>", name);
	}
	return ptask_room(p, name);
}

/* A task that did not become a named agent: it died at once (no memory,
 * no free agent slot), or agent_await_hello gave up on it and killed it.
 * Either way it is dead: nothing lives on unseen. */
static int unnamed(struct play *p, enum agent_outcome why, const char *name)
{
	if (why == CALL_TIMED_OUT || why == CALL_TOO_LONG)
		return play_error(p, "task '%s' did not start: no hello in %d s (killed)", name,
				  why == CALL_TIMED_OUT ? AGENT_TIMEOUT_S : AGENT_CALL_MAX_S);
	if (why == CALL_INTERRUPTED)
		return play_error(p, "task '%s' did not start: interrupted (Ctrl-C) (killed)", name);
	return play_error(p, "task '%s' died before it could start", name);
}

/* Why a task could not start: in 0.11 mode, most likely no slot. */
static int cannot_start(struct play *p, const char *what, int mode, int err)
{
	if (err == -EAGAIN && mode == TASK_MODE_LINUX011 && linux011_slots_used() == LINUX011_SLOTS)
		return play_error(p, "cannot start %s in Linux 0.11 mode: all %u slots of the shared "
				  "directory are taken", what, LINUX011_SLOTS);
	return play_error(p, "cannot start %s: error %d", what, -err);
}

/* One line on a new 0.11-mode task: its slot, the directory, its LDT. */
static void say_slot(struct ptask *t, const char *how)
{
	struct task *k = ptask_task(t);
	struct aspace *as = k->as;

	play_say("%s: pid %d, %stask[%u] in Linux 0.11 mode: slot 0x%08x-0x%08x of the shared "
		 "directory at 0x%08x, LDT 0x%04x", t->name, k->pid, how, as->slot, as->base,
		 as->end - 1, PFN_TO_PADDR(as->pd_pfn), k->ldt_sel);
}

/* task <name> [flat|linux011] [area <addr> <len> r|rw] */
static int cmd_task(struct play *p, int argc, char **argv)
{
	uint32_t addr = 0, len = 0, prot = 0;
	int mode = p->task_mode, at = 2;

	if (new_name(p, argv[1]) < 0)
		return -1;
	if (argc > at && parse_task_mode(argv[at]) >= 0)
		mode = parse_task_mode(argv[at++]);
	int area = argc - at == 4 && !strcmp(argv[at], "area");
	if (argc > at && !area)
		return play_error(p, "usage: task <name> [flat|linux011] [area <addr> <len> r|rw]");
	if (area && (arg_number(p, argv[at + 1], &addr) || arg_number(p, argv[at + 2], &len) ||
		     arg_rights(p, argv[at + 3], &prot)))
		return -1;
	int pid = task_spawn_mode("agent", 0, current, mode);
	if (pid < 0)
		return cannot_start(p, "a task", mode, pid);
	enum agent_outcome why = agent_await_hello(pid);
	if (why != CALL_REPLIED)
		return unnamed(p, why, argv[1]);
	struct ptask *t = ptask_add(p, argv[1], pid); /* new_name made room */
	if (mode == TASK_MODE_LINUX011)
		say_slot(t, "");
	else
		play_say("%s: pid %d, a new address space (page directory at 0x%08x)", t->name, pid,
			 PFN_TO_PADDR(ptask_task(t)->as->pd_pfn));
	return area ? map_area(p, t, addr, len, prot) : 0;
}

/* task_mode flat|linux011: what "task <name>" starts from now on. */
static int cmd_task_mode(struct play *p, int argc, char **argv)
{
	int mode = parse_task_mode(argv[1]);

	(void)argc;
	if (mode < 0)
		return play_error(p, "usage: task_mode flat|linux011");
	p->task_mode = mode;
	play_say("tasks now start %s", mode_words(mode));
	return 0;
}

/* fork <parent> <child>: the parent calls fork() in ring 3. */
static int cmd_fork(struct play *p, int argc, char **argv)
{
	struct pg_agent_cmd c = { AGENT_FORK, 0, 0, 0, 0 };
	struct pg_agent_reply r;
	struct ptask *parent = arg_agent(p, argv[1]);

	(void)argc;
	if (!parent || new_name(p, argv[2]) < 0)
		return -1;
	if (agent_do(p, parent, &c, &r))
		return -1;
	if (r.result < 0)
		return play_error(p, "fork failed: error %d", -r.result);
	enum agent_outcome why = agent_await_hello(r.result);
	if (why != CALL_REPLIED)
		return unnamed(p, why, argv[2]);
	struct ptask *child = ptask_add(p, argv[2], r.result); /* new_name made room */
	play_say("%s: fork -> %s (pid %d)", parent->name, child->name, child->pid);
	if (task_mode_of(ptask_task(child)) == TASK_MODE_LINUX011)
		say_slot(child, "copy_page_tables into ");
	return 0;
}

/* exit <task> [code] */
static int cmd_exit(struct play *p, int argc, char **argv)
{
	uint32_t code = 0;
	struct ptask *t = arg_agent(p, argv[1]);
	struct pg_agent_reply r;

	if (!t || (argc > 2 && arg_number(p, argv[2], &code)))
		return -1;
	struct pg_agent_cmd c = { AGENT_EXIT, 0, 0, 0, code };
	agent_do(p, t, &c, &r); /* never replies: agent_do reports the exit */
	play_trace_gone(p, t);
	return 0;
}

/* kill <task>: the kernel ends it (TERM_KILLED), whatever it is doing. */
static int cmd_kill(struct play *p, int argc, char **argv)
{
	struct ptask *t = arg_task(p, argv[1]);
	char why[STATUS_TEXT_MAX];

	(void)argc;
	if (!t)
		return -1;
	/* A task in ring 3 dies at its next tick, a blocked one at once. */
	if (kill_and_wait(t->pid, TICK_HZ))
		return play_error(p, "%s: killed, but it has not died within 1 s", t->name);
	play_trace_gone(p, t);
	play_say("%s: %s", t->name, status_str(ptask_status(t), why, sizeof why));
	return 0;
}

/* wait <parent> <child> [addr]: the parent calls waitpid() for the
 * child; with addr, the kernel writes the status word there, in the
 * parent's memory (a write the kernel makes in ring 0: into a page shared
 * copy-on-write it faults, CR0.WP, and the page is copied first). A child
 * still running is refused: the parent would block in waitpid and the
 * child in SYS_agent_next, each waiting for the other for ever. */
static int cmd_wait(struct play *p, int argc, char **argv)
{
	struct ptask *parent = arg_agent(p, argv[1]);
	struct ptask *child = parent ? arg_named(p, argv[2]) : NULL;
	struct pg_agent_reply r;
	char why[STATUS_TEXT_MAX];
	uint32_t addr = 0;

	if (!child || (argc > 3 && (arg_number(p, argv[3], &addr) ||
				    in_areas(p, parent, addr, sizeof(int), 1))))
		return -1;
	struct task *kc = task_by_pid(child->pid);
	if (kc && kc->state != TASK_ZOMBIE && kc->parent == ptask_task(parent))
		return play_error(p, "task '%s' is still running: exit or kill it first", child->name);
	struct pg_agent_cmd c = { AGENT_WAIT, addr, 0, 0, (uint32_t)child->pid };
	if (agent_do(p, parent, &c, &r))
		return -1;
	if (r.result < 0)
		return play_error(p, "%s cannot wait for %s: error %d (not its child?)",
				  parent->name, child->name, -r.result);
	child->status = (int)r.value; /* reaped: the zombie and its status are gone */
	play_say("%s: %s %s", parent->name, child->name, status_str(child->status, why, sizeof why));
	return 0;
}

/* switch <task>: load the task's page directory into CR3 here, as a
 * context switch would. Kernel mappings are global: they survive. */
static int cmd_switch(struct play *p, int argc, char **argv)
{
	struct ptask *t = arg_task(p, argv[1]);
	struct task *k = t ? ptask_task(t) : NULL;

	(void)argc;
	if (!k || !k->as)
		return k ? play_error(p, "task '%s' has no address space", t->name) : -1;
	uint32_t before = read_cr3(), loads = vmm_cr3_loads;
	vmm_activate(k->as);
	if (vmm_cr3_loads == loads)
		play_say("cr3: 0x%08x stays (%s runs on the directory already loaded): no CR3 write, "
			 "the TLB keeps every entry", before, t->name);
	else
		play_say("cr3: 0x%08x -> 0x%08x (%s); the TLB dropped every non-global entry",
			 before, read_cr3(), t->name);
	return 0;
}

#define SCHEDULE_MAX_S 10
#define SCHEDULE_MAX_TICKS (SCHEDULE_MAX_S * TICK_HZ)

/* schedule [ticks]: sleep, so that runnable tasks get the CPU; a tick at
 * a time, so that Ctrl-C can stop it. */
static int cmd_schedule(struct play *p, int argc, char **argv)
{
	uint32_t n = 1;

	if (argc > 1 && arg_number(p, argv[1], &n))
		return -1;
	if (n > SCHEDULE_MAX_TICKS)
		return play_error(p, "at most %u ticks (%u s)", SCHEDULE_MAX_TICKS, SCHEDULE_MAX_S);
	uint32_t end = ticks + n;
	do { /* schedule 0 still lets the others run until the next tick */
		if (play_interrupted())
			return play_error(p, "schedule: interrupted (Ctrl-C) after %u of %u ticks",
					  n - (end - ticks), n);
		sched_sleep(1);
	} while ((int32_t)(ticks - end) < 0);
	play_say("scheduler: ran for %u tick%s", n, n == 1 ? "" : "s");
	return 0;
}

/* spawn <name> <program> [arg] [flat|linux011]: a built-in user program
 * as a task. */
static int cmd_spawn(struct play *p, int argc, char **argv)
{
	uint32_t arg = 0;
	int mode = p->task_mode;

	if (new_name(p, argv[1]) < 0)
		return -1;
	for (int i = 3; i < argc; i++) {
		int m = parse_task_mode(argv[i]);
		if (m >= 0)
			mode = m;
		else if (i != 3)
			return play_error(p, "usage: spawn <name> <program> [arg] [flat|linux011]");
		else if (arg_number(p, argv[i], &arg))
			return -1;
	}
	int pid = task_spawn_mode(argv[2], arg, current, mode);
	if (pid < 0)
		return pid == -ENOENT ? play_error(p, "cannot start '%s': error %d", argv[2], -pid)
				      : cannot_start(p, argv[2], mode, pid);
	enum agent_outcome why = strcmp(argv[2], "agent") ? CALL_REPLIED : agent_await_hello(pid);
	if (why != CALL_REPLIED)
		return unnamed(p, why, argv[1]);
	ptask_add(p, argv[1], pid); /* new_name made room */
	play_say("%s: pid %d running %s", argv[1], pid, argv[2]);
	return 0;
}

const struct command task_commands[] = {
	{ "task", 1, 6, cmd_task, "<name> [flat|linux011] [area <addr> <len> r|rw]",
	  "start a task (the agent): flat, or in a Linux 0.11 slot" },
	{ "task_mode", 1, 1, cmd_task_mode, "flat|linux011", "how 'task' starts tasks from now on" },
	{ "fork", 2, 2, cmd_fork, "<parent> <child>", "the parent calls fork(); name the child" },
	{ "exit", 1, 2, cmd_exit, "<task> [code]", "the task calls exit(code)" },
	{ "kill", 1, 1, cmd_kill, "<task>", "the kernel kills the task" },
	{ "wait", 2, 3, cmd_wait, "<parent> <child> [addr]",
	  "the parent waits for its child (the kernel writes the status at addr)" },
	{ "switch", 1, 1, cmd_switch, "<task>", "load the task's page directory (CR3)" },
	{ "schedule", 0, 1, cmd_schedule, "[ticks]", "let the other tasks run (timer ticks)" },
	{ "spawn", 2, 4, cmd_spawn, "<name> <program> [arg] [flat|linux011]",
	  "run a built-in user program" },
	{ 0, 0, 0, 0, 0, 0 },
};
