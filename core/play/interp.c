/*
 * interp.c - the playground's interpreter: one command a line.
 *
 * A line is split into words; a '#' at the start of a word starts a
 * comment (inside a word it is an ordinary character). The first word names
 * a command from the tables in cmd_task.c, cmd_mem.c, show.c, kview.c and
 * expect.c.
 * In a script every command is echoed ("play> ...") before its output, so
 * the log reads as a transcript. An error names the file and line; a
 * script then stops (unless it said "onerror continue") and the error
 * counts as a failed test. In the shell, errors are just printed.
 */
#include "core/play/interp.h"

#include <stdarg.h>

#include "core/kernel.h"
#include "core/log.h"
#include "core/report.h"
#include "core/tap.h"
#include "core/task/task.h"
#include "core/view/view.h"
#include "lib/fmt.h"
#include "lib/string.h"

static const struct command *const tables[] = { task_commands, mem_commands, show_commands,
						 kernel_commands, misc_commands, tlb_commands, view_commands,
						 trace_commands };

int play_error(struct play *p, const char *fmt, ...)
{
	char msg[PLAY_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p->trying) {
		p->last_try_failed = 1;
		kprintf("  error (expected by 'try'): %s\n", msg);
		return -1;
	}
	p->errors++;
	if (p->interactive) {
		kprintf("error: %s\n", msg);
		return -1;
	}
	kprintf("play: %s:%u: error: %s\n", p->file, p->line, msg);
	tap_ok(0, "%s:%u: error: %s", p->file, p->line, msg);
	if (!p->keep_going)
		p->stopped = 1;
	return -1;
}

int play_line_too_long(struct play *p)
{
	return play_error(p, "line too long (max %u characters)", SCRIPT_LINE_MAX);
}

int play_unknown_command(struct play *p, const char *name)
{
	return play_error(p, "unknown command '%.*s%s' (try 'help')", COMMAND_NAME_SHOWN, name,
			  strlen(name) > COMMAND_NAME_SHOWN ? "..." : "");
}

