/* interp.h - the interpreter's state and helpers, shared by core/play. */
#ifndef CORE_PLAY_INTERP_H
#define CORE_PLAY_INTERP_H

#include <stdint.h>

#include "core/mm/mm.h"
#include "core/play/agent.h"

#define MAX_WORDS 16
#define MAX_PTASKS 32 /* named tasks at once; entries of tasks gone are reused */
#define PT_NAME 16
#define MAX_VARS 16
#define SCRIPT_LINE_MAX 255 /* characters a script line may have */
/* Range commands (fill, sum, touch) go to the agent in pieces of this
 * size, each well inside the agent timeout even under emulation. */
#define RANGE_PIECE 0x100000u

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
	int not_text;     /* a NUL byte or UTF-16: the script's file is not text */
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
	int saved_fork_mode, saved_log_level; /* given back at the session's end */
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
/* Is there an entry for a new task called name? 0, or an error. Checked
 * before the task is made, so that ptask_add cannot fail after it. */
int ptask_room(struct play *p, const char *name);
struct ptask *ptask_add(struct play *p, const char *name, int pid, struct agent *ag);
struct task *ptask_task(struct ptask *t);
/* Run cmd in the agent; prints faults taken, or how the task died.
 * 0 with a reply; 1 when the task died (not an error: a script may mean
 * it); -1 after an error (no reply in time: the task was killed). */
int agent_do(struct play *p, struct ptask *t, struct pg_agent_cmd *cmd,
	     struct pg_agent_reply *reply);
/* The same for a range command (addr, len): sent in RANGE_PIECE pieces;
 * the reply's value is the sum of the pieces' values. */
int agent_do_range(struct play *p, struct ptask *t, struct pg_agent_cmd *cmd,
		   struct pg_agent_reply *reply);
/* Collect tasks that exited (reap our own children, note the others). */
void reap_sweep(struct play *p);
const char *status_str(int status, char *buf, unsigned size);
int run_line(struct play *p, char *line);
/* A session (a script or the shell): start with a clean state; at the
 * end kill what it started and give back fork_mode and the log level. */
void play_begin(struct play *p, const char *file, int interactive);
void play_end(struct play *p);
/* linux011.c: Linux 0.11's view. Task nr (1 for the first entry of the
 * table) runs in the 64 MiB slot at nr * LINUX011_SLOT of the linear
 * space; linux011_scan is how many mem_map entries its get_free_page
 * would look at now. */
#define LINUX011_SLOT 0x4000000u
uint32_t linux011_nr(const struct play *p, const struct ptask *t);
uint32_t linux011_scan(void);
/* show.c: the address space of a named task and an address, checked. */
struct aspace *task_space_addr(struct play *p, char *name, char *addr_word, struct ptask **t,
			       uint32_t *va);

#endif
