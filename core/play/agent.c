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
 * "fault exec" into a loop) is killed once it has made no progress for
 * AGENT_TIMEOUT_S, or after AGENT_CALL_MAX_S whatever it does: the
 * interpreter never waits for ever.
 *
 * A slot is taken by the agent itself, at its first SYS_agent_next (its
 * hello), and given back only when its task exits (play_task_exit): the
 * slot of a live task is never taken from it. The interpreter finds an
 * agent through its task (task->agent), by pid, each time it wakes.
 */
#include "core/play/agent.h"

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

/* How long a task that is given up on has to die: a task in ring 3 dies
 * at its next timer tick, a blocked one at once. */
#define GIVE_UP_TICKS TICK_HZ

static struct agent agents[MAX_AGENTS];
static struct task *waiter; /* the interpreter, while it waits */
static int (*interrupt_pending)(void);

static void wake_waiter(void)
{
	if (waiter && (waiter->state == TASK_BLOCKED || waiter->state == TASK_SLEEPING))
		sched_wake(waiter);
}

/* Let the agents run until one replies, says hello or any task exits
 * (each wakes us early), or one tick passes: the caller checks its
 * condition, its deadlines and Ctrl-C again each time. */
static void wait_for_agents(void)
{
	waiter = current;
	sched_sleep(1);
	waiter = NULL;
}

/* task->agent is a void * (core/task does not know struct agent). */
static struct agent *agent_of(const struct task *t)
{
	return t->agent;
}

static struct agent *agent_alloc(struct task *t)
{
	for (int i = 0; i < MAX_AGENTS; i++) {
		if (!agents[i].task) {
			memset(&agents[i], 0, sizeof agents[i]);
			agents[i].task = t;
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
	/* The slot stays ours while we live: only our exit frees it. */
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

	if (ag) {
		memset(ag, 0, sizeof *ag);
		t->agent = NULL;
	}
	/* Even without a slot: the interpreter may be waiting for this task's
	 * hello (an agent that found no free slot exits before it), or for
	 * this task to die (kill_and_wait). */
	wake_waiter();
}

static int is_dead(const struct task *t)
{
	return !t || t->state == TASK_ZOMBIE;
}

int kill_and_wait(int pid, uint32_t limit)
{
	uint32_t start = ticks;

	for (;;) {
		struct task *t = task_by_pid(pid);
		if (is_dead(t))
			return 0;
		if (ticks - start >= limit)
			return -1;
		task_kill(t, TERM_KILLED); /* once: it ignores a second kill */
		wait_for_agents();
	}
}

/* What the task has done that takes time: faults served and TLB flushes
 * in its address space. Each counter only grows, so their sum changes
 * whenever one does. */
static uint32_t progress(const struct task *t)
{
	const struct mm_counters *c = t->as ? &t->as->counters : NULL;
	uint32_t n = 0;

	if (!c)
		return 0;
	for (int k = 0; k < FAULT_NKINDS; k++)
		n += c->faults[k];
	return n + c->table_copies + c->table_reuses + c->tlb_invlpg + c->tlb_full;
}

/* A wait for task t's reply, between two wakes: 0 to go on waiting, or
 * why to give up. The idle deadline restarts whenever t made progress
 * since the last look (*seen, at tick *moved). A task switched in again
 * is no sign of life: one looping in ring 3 is, at every tick. */
static enum agent_outcome verdict(struct task *t, uint32_t start, uint32_t *moved,
				  uint32_t *seen)
{
	uint32_t now = progress(t);

	if (now != *seen) {
		*seen = now;
		*moved = ticks;
	}
	if (play_interrupted())
		return CALL_INTERRUPTED;
	if (ticks - *moved >= AGENT_TIMEOUT_TICKS)
		return CALL_TIMED_OUT;
	if (ticks - start >= AGENT_CALL_MAX_TICKS)
		return CALL_TOO_LONG;
	return CALL_REPLIED;
}

/* Wait until the agent of task pid has a reply (its hello, or the answer
 * to a command) or the task dies. When giving up, kill the task and wait
 * for it to die, so that the caller finds it dead. */
static enum agent_outcome await_reply(int pid)
{
	uint32_t start = ticks, moved = start, seen = 0;
	struct task *t = task_by_pid(pid);

	if (t)
		seen = progress(t);
	for (;;) {
		t = task_by_pid(pid);
		if (is_dead(t))
			return CALL_DIED;
		if (agent_of(t) && agent_of(t)->has_reply)
			return CALL_REPLIED;
		enum agent_outcome why = verdict(t, start, &moved, &seen);
		if (why != CALL_REPLIED) {
			kill_and_wait(pid, GIVE_UP_TICKS);
			return why;
		}
		wait_for_agents();
	}
}

enum agent_outcome agent_await_hello(int pid)
{
	return await_reply(pid);
}

enum agent_outcome agent_call(struct task *t, const struct pg_agent_cmd *cmd,
			      struct pg_agent_reply *out)
{
	struct agent *ag = agent_of(t);
	int pid = t->pid;

	ag->cmd = *cmd;
	ag->has_cmd = 1;
	ag->has_reply = 0;
	if (t->state == TASK_BLOCKED)
		sched_wake(t);
	enum agent_outcome why = await_reply(pid);
	if (why == CALL_REPLIED)
		*out = agent_of(t)->reply; /* it is alive: t is still its task */
	return why;
}

void agent_set_interrupt(int (*pending)(void))
{
	interrupt_pending = pending;
}

int play_interrupted(void)
{
	return interrupt_pending && interrupt_pending();
}