void play_say(const char *fmt, ...)
{
	char msg[PLAY_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kprintf("  %s\n", msg);
}

/* Decimal, 0x hex or 0b binary, with an optional K, M or G (x1024...). */
int parse_number(const char *w, uint32_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	int digits = 0, neg = *w == '-';

	w += neg;
	if (w[0] == '0' && (w[1] == 'x' || w[1] == 'X'))
		base = 16, w += 2;
	else if (w[0] == '0' && (w[1] == 'b' || w[1] == 'B'))
		base = 2, w += 2;
	for (; *w; w++, digits++) {
		unsigned d = *w >= '0' && *w <= '9'   ? (unsigned)(*w - '0')
			     : *w >= 'a' && *w <= 'f' ? (unsigned)(*w - 'a' + 10)
			     : *w >= 'A' && *w <= 'F' ? (unsigned)(*w - 'A' + 10)
						      : 99;
		if (d >= base)
			break;
		v = v * base + d;
		if (v > 0xFFFFFFFFull)
			return -1;
	}
	static const struct {
		char suffix;
		unsigned shift;
	} units[] = { { 'K', 10 }, { 'M', 20 }, { 'G', 30 } };
	for (unsigned i = 0; digits && *w && i < 3; i++)
		if (*w == units[i].suffix || *w == units[i].suffix + 32) {
			v <<= units[i].shift;
			w++;
			break;
		}
	if (!digits || *w || v > 0xFFFFFFFFull)
		return -1;
	*out = neg ? (uint32_t)-(int64_t)v : (uint32_t)v;
	return 0;
}

int play_var(struct play *p, const char *name, uint32_t *out)
{
	for (int i = 0; i < MAX_VARS; i++)
		if (!strcmp(p->vars[i].name, name)) {
			*out = p->vars[i].value;
			return 0;
		}
	return play_error(p, "unknown variable '%s' (set it with 'let')", name);
}

int arg_number(struct play *p, const char *w, uint32_t *out)
{
	if (*w == '$')
		return play_var(p, w, out);
	if (parse_number(w, out))
		return play_error(p, "bad number '%s'", w);
	return 0;
}

int arg_size(struct play *p, const char *w, uint32_t *size)
{
	static const char *const names[] = { "byte", "half", "word" };
	static const uint32_t sizes[] = { 1, 2, 4 };

	for (int i = 0; i < 3; i++)
		if (!strcmp(w, names[i])) {
			*size = sizes[i];
			return 0;
		}
	return play_error(p, "bad size '%s' (byte, half or word)", w);
}

int arg_rights(struct play *p, const char *w, uint32_t *prot)
{
	if (!strcmp(w, "r") || !strcmp(w, "ro"))
		*prot = PROT_READ;
	else if (!strcmp(w, "rw"))
		*prot = PROT_READ | PROT_WRITE;
	else
		return play_error(p, "bad rights '%s' (r or rw)", w);
	return 0;
}

struct ptask *find_ptask(struct play *p, const char *name)
{
	for (int i = 0; i < MAX_PTASKS; i++)
		if (p->tasks[i].name[0] && !strcmp(p->tasks[i].name, name))
			return &p->tasks[i];
	return NULL;
}

struct ptask *ptask_by_pid(struct play *p, int pid)
{
	for (int i = 0; i < MAX_PTASKS; i++)
		if (p->tasks[i].name[0] && p->tasks[i].pid == pid)
			return &p->tasks[i];
	return NULL;
}

struct task *ptask_task(struct ptask *t)
{
	struct task *k = t->name[0] ? task_by_pid(t->pid) : NULL;

	return k && k->state != TASK_ZOMBIE ? k : NULL;
}

int ptask_status(struct ptask *t)
{
	struct task *k = task_by_pid(t->pid);

	return k && k->state == TASK_ZOMBIE ? k->exit_status : t->status;
}

struct ptask *arg_named(struct play *p, const char *name)
{
	struct ptask *t = name ? find_ptask(p, name) : NULL;

	if (!name)
		play_error(p, "a task name is missing");
	else if (!t)
		play_error(p, "unknown task '%s'", name);
	return t;
}

struct ptask *arg_task(struct play *p, const char *name)
{
	struct ptask *t = arg_named(p, name);

	if (!t)
		return NULL;
	if (!ptask_task(t)) {
		play_error(p, "task '%s' has exited", name);
		return NULL;
	}
	return t;
}

struct ptask *arg_agent(struct play *p, const char *name)
{
	struct ptask *t = arg_task(p, name);

	if (t && !ptask_task(t)->agent) {
		play_error(p, "task '%s' runs a program, not the agent: it takes no commands",
			   name);
		return NULL;
	}
	return t;
}

struct aspace *task_space(struct play *p, const char *name, struct ptask **out)
{
	struct ptask *t = arg_task(p, name);
	struct task *k = t ? ptask_task(t) : NULL;

	if (k && !k->as)
		play_error(p, "task '%s' has no address space", name);
	if (out)
		*out = t;
	return k ? k->as : NULL;
}

int task_linear(struct play *p, struct ptask *t, uint32_t off, uint32_t *linear)
{
	struct task *k = ptask_task(t);
	uint32_t base, limit;

	if (!k || user_segment(k, &base, &limit))
		return play_error(p, "task '%s' has no segments", t->name);
	if (user_linear(k, off, 0, linear))
		return play_error(p, "0x%08x is past %s's data segment limit 0x%08x (a #GP on a CPU "
				  "that checks limits; 'show walk %s 0x%x' says where it would go)",
				  off, t->name, limit, t->name, off);
	return 0;
}

uint32_t task_offset(struct ptask *t, uint32_t linear)
{
	struct task *k = ptask_task(t);

	return k && k->as ? linear - k->as->base : linear;
}

struct aspace *task_space_addr(struct play *p, const char *name, const char *addr_word,
			       struct ptask **t, uint32_t *va)
{
	struct ptask *pt;
	struct aspace *as = task_space(p, name, &pt);
	uint32_t off;

	if (t)
		*t = pt;
	if (as && !addr_word)
		play_error(p, "an address is missing");
	if (!as || !addr_word || arg_number(p, addr_word, &off) || task_linear(p, pt, off, va))
		return NULL;
	return as;
}

/* Has the named task ended and been collected: neither alive nor a
 * zombie that someone may still wait for by its name? (pids are never
 * reused: a pid no task has is gone for good.) */
static int ptask_gone(const struct ptask *t)
{
	return !task_by_pid(t->pid);
}

/* The entry a new task called name takes: the name's own entry (its task
 * is gone: new_name checked), an empty one, or the entry of the oldest
 * task that is gone (the lowest pid), whose name is then forgotten. NULL
 * when every entry names a task that is alive or a zombie. */
static struct ptask *ptask_slot(struct play *p, const char *name)
{
	struct ptask *t = find_ptask(p, name), *oldest = NULL;

	if (t)
		return t;
	for (int i = 0; i < MAX_PTASKS; i++)
		if (!p->tasks[i].name[0])
			return &p->tasks[i];
	for (int i = 0; i < MAX_PTASKS; i++)
		if (ptask_gone(&p->tasks[i]) && (!oldest || p->tasks[i].pid < oldest->pid))
			oldest = &p->tasks[i];
	return oldest;
}

int ptask_room(struct play *p, const char *name)
{
	if (ptask_slot(p, name))
		return 0;
	return play_error(p, "task '%s' cannot start: %d named tasks are alive or zombies "
			  "(exit, kill or wait for some)", name, MAX_PTASKS);
}

struct ptask *ptask_add(struct play *p, const char *name, int pid)
{
	struct ptask *t = ptask_slot(p, name);

	if (!t) /* only the interpreter adds entries: the room it saw is still there */
		panic("play: ptask_add('%s') without ptask_room", name);
	memset(t, 0, sizeof *t);
	strlcpy(t->name, name, sizeof t->name);
	t->pid = pid;
	report_name(pid, name);
	struct task *k = task_by_pid(pid);
	if (k && k->as)
		t->seen = k->as->counters;
	return t;
}

const char *status_str(int status, char *buf, unsigned size)
{
	static const char *const causes[16] = { [TERM_ILL] = "invalid instruction",
						[TERM_TRAP] = "breakpoint",
						[TERM_FPE] = "divide error",
						[TERM_KILLED] = "killed",
						[TERM_SEGV] = "segv",
						[TERM_OOM] = "out of memory" };
	int term = W_TERM(status);

	if (W_EXITED(status))
		fmt_snprintf(buf, size, "exited with code %d", W_EXITCODE(status));
	else
		fmt_snprintf(buf, size, "killed: %s", term < 16 && causes[term] ? causes[term] : "?");
	return buf;
}

/* An agent that no name stands for: the child of a fork whose parent was
 * killed (timeout, Ctrl-C) after fork() ran, before the child was named.
 * Nobody can give it a command: it would only hold memory and a slot.
 * Between a hello and its ptask_add no sweep runs, so a task being named
 * is never taken for one. */
static void kill_unnamed_agent(struct task *k, void *ctx)
{
	if (k->agent && k->state != TASK_ZOMBIE && !k->term && !ptask_by_pid(ctx, k->pid)) {
		task_kill(k, TERM_KILLED);
		play_say("pid %d: an agent without a name (its fork was cut short): killed", k->pid);
	}
}

void reap_sweep(struct play *p)
{
	int status, pid;

	/* Our own children (and orphans handed to us): collect them, noting
	 * the status of those we named. Children of agents stay zombies until
	 * their parent waits: ptask_status reads theirs from the zombie. */
	while ((pid = task_wait(-1, &status, 1)) > 0) {
		struct ptask *t = ptask_by_pid(p, pid);
		if (t)
			t->status = status;
	}
	task_for_each(kill_unnamed_agent, p);
}

static void fault_summary(const struct mm_counters *before, const struct mm_counters *after,
			  char *buf, unsigned size)
{
	unsigned n = 0;

	buf[0] = 0;
	for (int k = 0; k < FAULT_NKINDS; k++) {
		uint32_t d = after->faults[k] - before->faults[k];
		if (!d)
			continue;
		n += (unsigned)fmt_snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
					   fault_kind_name(k));
		if (d > 1 && n < size)
			n += (unsigned)fmt_snprintf(buf + n, size - n, " x%u", d);
		if (n >= size)
			break;
	}
	if (!n)
		strlcpy(buf, "none", size);
}

