/*
 * config.c - parse playground.cfg.
 *
 * One "key = value" per line; '#' starts a comment; blank lines are fine;
 * keys are case-sensitive. Problems are reported through a callback with
 * the line number and the line is skipped: a typo must never stop a boot.
 * The file is untrusted input (it sits on a FAT partition anyone can edit),
 * so every length is bounded. Self-contained: calls nothing outside.
 */
#include "lib/config.h"

#include "lib/fmt.h"

#define LINE_MAX_CHARS 256

struct word {
	const char *s;
	size_t n;
};

struct parser {
	struct pg_config *cfg;
	config_report_fn report;
	void *ctx;
	unsigned line;
	unsigned problems;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static struct word trim(const char *s, size_t n)
{
	while (n && is_space(*s)) {
		s++;
		n--;
	}
	while (n && is_space(s[n - 1]))
		n--;
	return (struct word){ s, n };
}

static int word_is(struct word w, const char *lit)
{
	size_t i = 0;

	for (; i < w.n; i++)
		if (lit[i] != w.s[i])
			return 0;
	return lit[i] == '\0';
}

/* Report one problem; names, when given, is the list of values the key
 * takes, added as ": one of a, b, c" (as much as fits). */
static void problem_choices(struct parser *p, const char *fmt, struct word a, struct word b,
			    const char *const *names)
{
	char msg[200];
	size_t len = (size_t)fmt_snprintf(msg, sizeof msg, fmt, (int)a.n, a.s, (int)b.n, b.s);

	for (int i = 0; names && names[i] && len < sizeof msg - 1; i++)
		len += (size_t)fmt_snprintf(msg + len, sizeof msg - len, "%s%s",
					    i ? ", " : ": one of ", names[i]);
	p->problems++;
	if (p->report)
		p->report(p->ctx, p->line, msg);
}

static void problem(struct parser *p, const char *fmt, struct word a, struct word b)
{
	problem_choices(p, fmt, a, b, 0);
}

/* Look v up in a NULL-terminated list of names; -1 if absent. */
static int lookup(struct word v, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (word_is(v, names[i]))
			return i;
	return -1;
}

static int parse_u32(struct word v, uint32_t *out)
{
	uint64_t x = 0;

	if (!v.n || v.n > 10)
		return -1;
	for (size_t i = 0; i < v.n; i++) {
		if (v.s[i] < '0' || v.s[i] > '9')
			return -1;
		x = x * 10 + (unsigned)(v.s[i] - '0');
	}
	if (x > 0xFFFFFFFFu)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

/* Split a comma list and call item() on each trimmed element. */
static int for_each_item(struct parser *p, struct word v,
			 int (*item)(struct parser *, struct word))
{
	size_t start = 0;

	for (size_t i = 0; i <= v.n; i++) {
		if (i < v.n && v.s[i] != ',')
			continue;
		if (item(p, trim(v.s + start, i - start)) < 0)
			return -1;
		start = i + 1;
	}
	return 0;
}

static const char *const step_names[RUN_NSTEPS + 1] = {
	"end", "suite", "scripts", "shell", "bench", "panic", "double-fault", 0,
};

const char *config_step_name(unsigned step)
{
	return step < RUN_NSTEPS ? step_names[step] : "?";
}

static const char *const swap_names[] = { "auto", "disk", "highram", "off", 0 };

const char *config_swap_name(unsigned mode)
{
	return mode <= SWAP_OFF ? swap_names[mode] : "?";
}

static int run_item(struct parser *p, struct word w)
{
	int step = lookup(w, step_names);

	if (step <= 0 || p->cfg->nsteps >= CONFIG_MAX_STEPS)
		return -1;
	p->cfg->run[p->cfg->nsteps++] = (uint8_t)step;
	return 0;
}

static int suite_item(struct parser *p, struct word w)
{
	/* In the order of the SUITE_ bits; "all" last. */
	static const char *const names[] = { "boot", "mm",   "task", "scenario",
					     "stress", "disk", "all",  0 };
	enum { ALL = 6 };
	int i = lookup(w, names);

	if (i < 0)
		return -1;
	p->cfg->suites |= i == ALL ? SUITE_ALL : 1u << i;
	return 0;
}

static int set_choice(uint8_t *field, struct word v, const char *const *names)
{
	int i = lookup(v, names);

	if (i < 0)
		return -1;
	*field = (uint8_t)i;
	return 0;
}

static int set_script(struct parser *p, struct word v)
{
	struct pg_config *c = p->cfg;

	if (!v.n || v.n >= CONFIG_PATH_MAX || c->nscripts >= CONFIG_MAX_SCRIPTS)
		return -1;
	for (size_t i = 0; i < v.n; i++)
		c->scripts[c->nscripts][i] = v.s[i];
	c->scripts[c->nscripts][v.n] = '\0';
	c->nscripts++;
	return 0;
}

static void apply(struct parser *p, struct word key, struct word v)
{
	static const char *const log_names[] = { "quiet", "normal", "verbose", 0 };
	static const char *const auto_off[] = { "auto", "off", 0 };
	static const char *const finish_names[] = { "exit", "halt", 0 };
	static const char *const fork_names[] = { "share", "copy", 0 };
	static const char *const task_mode_names[] = { "flat", "linux011", 0 };
	static const char *const gdb_names[] = { "off", "loader", "kernel", 0 };
	static const char *const off_on[] = { "off", "on", 0 };
	struct pg_config *c = p->cfg;
	struct pg_config before = *c; /* a bad value leaves the setting alone */
	const char *const *names = 0;  /* the values a choice key takes */
	int rc;

	if (word_is(key, "log"))
		rc = set_choice(&c->log_level, v, names = log_names);
	else if (word_is(key, "serial"))
		rc = set_choice(&c->serial, v, names = auto_off);
	else if (word_is(key, "console"))
		rc = set_choice(&c->console, v, names = auto_off);
	else if (word_is(key, "finish"))
		rc = set_choice(&c->finish, v, names = finish_names);
	else if (word_is(key, "fork"))
		rc = set_choice(&c->fork_mode, v, names = fork_names);
	else if (word_is(key, "task_mode"))
		rc = set_choice(&c->task_mode, v, names = task_mode_names);
	else if (word_is(key, "gdb"))
		rc = set_choice(&c->gdb, v, names = gdb_names);
	else if (word_is(key, "report"))
		rc = set_choice(&c->report, v, names = off_on);
	else if (word_is(key, "watch"))
		rc = set_choice(&c->watch, v, names = off_on);
	else if (word_is(key, "swap"))
		rc = set_choice(&c->swap, v, names = swap_names);
	else if (word_is(key, "bench_rounds"))
		rc = parse_u32(v, &c->bench_rounds);
	else if (word_is(key, "map_slack"))
		rc = parse_u32(v, &c->map_slack) < 0 || c->map_slack > CONFIG_MAP_SLACK_MAX ? -1 : 0;
	else if (word_is(key, "script"))
		rc = set_script(p, v);
	else if (word_is(key, "run")) {
		c->nsteps = 0;
		c->run_given = 1;
		rc = for_each_item(p, v, run_item);
	} else if (word_is(key, "suite")) {
		c->suites = 0;
		rc = for_each_item(p, v, suite_item);
	} else {
		problem(p, "unknown key '%.*s' (ignored)%.*s", key, (struct word){ "", 0 });
		return;
	}
	if (rc < 0) {
		*c = before;
		problem_choices(p, "bad value '%.*s' for key '%.*s' (ignored)", v, key, names);
	}
}

static void parse_line(struct parser *p, const char *s, size_t n)
{
	size_t eq = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '#') {
			n = i;
			break;
		}
	struct word line = trim(s, n);
	if (!line.n)
		return;
	while (eq < line.n && line.s[eq] != '=')
		eq++;
	struct word key = trim(line.s, eq);
	if (eq == line.n || !key.n) {
		problem(p, "expected key=value, got '%.*s'%.*s", line, (struct word){ "", 0 });
		return;
	}
	apply(p, key, trim(line.s + eq + 1, line.n - eq - 1));
}

void config_defaults(struct pg_config *cfg)
{
	char *b = (char *)cfg;

	for (size_t i = 0; i < sizeof *cfg; i++)
		b[i] = 0;
	cfg->log_level = LOG_NORMAL;
	cfg->suites = SUITE_ALL;
	cfg->map_slack = CONFIG_MAP_SLACK_DEFAULT;
	cfg->run[0] = RUN_SUITE;
	cfg->nsteps = 1;
}

unsigned config_parse(struct pg_config *cfg, const char *text, size_t len,
		      config_report_fn report, void *ctx)
{
	struct parser p = { cfg, report, ctx, 0, 0 };
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n' && text[i] != '\0')
			continue;
		p.line++;
		if (i - start > LINE_MAX_CHARS)
			problem(&p, "line longer than 256 characters (ignored)%.*s%.*s",
				(struct word){ "", 0 }, (struct word){ "", 0 });
		else
			parse_line(&p, text + start, i - start);
		start = i + 1;
		if (i < len && text[i] == '\0')
			break;
	}
	/* Scripts named without run=: running them is what the user meant. */
	if (!cfg->run_given && cfg->nscripts) {
		cfg->run[0] = RUN_SCRIPTS;
		cfg->nsteps = 1;
	}
	cfg->problems += p.problems;
	return p.problems;
}
