/*
 * agent.c - the kernel side of the playground agents.
 *
 * An agent is a task running user/prog/agent.c. The interpreter (a kernel
 * thread) posts one command at a time and blocks; the agent, blocked in
 * SYS_agent_next, wakes, returns to ring 3 with the command, performs it
 * there, and comes back with the reply, which wakes the interpreter. The
 * CPU is handed back and forth: exactly one of the two runs, so a command
 * and its faults happen between two interpreter lines, deterministically.
 * An agent killed by a fault (or by "kill") never replies: its exit wakes
 * the interpreter instead.
 */
#include "core/play/agent.h"

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

static struct agent agents[MAX_AGENTS];
static struct task *waiter; /* the interpreter, while it waits */

static void wake_waiter(void)
{
	if (waiter && waiter->state == TASK_BLOCKED)
		sched_wake(waiter);
}

/* Block the interpreter until an agent replies, introduces itself or dies. */
static void wait_for_agents(void)
{
	waiter = current;
	sched_block();
	waiter = NULL;
}

static struct agent *agent_alloc(struct task *t)
{
	for (int i = 0; i < MAX_AGENTS; i++) {
		if (!agents[i].used) {
			memset(&agents[i], 0, sizeof agents[i]);
			agents[i].used = 1;
			agents[i].task = t;
			agents[i].pid = t->pid;
			t->agent = &agents[i];
			return &agents[i];
		}
	}
	return NULL;
}

int32_t play_agent_next(struct task *t, uint32_t reply_ptr, uint32_t cmd_ptr)
{
	struct pg_agent_reply r;
	struct agent *ag = t->agent;

	if (copy_from_user(&r, reply_ptr, sizeof r))
		return -EFAULT;
	if (!ag && !(ag = agent_alloc(t)))
		return -EAGAIN;
	ag->reply = r;
	ag->has_reply = 1;
	wake_waiter();
	while (!ag->has_cmd) {
		if (t->term)
			return -EINTR; /* killed: go and die */
		sched_block();
	}
	ag->has_cmd = 0;
	return copy_to_user(cmd_ptr, &ag->cmd, sizeof ag->cmd);
}

void play_task_exit(struct task *t)
{
	struct agent *ag = t->agent;

	if (!ag)
		return;
	ag->dead = 1;
	ag->exit_status = t->exit_status;
	ag->task = NULL;
	t->agent = NULL;
	wake_waiter();
}

struct agent *agent_await_hello(int pid)
{
	for (;;) {
		for (int i = 0; i < MAX_AGENTS; i++) {
			struct agent *ag = &agents[i];
			if (ag->used && ag->pid == pid && (ag->has_reply || ag->dead))
				return ag;
		}
		struct task *t = task_by_pid(pid);
		if (!t || t->state == TASK_ZOMBIE)
			return NULL; /* it died before it could say hello */
		wait_for_agents();
	}
}

int agent_call(struct agent *ag, const struct pg_agent_cmd *cmd, struct pg_agent_reply *out)
{
	if (ag->dead)
		return -1;
	ag->cmd = *cmd;
	ag->has_cmd = 1;
	ag->has_reply = 0;
	if (ag->task->state == TASK_BLOCKED)
		sched_wake(ag->task);
	while (!ag->has_reply && !ag->dead)
		wait_for_agents();
	if (!ag->has_reply)
		return -1;
	*out = ag->reply;
	return 0;
}

void agent_release(struct agent *ag)
{
	if (ag->task)
		ag->task->agent = NULL;
	memset(ag, 0, sizeof *ag);
}
