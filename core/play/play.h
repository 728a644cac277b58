/*
 * play.h - the playground: a small language whose commands act through
 * real ring-3 tasks (user/prog/agent.c), and commands that show what the
 * MMU and the memory manager did. docs/playground.md is the reference.
 */
#ifndef CORE_PLAY_PLAY_H
#define CORE_PLAY_PLAY_H

#include <stdint.h>
#include <syscalls.h>

struct task;

/* A script to run: from the ESP (bootinfo files) or built in. */
struct play_source {
	const char *name;
	const char *start, *end;
};

/* Run a script; returns the number of failures (errors + failed expects). */
unsigned play_run_script(const char *name, const char *text, uint32_t len);
/* The built-in scenario suite (test/scenarios), with TAP. */
void play_run_scenarios(void);
/* The interactive shell on serial and keyboard, until "quit". */
void play_shell(void);

/* agent.c: the kernel side of SYS_agent_next, and task exit. */
int32_t play_agent_next(struct task *t, uint32_t reply_ptr, uint32_t cmd_ptr);
void play_task_exit(struct task *t);

#endif
