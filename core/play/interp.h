/* interp.h - the interpreter's state and helpers, shared by core/play. */
#ifndef CORE_PLAY_INTERP_H
#define CORE_PLAY_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "core/mm/mm.h"
#include "core/play/agent.h"

#define MAX_WORDS 16
#define MAX_PTASKS 32 /* named tasks at once; entries of tasks gone are reused */
#define PT_NAME 16
#define MAX_VARS 16
#define SCRIPT_LINE_MAX 255 /* characters a line may have, in a script or the shell */
/* Every message the playground prints is built in a buffer this big: a
 * whole line's words (an echo, an expect, a bad word quoted back) plus
 * the text around them, so nothing is cut. */
#define PLAY_MSG_MAX (SCRIPT_LINE_MAX + 97)
/* status_str's longest: "exited with code -2147483648". */
#define STATUS_TEXT_MAX 32
/* Unknown command names are quoted back cut to this many characters. */
#define COMMAND_NAME_SHOWN 32
/* Range commands (fill, sum, touch) go to the agent in pieces of this
 * size, each well inside the agent timeout even under emulation. */
#define RANGE_PIECE 0x100000u

/* A task the script named. Whether it is alive, whether it is an agent,
 * its address space: all read from the task itself (ptask_task). */
struct ptask {
	char name[PT_NAME];
	int pid;                 /* pids are never reused: this one stays its own */
	int status;              /* exit status, once the task was reaped (ptask_status) */
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
	int task_mode;    /* enum task_mode: what "task <name>" starts by default */
	int tlb_stale;    /* the last "tlb" remap: the read before invalidating saw the old page */
	int have_tlb;
	int tlb_global_kept; /* "tlb global": a CR3 reload kept the global entry */
	int have_tlb_global;
	struct {
		char name[PT_NAME];
		uint32_t value;
	} vars[MAX_VARS]; /* let $name <quantity> */
	unsigned errors, expects, failed;
	int saved_fork_mode, saved_log_level; /* given back at the session's end */
	int saved_watch;
	int trace;        /* "trace on": page references logged (trace.c) */
	uint32_t trace_refs;
	char trace_label[24];
};

struct command {
	const char *name;
	int min_args, max_args;
	int (*run)(struct play *p, int argc, char **argv);
	const char *usage;
	const char *help;
};

/* The command tables of cmd_task.c, cmd_mem.c, show.c, kview.c, expect.c,
 * tlb.c, cmd_view.c. */
extern const struct command task_commands[], mem_commands[], show_commands[],
	kernel_commands[], misc_commands[], tlb_commands[], view_commands[], trace_commands[];

/* The page-reference trace (trace.c): a command's accesses, a task gone,
 * the trace's end (play_end). Each does nothing while no trace is on. */
void play_trace_access(struct play *p, const struct ptask *t, const struct pg_agent_cmd *c);
void play_trace_gone(struct play *p, const struct ptask *t);
void play_trace_stop(struct play *p);

/* The words of a quantity, read left to right by its terms (expect.c). */
struct words {
	char **w;
	int n, at;
};

/* The next word, or NULL at the end. */
static inline const char *words_next(struct words *s)
{
	return s->at < s->n ? s->w[s->at++] : NULL;
}

