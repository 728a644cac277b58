/* interp.h - the interpreter's state and helpers, shared by core/play. */
#ifndef CORE_PLAY_INTERP_H
#define CORE_PLAY_INTERP_H

#include <stdint.h>

#include "core/mm/mm.h"
#include "core/play/agent.h"

#define MAX_WORDS 16
#define MAX_PTASKS 32
#define PT_NAME 16
#define MAX_VARS 16

/* A task the script named. */
struct ptask {
	char name[PT_NAME];
	int pid;
	struct agent *ag; /* NULL for a spawned program other than the agent */
	int alive;        /* has not exited */
	int status;       /* exit status, once it exited */
	struct mm_counters seen; /* fault counters after its last command */
};

struct play {
	const char *file;
	unsigned line;
	int interactive;  /* the shell: errors do not count as test failures */
	int keep_going;   /* "onerror continue" */
	int stopped;      /* an error stopped the script */
	int quit;         /* the shell's "quit" */
	int trying;       /* inside "try": an error is expected, not counted */
	int last_try_failed;
	struct ptask tasks[MAX_PTASKS];
	uint32_t value;
	int have_value;
	uint32_t baseline;
	int have_baseline;
	struct {
		char name[PT_NAME];
		uint32_t value;
	} vars[MAX_VARS]; /* let $name <quantity> */
	unsigned errors, expects, failed;
};

struct command {
	const char *name;
	int min_args, max_args;
	int (*run)(struct play *p, int argc, char **argv);
	const char *usage;
	const char *help;
};

/* The command tables of cmd_task.c, cmd_mem.c, show.c, expect.c. */
extern const struct command task_commands[], mem_commands[], show_commands[],
	misc_commands[];

int play_error(struct play *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void play_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_number(const char *w, uint32_t *out);
int arg_number(struct play *p, const char *w, uint32_t *out);
int arg_size(struct play *p, const char *w, uint32_t *size);
struct ptask *find_ptask(struct play *p, const char *name);
/* A named task that is alive (else an error). */
struct ptask *arg_task(struct play *p, const char *name);
/* Same, and an agent with an address space (for memory commands). */
struct ptask *arg_agent(struct play *p, const char *name);
struct ptask *ptask_add(struct play *p, const char *name, int pid, struct agent *ag);
struct task *ptask_task(struct ptask *t);
/* Run cmd in the agent; prints faults taken, or how the task died. */
int agent_do(struct play *p, struct ptask *t, struct pg_agent_cmd *cmd,
	     struct pg_agent_reply *reply);
/* Collect tasks that exited (reap our own children, note the others). */
void reap_sweep(struct play *p);
const char *status_str(int status, char *buf, unsigned size);
int run_line(struct play *p, char *line);
/* show.c: the address space of a named task and an address, checked. */
struct aspace *task_space_addr(struct play *p, char *name, char *addr_word, struct ptask **t,
			       uint32_t *va);

#endif
