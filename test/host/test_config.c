/* test_config.c - playground.cfg parsing: values, defaults, and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lib/config.h"

static char reports[4096];
static unsigned nreports;

static void report(void *ctx, unsigned line, const char *msg)
{
	(void)ctx;
	nreports++;
	size_t n = strlen(reports);
	snprintf(reports + n, sizeof reports - n, "%u: %s\n", line, msg);
}

static unsigned parse(struct pg_config *c, const char *text)
{
	reports[0] = 0;
	nreports = 0;
	config_defaults(c);
	return config_parse(c, text, strlen(text), report, NULL);
}

static void test_defaults(void **state)
{
	(void)state;
	struct pg_config c;
	assert_int_equal(parse(&c, ""), 0);
	assert_int_equal(c.log_level, LOG_NORMAL);
	assert_int_equal(c.nsteps, 1);
	assert_int_equal(c.run[0], RUN_SUITE);
	assert_int_equal(c.suites, SUITE_ALL);
	assert_int_equal(c.finish, FINISH_EXIT);
	assert_int_equal(c.fork_mode, FORK_SHARE_TABLES);
	assert_int_equal(c.task_mode, TASK_MODE_FLAT);
	assert_int_equal(c.swap, SWAP_AUTO);
}

/* swap = auto | disk | highram | off; a bad value names the four. */
static void test_swap(void **state)
{
	(void)state;
	struct pg_config c;
	const char *names[] = { "auto", "disk", "highram", "off" };
	for (unsigned i = 0; i < 4; i++) {
		char line[32];
		snprintf(line, sizeof line, "swap = %s\n", names[i]);
		assert_int_equal(parse(&c, line), 0);
		assert_int_equal(c.swap, i);
		assert_string_equal(config_swap_name(i), names[i]);
	}
	assert_int_equal(SWAP_OFF, 3);
	assert_int_equal(parse(&c, "swap = highram\nswap = tape\nswap=Disk\n"), 2);
	assert_int_equal(c.swap, SWAP_HIGHRAM); /* bad values leave it as it was */
	assert_non_null(strstr(reports, "2: bad value 'tape' for key 'swap' (ignored): one of "
				       "auto, disk, highram, off"));
	assert_non_null(strstr(reports, "3: bad value 'Disk' for key 'swap' (ignored)"));
	assert_string_equal(config_swap_name(9), "?");
}

static void test_values(void **state)
{
	(void)state;
	struct pg_config c;
	const char *text = "# comment\n\n  log = verbose  \r\nrun=suite, shell\n"
			   "suite=boot,mm\nserial=off\nconsole = off\nfinish=halt\nfork=copy\n"
			   "script=\\EFI\\BOOT\\a.pg # trailing comment\nbench_rounds=9\n"
			   "task_mode = linux011\n";
	assert_int_equal(parse(&c, text), 0);
	assert_int_equal(c.log_level, LOG_VERBOSE);
	assert_int_equal(c.nsteps, 2);
	assert_int_equal(c.run[0], RUN_SUITE);
	assert_int_equal(c.run[1], RUN_SHELL);
	assert_int_equal(c.suites, SUITE_BOOT | SUITE_MM);
	assert_int_equal(c.serial, SERIAL_OFF);
	assert_int_equal(c.console, CONSOLE_OFF);
	assert_int_equal(c.finish, FINISH_HALT);
	assert_int_equal(c.fork_mode, FORK_COPY_TABLES);
	assert_int_equal(c.nscripts, 1);
	assert_string_equal(c.scripts[0], "\\EFI\\BOOT\\a.pg");
	assert_int_equal(c.bench_rounds, 9);
	assert_int_equal(c.task_mode, TASK_MODE_LINUX011);
	assert_int_equal(parse(&c, "suite = disk, stress\n"), 0);
	assert_int_equal(c.suites, SUITE_DISK | SUITE_STRESS);
	assert_int_equal(parse(&c, "suite = all\n"), 0);
	assert_int_equal(c.suites, SUITE_ALL);
}

static void test_scripts_imply_run(void **state)
{
	(void)state;
	struct pg_config c;
	parse(&c, "script=a.pg\nscript=b.pg\n");
	assert_int_equal(c.nsteps, 1);
	assert_int_equal(c.run[0], RUN_SCRIPTS);
	assert_int_equal(c.nscripts, 2);
	parse(&c, "run=shell\nscript=a.pg\n");
	assert_int_equal(c.run[0], RUN_SHELL); /* an explicit run= wins */
}

static void test_bad_lines_are_reported_and_skipped(void **state)
{
	(void)state;
	struct pg_config c;
	const char *text = "log=loud\nfrobnicate=1\njust words\n=5\nrun=suite,dance\n"
			   "bench_rounds=99999999999\nlog=quiet\nsuite=\ntask_mode=segmented\n";
	assert_int_equal(parse(&c, text), 8);
	assert_non_null(strstr(reports, "1: bad value 'loud' for key 'log' (ignored): one of quiet, "
				       "normal, verbose"));
	assert_non_null(strstr(reports, "2: unknown key 'frobnicate'"));
	assert_non_null(strstr(reports, "3: expected key=value, got 'just words'"));
	assert_non_null(strstr(reports, "4: expected key=value"));
	assert_non_null(strstr(reports, "5: bad value 'suite,dance' for key 'run'"));
	assert_non_null(strstr(reports, "6: bad value"));
	assert_non_null(strstr(reports, "8: bad value '' for key 'suite'"));
	assert_non_null(strstr(reports, "9: bad value 'segmented' for key 'task_mode'"));
	assert_int_equal(c.task_mode, TASK_MODE_FLAT);
	/* Bad values leave the setting as it was; good lines still apply. */
	assert_int_equal(c.log_level, LOG_QUIET);
	assert_int_equal(c.nsteps, 1);
	assert_int_equal(c.run[0], RUN_SUITE);
	assert_int_equal(c.suites, SUITE_ALL);
	assert_int_equal(c.problems, 8);
}

static void test_limits(void **state)
{
	(void)state;
	struct pg_config c;
	char text[4096] = "";
	for (int i = 0; i < CONFIG_MAX_SCRIPTS + 2; i++)
		strcat(text, "script=x.pg\n");
	assert_int_equal(parse(&c, text), 2); /* the extra two are refused */
	assert_int_equal(c.nscripts, CONFIG_MAX_SCRIPTS);
	char long_line[400];
	memset(long_line, 'a', sizeof long_line - 1);
	long_line[sizeof long_line - 1] = 0;
	assert_int_equal(parse(&c, long_line), 1);
	assert_non_null(strstr(reports, "longer than 256"));
	/* A NUL ends the text, as in a file padded with zeros. */
	const char nul[] = "log=quiet\0log=verbose\n";
	config_defaults(&c);
	config_parse(&c, nul, sizeof nul - 1, report, NULL);
	assert_int_equal(c.log_level, LOG_QUIET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_scripts_imply_run),
		cmocka_unit_test(test_bad_lines_are_reported_and_skipped),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