static void say_faults(struct ptask *t, struct task *k)
{
	char faults[PLAY_MSG_MAX];

	if (!k->as)
		return;
	fault_summary(&t->seen, &k->as->counters, faults, sizeof faults);
	t->seen = k->as->counters;
	play_say("%s: faults: %s", t->name, faults);
}

/* agent_call did not get a reply: say how the task ended. Death is not
 * an error (1: the script may have meant it); a task that had to be
 * killed for not answering is (-1). Either way it is dead now. */
static int agent_lost(struct play *p, struct ptask *t, enum agent_outcome why)
{
	char text[STATUS_TEXT_MAX];

	if (why == CALL_TIMED_OUT)
		return play_error(p, "%s: no reply in %d s: killed", t->name, AGENT_TIMEOUT_S);
	if (why == CALL_TOO_LONG)
		return play_error(p, "%s: no reply in %d s, though it kept faulting: killed",
				  t->name, AGENT_CALL_MAX_S);
	if (why == CALL_INTERRUPTED)
		return play_error(p, "%s: interrupted (Ctrl-C): killed", t->name);
	play_say("%s: %s", t->name, status_str(ptask_status(t), text, sizeof text));
	return 1;
}

/* A range command in RANGE_PIECE pieces. They end at RANGE_PIECE
 * boundaries, which are page boundaries: a touch never visits one page
 * twice. The reply's value is the sum of the pieces'. */
