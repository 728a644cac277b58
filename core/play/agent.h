/* agent.h - the interpreter's side of the agent protocol (agent.c). */
#ifndef CORE_PLAY_AGENT_H
#define CORE_PLAY_AGENT_H

#include "core/play/play.h"

#define MAX_AGENTS 48

struct agent {
	int used;
	int pid;
	struct task *task; /* NULL once it exited */
	int has_cmd, has_reply, dead;
	int exit_status; /* valid when dead */
	struct pg_agent_cmd cmd;
	struct pg_agent_reply reply;
};

/* Wait until task pid (an agent) has said hello; NULL if it died first. */
struct agent *agent_await_hello(int pid);
/* Run one command in the agent's task: 0 with the reply, or -1 when the
 * task died doing it (ag->exit_status says why). */
int agent_call(struct agent *ag, const struct pg_agent_cmd *cmd, struct pg_agent_reply *out);
/* Forget an agent whose task is gone or no longer wanted. */
void agent_release(struct agent *ag);

#endif