int play_error(struct play *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void play_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The error for a line over SCRIPT_LINE_MAX characters (scripts and shell). */
int play_line_too_long(struct play *p);
/* The error for a command name that is not one (run_line, help). */
int play_unknown_command(struct play *p, const char *name);
/* Print help for one command, or all of them (name NULL); how many it printed. */
int play_help(const char *name);
int parse_number(const char *w, uint32_t *out);
/* The value of variable $name (let); else an error. */
int play_var(struct play *p, const char *name, uint32_t *out);
/* A number, or a $variable, wherever a command takes a number; else an
 * error ("bad number"). */
int arg_number(struct play *p, const char *w, uint32_t *out);
int arg_size(struct play *p, const char *w, uint32_t *size);
/* r or ro: PROT_READ; rw: PROT_READ | PROT_WRITE; else an error. */
int arg_rights(struct play *p, const char *w, uint32_t *prot);
struct ptask *find_ptask(struct play *p, const char *name);
/* The entry of a task named so (alive or not); else an error: "a task
 * name is missing" for NULL, or "unknown task". */
struct ptask *arg_named(struct play *p, const char *name);
/* The named entry of task pid, or NULL. */
struct ptask *ptask_by_pid(struct play *p, int pid);
/* The same, and the task is alive (else an error). */
struct ptask *arg_task(struct play *p, const char *name);
/* Same, and an agent (for commands the agent carries out). */
struct ptask *arg_agent(struct play *p, const char *name);
/* The address space of the named task (arg_task), and *t its entry if
 * t is not NULL. NULL after an error. */
struct aspace *task_space(struct play *p, const char *name, struct ptask **t);
/* Same, and an address in it (addr_word NULL: "an address is missing"):
 * the word is an offset in the task's data segment, as the task's own
 * instructions use it; *va is the linear address the CPU makes of it
 * (base + offset, from the task's LDT). An offset past the segment's
 * limit is an error (a #GP on a CPU that checks). */
struct aspace *task_space_addr(struct play *p, const char *name, const char *addr_word,
			       struct ptask **t, uint32_t *va);
/* Offset off of task t's data segment as a linear address; an error
 * (named after the task) past its limit. */
int task_linear(struct play *p, struct ptask *t, uint32_t off, uint32_t *linear);
/* The offset of a linear address in t's segments (for listings). */
uint32_t task_offset(struct ptask *t, uint32_t linear);
/* Is there an entry for a new task called name? 0, or an error. Checked
 * before the task is made: ptask_add then cannot fail. */
int ptask_room(struct play *p, const char *name);
/* Name task pid; ptask_room(p, name) must have said yes. */
struct ptask *ptask_add(struct play *p, const char *name, int pid);
/* The task of a named entry while it runs (not a zombie); else NULL. */
struct task *ptask_task(struct ptask *t);
/* How a task that ended ended: its zombie's status, or the one noted when
 * it was reaped (reap_sweep, wait). Meaningful once ptask_task is NULL. */
int ptask_status(struct ptask *t);
/* Run cmd in the agent; prints faults taken, or how the task died.
 * 0 with a reply; 1 when the task died (not an error: a script may mean
 * it); -1 after an error (no reply in time: the task was killed). */
int agent_do(struct play *p, struct ptask *t, struct pg_agent_cmd *cmd,
	     struct pg_agent_reply *reply);
/* The same for a range command (addr, len > 0, checked by the caller):
 * sent in RANGE_PIECE pieces; the reply's value is the sum of the
 * pieces' values. */
int agent_do_range(struct play *p, struct ptask *t, struct pg_agent_cmd *cmd,
		   struct pg_agent_reply *reply);
/* Reap our children that exited (noting the named ones' status) and kill
 * agents that no name stands for (a fork cut short). */
void reap_sweep(struct play *p);
const char *status_str(int status, char *buf, unsigned size);
int run_line(struct play *p, char *line);
/* expect.c: argv[1..] is <quantity> <op> <quantity> (argv[0] names the
 * command, for the usage line): *truth, and both sides. 0, or an error. */
int play_compare(struct play *p, int argc, char **argv, int *truth, uint32_t *lhs,
		 uint32_t *rhs);
/* A session (a script or the shell): start with a clean state; at the
 * end kill what it started and give back fork_mode and the log level. */
void play_begin(struct play *p, const char *file, int interactive);
void play_end(struct play *p);
/* cmd_mem.c: is [addr, addr+len) (offsets) inside t's data segment and
 * its areas, writable ones if write? 0, or an error said. */
int in_areas(struct play *p, struct ptask *t, uint32_t addr, uint32_t len, int write);
/* cmd_mem.c: map an area in ring 3 (mmap with MAP_FIXED in the agent). */
int map_area(struct play *p, struct ptask *t, uint32_t addr, uint32_t len, uint32_t prot);
/* cmd_view.c: a snapshot for the report (when it is on) of every named
 * task's directory and tables and of mem_map, labelled with the words
 * of the command (or argv = {"end", "of", file}). */
void play_snapshot(struct play *p, int argc, char **argv);
/* After each command: the report's task census, the live strip. */
void play_after_command(struct play *p);
/* show.c: an entry's flags as [P W U A D] into buf (16 bytes); the
 * present entries of the page table a PDE points at. */
const char *entry_flags(uint32_t e, char *buf);
uint32_t present_in_table(pde_t pde);
/* kview.c: the kernel's view of memory (its direct map, mem_map by
 * physical address, the free list, CR3): is w one of its quantities,
 * and its value. */
int kview_is_term(const char *w);
int kview_term(struct play *p, const char *w, struct words *s, uint32_t *v);
/* linux011.c: Linux 0.11 mode as it runs. A 0.11-mode task's nr is its
 * slot in the shared directory (core/mm/linux011.c); linux011_scan is how
 * many mem_map entries 0.11's get_free_page would look at now. */
uint32_t linux011_scan(void);
/* The named task in 0.11 mode, or an error saying it runs flat. */
struct aspace *linux011_space(struct play *p, const char *name, struct ptask **t);
int show_linux011(struct play *p, char *name, char *addr_word);
/* show pd of a 0.11-mode task: the shared directory, PDEs by slot. */
int show_linux011_pd(struct play *p, struct ptask *t, struct aspace *as);
/* "flat" or "Linux 0.11 mode (slot n)" and the like, for the task lines. */
const char *mode_words(int mode);
/* linux011 or flat from a word; -1 for neither. */
int parse_task_mode(const char *w);

#endif