static enum agent_outcome call_in_pieces(struct task *k, const struct pg_agent_cmd *cmd,
					 struct pg_agent_reply *reply)
{
	uint32_t end = cmd->addr + cmd->len, total = 0;

	for (uint32_t at = cmd->addr; at < end;) {
		struct pg_agent_cmd piece = *cmd;
		uint32_t stop = (at & ~(RANGE_PIECE - 1)) + RANGE_PIECE;
		piece.addr = at;
		piece.len = (stop < end ? stop : end) - at;
		enum agent_outcome why = agent_call(k, &piece, reply);
		if (why != CALL_REPLIED)
			return why;
		total += reply->value;
		at += piece.len;
	}
	reply->value = total;
	return CALL_REPLIED;
}

static int agent_run(struct play *p, struct ptask *t, struct pg_agent_cmd *cmd,
		     struct pg_agent_reply *reply, int range)
{
	struct task *k = ptask_task(t);

	if (!k || !k->agent)
		return play_error(p, "task '%s' is not running", t->name);
	enum agent_outcome why = range ? call_in_pieces(k, cmd, reply) : agent_call(k, cmd, reply);
	if (why != CALL_REPLIED)
		return agent_lost(p, t, why);
	say_faults(t, k);
	play_trace_access(p, t, cmd);
	return 0;
}

int agent_do(struct play *p, struct ptask *t, struct pg_agent_cmd *cmd,
	     struct pg_agent_reply *reply)
{
	return agent_run(p, t, cmd, reply, 0);
}

int agent_do_range(struct play *p, struct ptask *t, struct pg_agent_cmd *cmd,
		   struct pg_agent_reply *reply)
{
	return agent_run(p, t, cmd, reply, 1);
}

static const struct command *find_command(const char *name)
{
	for (unsigned i = 0; i < sizeof tables / sizeof tables[0]; i++)
		for (const struct command *c = tables[i]; c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Where the line's comment starts (its end if none): a '#' at the start
 * of a word. Inside a word ("a#b") '#' is an ordinary character. The
 * line is cut here before it is echoed and split, so the transcript
 * shows exactly the words that run. */
static char *comment_start(char *line)
{
	for (char *s = line; *s; s++)
		if (*s == '#' && (s == line || is_blank(s[-1])))
			return s;
	return line + strlen(line);
}

/* Words of a line (its comment already cut); -1 if more than MAX_WORDS. */
static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *s = line; *s;) {
		while (is_blank(*s))
			*s++ = 0;
		if (!*s)
			break;
		if (argc == MAX_WORDS)
			return -1;
		argv[argc++] = s;
		while (*s && !is_blank(*s))
			s++;
	}
	return argc;
}

static int run_command(struct play *p, int argc, char **argv);

/* try <command ...>: an error is the expected outcome ("expect error"). */
static int run_try(struct play *p, int argc, char **argv)
{
	if (argc == 1)
		return play_error(p, "usage: try <command ...>");
	if (!strcmp(argv[1], "try"))
		return play_error(p, "try cannot be nested (usage: try <command ...>)");
	p->trying = 1;
	p->last_try_failed = 0;
	run_command(p, argc - 1, argv + 1);
	p->trying = 0;
	if (!p->last_try_failed)
		kprintf("  (no error)\n");
	return 0;
}

