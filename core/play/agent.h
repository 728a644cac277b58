/* agent.h - the interpreter's side of the agent protocol (agent.c). */
#ifndef CORE_PLAY_AGENT_H
#define CORE_PLAY_AGENT_H

#include "core/play/play.h"

#define MAX_AGENTS 48
/* How long the interpreter waits for one reply (or a hello) before it
 * gives up on the agent: 5 s at the PIT's 100 Hz. Commands over big
 * ranges are sent in pieces (cmd_mem.c), so a legitimate one never
 * comes near it; an agent looping in ring 3 does. */
#define AGENT_TIMEOUT_S 5
#define AGENT_TIMEOUT_TICKS (AGENT_TIMEOUT_S * 100)

struct agent {
	int used;
	int pid;
	struct task *task; /* NULL once it exited */
	int has_cmd, has_reply, dead;
	int exit_status; /* valid when dead */
	struct pg_agent_cmd cmd;
	struct pg_agent_reply reply;
};

/* How agent_call ended. */
enum agent_outcome {
	CALL_REPLIED = 0,
	CALL_DIED = -1,        /* the task died doing it: ag->exit_status says why */
	CALL_TIMED_OUT = -2,   /* no reply within AGENT_TIMEOUT_S: the task was killed */
	CALL_INTERRUPTED = -3, /* Ctrl-C at the shell: the task was killed */
};

/* Wait until task pid (an agent) has said hello. NULL if it died first
 * (its slot is then free again) or said nothing within the timeout (it
 * is still alive: the caller kills it). */
struct agent *agent_await_hello(int pid);
/* Run one command in the agent's task. On CALL_TIMED_OUT or
 * CALL_INTERRUPTED the task has been killed and, normally, has died
 * (ag->dead); the slot stays taken until agent_release. */
enum agent_outcome agent_call(struct agent *ag, const struct pg_agent_cmd *cmd,
			      struct pg_agent_reply *out);
/* Forget an agent whose task is gone or no longer wanted. */
void agent_release(struct agent *ag);
/* Forget the agent of task pid, if it has a slot (a task we will not name). */
void agent_forget(int pid);
/* Forget every agent whose task has exited (the end of a session). */
void agent_release_dead(void);
/* A check agent_call makes while it waits: nonzero means "stop waiting"
 * (the shell's Ctrl-C). NULL: none. */
void agent_set_interrupt(int (*pending)(void));

#endif
