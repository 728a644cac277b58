/* agent.h - the interpreter's side of the agent protocol (agent.c). */
#ifndef CORE_PLAY_AGENT_H
#define CORE_PLAY_AGENT_H

#include <arch/machine.h>

#include "core/play/play.h"

#define MAX_AGENTS 48
/* How long the interpreter waits for a reply (or a hello) from an agent
 * that makes no progress (no fault, no TLB flush in its address space)
 * before it gives up on it: an agent looping in ring 3. The clock
 * restarts at each fault, so a long range command that faults page
 * after page (printing each fault, sharing the CPU) never comes near it;
 * interp.c's agent_do_range sends ranges in pieces so that one without
 * faults does not either. */
#define AGENT_TIMEOUT_S 5
#define AGENT_TIMEOUT_TICKS (AGENT_TIMEOUT_S * TICK_HZ)
/* However much it faults, no reply comes later than this: an agent made
 * to fault for ever (code written into its memory, unmapping and
 * touching a page in a loop) is stopped too. A legitimate piece of a
 * range command takes a few seconds at worst. */
#define AGENT_CALL_MAX_S 30
#define AGENT_CALL_MAX_TICKS (AGENT_CALL_MAX_S * TICK_HZ)

struct agent {
	struct task *task; /* NULL: the slot is free (it is freed when the task exits) */
	int has_cmd, has_reply;
	struct pg_agent_cmd cmd;
	struct pg_agent_reply reply;
};

/* How a wait for an agent ended. */
enum agent_outcome {
	CALL_REPLIED = 0,
	CALL_DIED = -1,        /* the task died first: its status is the zombie's */
	CALL_TIMED_OUT = -2,   /* no progress for AGENT_TIMEOUT_S: the task was killed */
	CALL_TOO_LONG = -3,    /* no reply in AGENT_CALL_MAX_S: the task was killed */
	CALL_INTERRUPTED = -4, /* Ctrl-C at the shell: the task was killed */
};

/* Wait until task pid (an agent just started or forked) has said hello.
 * On a timeout or Ctrl-C the task has been killed and waited for. */
enum agent_outcome agent_await_hello(int pid);
/* Run one command in the agent of t, which is running and has said
 * hello. CALL_REPLIED fills *out; on any other outcome the task is dead
 * (a zombie) or, if it would not die, at least killed. */
enum agent_outcome agent_call(struct task *t, const struct pg_agent_cmd *cmd,
			      struct pg_agent_reply *out);
/* Kill task pid and wait until it is dead (a zombie or gone), at most
 * limit ticks. 0 when it died, -1 when it was still alive at the end. */
int kill_and_wait(int pid, uint32_t limit);
/* A check the waits above make each time they wake: nonzero means "stop
 * waiting" (the shell's Ctrl-C). NULL: none. */
void agent_set_interrupt(int (*pending)(void));
/* The same check, for other waits (schedule): was Ctrl-C typed? */
int play_interrupted(void);

#endif