/* if <quantity> <op> <quantity> then <command ...>: run the command only
 * when the comparison holds (a script's two outcomes of one machine
 * fact, e.g. limits_checked); else say it was skipped. */
static int run_if(struct play *p, int argc, char **argv)
{
	int then = 1, truth;
	uint32_t lhs, rhs;

	while (then < argc && strcmp(argv[then], "then"))
		then++;
	if (then >= argc - 1)
		return play_error(p, "usage: if <quantity> <op> <quantity> then <command ...>");
	if (play_compare(p, then, argv, &truth, &lhs, &rhs))
		return -1;
	if (!truth) {
		kprintf("  (skipped: the left side is %u (0x%x), the right side %u (0x%x))\n", lhs,
			lhs, rhs, rhs);
		return 0;
	}
	if (!strcmp(argv[then + 1], "if") || !strcmp(argv[then + 1], "try"))
		return play_error(p, "if runs one plain command (not if or try)");
	return run_command(p, argc - then - 1, argv + then + 1) < 0 ? -1 : 0;
}

int run_line(struct play *p, char *line)
{
	char *argv[MAX_WORDS];
	char echo[SCRIPT_LINE_MAX + 1];

	*comment_start(line) = 0;
	strlcpy(echo, line, sizeof echo);
	for (size_t n = strlen(echo); n && is_blank(echo[n - 1]); n--)
		echo[n - 1] = 0;
	int argc = split(line, argv);
	if (argc == 0)
		return 0;
	if (!p->interactive)
		kprintf("play> %s\n", echo);
	if (argc < 0)
		return play_error(p, "more than %d words on a line", MAX_WORDS);
	if (!strcmp(argv[0], "try"))
		return run_try(p, argc, argv);
	if (!strcmp(argv[0], "if"))
		return run_if(p, argc, argv);
	return run_command(p, argc, argv) < 0 ? -1 : 0;
}

static int run_command(struct play *p, int argc, char **argv)
{
	const struct command *c = find_command(argv[0]);

	if (!c)
		return play_unknown_command(p, argv[0]);
	if (argc - 1 < c->min_args || argc - 1 > c->max_args)
		return play_error(p, "usage: %s %s", c->name, c->usage);
	reap_sweep(p); /* tasks may have ended while the shell waited for a line */
	int rc = c->run(p, argc, argv);
	reap_sweep(p);
	play_after_command(p);
	return rc;
}

int play_help(const char *name)
{
	int n = 0;

	if (!name || !strcmp(name, "try")) {
		kprintf("  %-8s %-34s %s\n", "try", "<command ...>",
			"run it; an error is expected (see 'expect error')");
		n++;
	}
	if (!name || !strcmp(name, "if")) {
		kprintf("  %-8s %-34s %s\n", "if", "<q> <op> <q> then <command ...>",
			"run the command only when the comparison holds");
		n++;
	}
	for (unsigned i = 0; i < sizeof tables / sizeof tables[0]; i++)
		for (const struct command *c = tables[i]; c->name; c++)
			if (!name || !strcmp(name, c->name)) {
				kprintf("  %-8s %-34s %s\n", c->name, c->usage, c->help);
				n++;
			}
	return n;
}

static void kill_user_task(struct task *t, void *ctx)
{
	(void)ctx;
	if (t->as && t->state != TASK_ZOMBIE)
		task_kill(t, TERM_KILLED);
}

static void find_user_task(struct task *t, void *ctx)
{
	if (!*(int *)ctx && t->as && t->state != TASK_ZOMBIE)
		*(int *)ctx = t->pid;
}

/* The pid of a user task still alive, or 0. */
static int a_user_task(void)
{
	int pid = 0;

	task_for_each(find_user_task, &pid);
	return pid;
}

/* How long the end of a session waits for its tasks to die. */
#define CLEANUP_TICKS (2 * TICK_HZ)

/* End of a session: no task it started, named or not, survives it (and
 * so no agent slot stays taken: a slot is freed when its task exits). */
static void cleanup(struct play *p)
{
	uint32_t start = ticks;
	int pid, status;

	task_for_each(kill_user_task, NULL); /* all at once: they die together */
	while ((pid = a_user_task()) && ticks - start < CLEANUP_TICKS)
		kill_and_wait(pid, CLEANUP_TICKS - (ticks - start));
	/* Every one of them is now a zombie or gone; orphans are ours to reap. */
	while (task_wait(-1, &status, 1) > 0)
		;
	memset(p->tasks, 0, sizeof p->tasks);
}

