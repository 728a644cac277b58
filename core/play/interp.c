/*
 * interp.c - the playground's interpreter: one command a line.
 *
 * A line is split into words; '#' starts a comment. The first word names
 * a command from the tables in cmd_task.c, cmd_mem.c, show.c and expect.c.
 * In a script every command is echoed ("play> ...") before its output, so
 * the log reads as a transcript. An error names the file and line; a
 * script then stops (unless it said "onerror continue") and the error
 * counts as a failed test. In the shell, errors are just printed.
 */
#include "core/play/interp.h"

#include <stdarg.h>

#include "core/log.h"
#include "core/tap.h"
#include "core/task/task.h"
#include "lib/fmt.h"
#include "lib/string.h"

static const struct command *const tables[] = { task_commands, mem_commands, show_commands,
						 misc_commands };

int play_error(struct play *p, const char *fmt, ...)
{
	char msg[160];
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

void play_say(const char *fmt, ...)
{
	char msg[200];
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

int arg_number(struct play *p, const char *w, uint32_t *out)
{
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

struct ptask *find_ptask(struct play *p, const char *name)
{
	for (int i = 0; i < MAX_PTASKS; i++)
		if (p->tasks[i].name[0] && !strcmp(p->tasks[i].name, name))
			return &p->tasks[i];
	return NULL;
}

struct ptask *arg_task(struct play *p, const char *name)
{
	struct ptask *t = find_ptask(p, name);

	if (!t) {
		play_error(p, "unknown task '%s'", name);
		return NULL;
	}
	if (!t->alive) {
		play_error(p, "task '%s' has exited", name);
		return NULL;
	}
	return t;
}

struct ptask *arg_agent(struct play *p, const char *name)
{
	struct ptask *t = arg_task(p, name);

	if (t && !t->ag) {
		play_error(p, "task '%s' runs a program, not the agent: it takes no commands",
			   name);
		return NULL;
	}
	return t;
}

struct ptask *ptask_add(struct play *p, const char *name, int pid, struct agent *ag)
{
	struct ptask *t = find_ptask(p, name);

	for (int i = 0; !t && i < MAX_PTASKS; i++)
		if (!p->tasks[i].name[0])
			t = &p->tasks[i];
	if (!t)
		return NULL;
	memset(t, 0, sizeof *t);
	strlcpy(t->name, name, sizeof t->name);
	t->pid = pid;
	t->ag = ag;
	t->alive = 1;
	struct task *k = task_by_pid(pid);
	if (k && k->as)
		t->seen = k->as->counters;
	return t;
}

struct task *ptask_task(struct ptask *t)
{
	struct task *k = t->alive ? task_by_pid(t->pid) : NULL;

	return k && k->state != TASK_ZOMBIE ? k : NULL;
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

static void mark_exited(struct play *p, int pid, int status)
{
	for (int i = 0; i < MAX_PTASKS; i++) {
		struct ptask *t = &p->tasks[i];
		if (t->name[0] && t->pid == pid && t->alive) {
			t->alive = 0;
			t->status = status;
			if (t->ag)
				agent_release(t->ag);
			t->ag = NULL;
		}
	}
}

void reap_sweep(struct play *p)
{
	int status, pid;

	/* Our own children (and orphans handed to us): collect them. */
	while ((pid = task_wait(-1, &status, 1)) > 0)
		mark_exited(p, pid, status);
	/* Children of agents stay zombies until their parent waits: note them. */
	for (int i = 0; i < MAX_PTASKS; i++) {
		struct ptask *t = &p->tasks[i];
		if (t->name[0] && t->alive && t->ag && t->ag->dead)
			mark_exited(p, t->pid, t->ag->exit_status);
	}
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

int agent_do(struct play *p, struct ptask *t, struct pg_agent_cmd *cmd,
	     struct pg_agent_reply *reply)
{
	char faults[120], why[48];
	struct task *k = ptask_task(t);

	if (!k)
		return play_error(p, "task '%s' is not running", t->name);
	if (agent_call(t->ag, cmd, reply)) {
		int status = t->ag->exit_status;
		reap_sweep(p);
		mark_exited(p, t->pid, status);
		play_say("%s: %s", t->name, status_str(status, why, sizeof why));
		return 1; /* not an error: the script may have meant it */
	}
	if (k->as) {
		fault_summary(&t->seen, &k->as->counters, faults, sizeof faults);
		t->seen = k->as->counters;
		play_say("%s: faults: %s", t->name, faults);
	}
	return 0;
}

static const struct command *find_command(const char *name)
{
	for (unsigned i = 0; i < sizeof tables / sizeof tables[0]; i++)
		for (const struct command *c = tables[i]; c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *s = line; *s;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			*s++ = 0;
		if (!*s || *s == '#')
			break;
		if (argc == MAX_WORDS)
			return -1;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
	}
	return argc;
}

static int run_command(struct play *p, int argc, char **argv);

int run_line(struct play *p, char *line)
{
	char *argv[MAX_WORDS];
	char echo[160];

	strlcpy(echo, line, sizeof echo);
	char *hash = strchr(echo, '#');
	if (hash)
		*hash = 0;
	for (size_t n = strlen(echo); n && (echo[n - 1] == ' ' || echo[n - 1] == '\t'); n--)
		echo[n - 1] = 0;
	int argc = split(line, argv);
	if (argc == 0)
		return 0;
	if (!p->interactive)
		kprintf("play> %s\n", echo);
	if (argc < 0)
		return play_error(p, "more than %d words on a line", MAX_WORDS);
	int rc;
	if (!strcmp(argv[0], "try") && argc > 1) {
		/* try <command>: an error is the expected outcome; "expect error". */
		p->trying = 1;
		p->last_try_failed = 0;
		rc = run_command(p, argc - 1, argv + 1);
		p->trying = 0;
		if (!p->last_try_failed)
			kprintf("  (no error)\n");
		return 0;
	}
	rc = run_command(p, argc, argv);
	return rc < 0 ? -1 : 0;
}

static int run_command(struct play *p, int argc, char **argv)
{
	const struct command *c = find_command(argv[0]);

	if (!c)
		return play_error(p, "unknown command '%.32s%s' (try 'help')", argv[0],
				  strlen(argv[0]) > 32 ? "..." : "");
	if (argc - 1 < c->min_args || argc - 1 > c->max_args)
		return play_error(p, "usage: %s %s", c->name, c->usage);
	int rc = c->run(p, argc, argv);
	reap_sweep(p);
	return rc;
}

/* Print help for one command, or list them all. */
void play_help(const char *name)
{
	if (!name || !strcmp(name, "try"))
		kprintf("  %-8s %-34s %s\n", "try", "<command ...>",
			"run it; an error is expected (see 'expect error')");
	for (unsigned i = 0; i < sizeof tables / sizeof tables[0]; i++)
		for (const struct command *c = tables[i]; c->name; c++)
			if (!name || !strcmp(name, c->name))
				kprintf("  %-8s %-34s %s\n", c->name, c->usage, c->help);
}

static void kill_user_task(struct task *t, void *ctx)
{
	(void)ctx;
	if (t->as && t->state != TASK_ZOMBIE)
		task_kill(t, TERM_KILLED);
}

static void count_user_task(struct task *t, void *ctx)
{
	*(int *)ctx += t->as != NULL && t->state != TASK_ZOMBIE;
}

/* End of a script: no task it started, named or not, survives it. */
static void cleanup(struct play *p)
{
	int left = 1, status;

	task_for_each(kill_user_task, NULL);
	for (int tries = 0; tries < 200 && left; tries++) {
		reap_sweep(p);
		left = 0;
		task_for_each(count_user_task, &left);
		if (left)
			sched_sleep(1);
	}
	/* Every one of them is now a zombie or gone; orphans are ours to reap. */
	while (task_wait(-1, &status, 1) > 0)
		;
	memset(p->tasks, 0, sizeof p->tasks);
}

unsigned play_run_script(const char *name, const char *text, uint32_t len)
{
	static struct play p;
	char line[256];
	uint32_t at = 0;
	/* A script may change these; the next script or suite gets them back. */
	int fork_mode = mm_fork_mode, level = log_level;

	memset(&p, 0, sizeof p);
	p.file = name;
	kprintf("play: running %s\n", name);
	while (at < len && !p.stopped) {
		uint32_t n = 0;
		while (at < len && text[at] != '\n' && text[at] && n < sizeof line - 1)
			line[n++] = text[at++];
		line[n] = 0;
		p.line++;
		if (at < len && text[at] != '\n' && text[at]) {
			play_error(&p, "line longer than %u characters", (unsigned)sizeof line - 1);
			while (at < len && text[at] != '\n')
				at++;
		} else {
			run_line(&p, line);
		}
		if (at < len && !text[at])
			break;
		at++;
	}
	cleanup(&p);
	mm_fork_mode = fork_mode;
	log_level = level;
	kprintf("play: %s: %u expects, %u failed, %u errors%s\n", name, p.expects, p.failed,
		p.errors, p.stopped ? " (stopped at the first error)" : "");
	return p.failed + p.errors;
}

/* The interactive shell and the shell's state live in shell.c. */
struct play *play_shell_state(void)
{
	static struct play p;

	return &p;
}

void play_shell_cleanup(struct play *p)
{
	cleanup(p);
}
