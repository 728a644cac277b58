/*
 * agent.c - the kernel side of the playground agents.
 *
 * An agent is a task running user/prog/agent.c. The interpreter (a kernel
 * thread) posts one command at a time and waits; the agent, blocked in
 * SYS_agent_next, wakes, returns to ring 3 with the command, performs it
 * there, and comes back with the reply, which wakes the interpreter. The
 * CPU is handed back and forth: exactly one of the two runs, so a command
 * and its faults happen between two interpreter lines, deterministically.
 * An agent killed by a fault (or by "kill") never replies: its exit wakes
 * the interpreter instead. An agent that neither replies nor dies (a
 * "fault exec" into a loop) is killed after AGENT_TIMEOUT_S: the
 * interpreter never waits for ever.
 */
#include "core/play/agent.h"

#include <arch/machine.h>

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

static struct agent agents[MAX_AGENTS];
static struct task *waiter; /* the interpreter, while it waits */
static int (*interrupt_pending)(void);

static void wake_waiter(void)
{
	if (waiter && (waiter->state == TASK_BLOCKED || waiter->state == TASK_SLEEPING))
		sched_wake(waiter);
}

/* Let the agents run until one replies, says hello or dies (each wakes
 * us early), or one tick passes: the caller checks its condition, its
 * deadline and Ctrl-C again each time. */
static void wait_for_agents(void)
{
	waiter = current;
	sched_sleep(1);
	waiter = NULL;
}

static int timed_out(uint32_t start)
{
	return ticks - start >= AGENT_TIMEOUT_TICKS;
}

static struct agent *agent_of(int pid)
{
	for (int i = 0; i < MAX_AGENTS; i++)
		if (agents[i].used && agents[i].pid == pid)
			return &agents[i];
	return NULL;
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
	/* t->agent is read again after each wake: the interpreter may have
	 * forgotten this task (agent_forget) and given its slot to another. */
	while (!(ag = t->agent) || !ag->has_cmd) {
		if (t->term || !ag)
			return -EINTR; /* killed or forgotten: go and die */
		sched_block();
	}
	ag->has_cmd = 0;
	return copy_to_user(cmd_ptr, &ag->cmd, sizeof ag->cmd);
}

void play_task_exit(struct task *t)
{
	struct agent *ag = t->agent;

	if (ag) {
		ag->dead = 1;
		ag->exit_status = t->exit_status;
		ag->task = NULL;
		t->agent = NULL;
	}
	/* Even without a slot: the interpreter may be waiting for this task's
	 * hello, and an agent that found no free slot exits before it. */
	wake_waiter();
}

struct agent *agent_await_hello(int pid)
{
	uint32_t start = ticks;

	for (;;) {
		struct agent *ag = agent_of(pid);
		if (ag && ag->has_reply)
			return ag;
		if (ag && ag->dead) {
			agent_release(ag);
			return NULL;
		}
		struct task *t = task_by_pid(pid);
		if (!t || t->state == TASK_ZOMBIE || timed_out(start))
			return NULL;
		wait_for_agents();
	}
}

/* Kill an agent that does not answer, and give it a second to die (a
 * task in ring 3 dies at its next timer tick). */
static enum agent_outcome give_up(struct agent *ag, enum agent_outcome why)
{
	if (ag->task)
		task_kill(ag->task, TERM_KILLED);
	for (int i = 0; i < 100 && !ag->dead; i++)
		wait_for_agents();
	return why;
}

enum agent_outcome agent_call(struct agent *ag, const struct pg_agent_cmd *cmd,
			      struct pg_agent_reply *out)
{
	uint32_t start = ticks;

	if (ag->dead)
		return CALL_DIED;
	ag->cmd = *cmd;
	ag->has_cmd = 1;
	ag->has_reply = 0;
	if (ag->task->state == TASK_BLOCKED)
		sched_wake(ag->task);
	while (!ag->has_reply && !ag->dead) {
		if (interrupt_pending && interrupt_pending())
			return give_up(ag, CALL_INTERRUPTED);
		if (timed_out(start))
			return give_up(ag, CALL_TIMED_OUT);
		wait_for_agents();
	}
	if (!ag->has_reply)
		return CALL_DIED;
	*out = ag->reply;
	return CALL_REPLIED;
}

void agent_release(struct agent *ag)
{
	if (ag->task)
		ag->task->agent = NULL;
	memset(ag, 0, sizeof *ag);
}

void agent_forget(int pid)
{
	struct agent *ag = agent_of(pid);

	if (ag)
		agent_release(ag);
}

void agent_release_dead(void)
{
	for (int i = 0; i < MAX_AGENTS; i++)
		if (agents[i].used && agents[i].dead)
			agent_release(&agents[i]);
}

void agent_set_interrupt(int (*pending)(void))
{
	interrupt_pending = pending;
}