void play_begin(struct play *p, const char *file, int interactive)
{
	memset(p, 0, sizeof *p);
	p->file = file;
	p->interactive = interactive;
	/* A session may change these; the next one gets them back. */
	p->saved_fork_mode = mm_fork_mode;
	p->saved_log_level = log_level;
	p->saved_watch = watch_is_on();
	p->task_mode = boot_info->cfg.task_mode; /* playground.cfg's task_mode */
}

void play_end(struct play *p)
{
	char *end[] = { "end", "of", (char *)p->file };

	play_snapshot(p, 3, end); /* the last state, before the tasks go */
	play_trace_stop(p);
	cleanup(p);
	mm_fork_mode = p->saved_fork_mode;
	log_set_level(p->saved_log_level);
	view_clear(); /* the next session starts with the whole screen for text */
	watch_set(p->saved_watch);
}

enum line_problem { LINE_OK, LINE_LONG, LINE_CONTROL, LINE_NUL };

/* Take the line at text[*at] into line (at most SCRIPT_LINE_MAX
 * characters, without its '\n', NUL-terminated) and move *at past it.
 * A byte that no text has (below 0x20 but tab and CR, or DEL: a binary
 * file) is reported with its value and column; so is a line too long. */
static enum line_problem take_line(const char *text, uint32_t len, uint32_t *at, char *line,
				   unsigned *bad, unsigned *col)
{
	enum line_problem why = LINE_OK;
	uint32_t n = 0;

	for (; *at < len && text[*at] != '\n'; (*at)++, n++) {
		unsigned char c = (unsigned char)text[*at];
		if (why == LINE_OK && ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F)) {
			why = c ? LINE_CONTROL : LINE_NUL;
			*bad = c;
			*col = n + 1;
		}
		if (n < SCRIPT_LINE_MAX)
			line[n] = (char)c;
	}
	line[n < SCRIPT_LINE_MAX ? n : SCRIPT_LINE_MAX] = 0;
	if (*at < len)
		(*at)++; /* the '\n' */
	return why == LINE_OK && n > SCRIPT_LINE_MAX ? LINE_LONG : why;
}

/* A line that cannot run. A NUL byte means the file is not text at all
 * (UTF-16 has one in every other byte): the rest is not read. */
static void bad_line(struct play *p, enum line_problem why, unsigned bad, unsigned col)
{
	if (why == LINE_LONG)
		play_line_too_long(p);
	else if (why == LINE_CONTROL)
		play_error(p, "control character 0x%02x at column %u (is this a text file?)", bad,
			   col);
	else {
		play_error(p, "NUL byte at column %u: not a text file; the rest is not read", col);
		p->not_text = 1;
	}
}

/* Where the commands start: after a UTF-8 byte-order mark (some editors
 * write one). A UTF-16 file is refused whole: it returns len. */
static uint32_t text_start(struct play *p, const char *text, uint32_t len)
{
	const unsigned char *u = (const unsigned char *)text;

	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		return 3;
	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
		p->line = 1;
		play_error(p, "the file is UTF-16 text (it starts with 0x%02x 0x%02x): save it as "
			   "UTF-8 or ASCII", u[0], u[1]);
		p->not_text = 1;
		return len;
	}
	return 0;
}

unsigned play_run_script(const char *name, const char *text, uint32_t len)
{
	static struct play p;
	char line[SCRIPT_LINE_MAX + 1];
	unsigned bad = 0, col = 0;

	play_begin(&p, name, 0);
	kprintf("play: running %s\n", name);
	uint32_t at = text_start(&p, text, len);
	while (at < len && !p.stopped && !p.not_text) {
		p.line++;
		enum line_problem why = take_line(text, len, &at, line, &bad, &col);
		if (why == LINE_OK)
			run_line(&p, line);
		else
			bad_line(&p, why, bad, col);
	}
	play_end(&p);
	kprintf("play: %s: %u expects, %u failed, %u errors%s\n", name, p.expects, p.failed,
		p.errors, p.not_text ? " (stopped: not a text file)"
			  : p.stopped ? " (stopped at the first error)" : "");
	return p.failed + p.errors;
}
