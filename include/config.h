/*
 * config.h - the boot configuration, \EFI\BOOT\playground.cfg.
 *
 * The loader parses the file (lib/config.c) before ExitBootServices, reports
 * problems on screen and serial, and hands the result to the kernel inside
 * struct bootinfo. Keys and values are documented in docs/config.md.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdint.h>

enum log_level { LOG_QUIET = 0, LOG_NORMAL = 1, LOG_VERBOSE = 2 };

/* Steps the kernel runs after boot, in the order given by run=. */
enum run_step { RUN_END = 0, RUN_SUITE, RUN_SCRIPTS, RUN_SHELL, RUN_BENCH, RUN_PANIC,
		RUN_DOUBLE_FAULT, RUN_NSTEPS };

enum serial_mode { SERIAL_AUTO = 0, SERIAL_OFF };
enum console_mode { CONSOLE_AUTO = 0, CONSOLE_OFF };
enum finish_mode { FINISH_EXIT = 0, FINISH_HALT };
enum fork_mode { FORK_SHARE_TABLES = 0, FORK_COPY_TABLES };
/* How the playground's tasks run: flat segments and a directory each, or
 * Linux 0.11's way, a 64 MiB slot each of one shared directory. */
enum task_mode { TASK_MODE_FLAT = 0, TASK_MODE_LINUX011 };
/* Where swapped-out pages go (core/swap_choose.c): auto takes our disk
 * partition, then RAM above 4 GiB, then none. */
enum swap_mode { SWAP_AUTO = 0, SWAP_DISK, SWAP_HIGHRAM, SWAP_OFF };
enum gdb_wait { GDB_OFF = 0, GDB_LOADER, GDB_KERNEL }; /* who waits for gdb */

/* Built-in test suites selected by suite=. */
#define SUITE_BOOT 0x01u
#define SUITE_MM 0x02u
#define SUITE_TASK 0x04u
#define SUITE_SCENARIO 0x08u
#define SUITE_STRESS 0x10u
#define SUITE_DISK 0x20u
#define SUITE_ALL 0x3Fu

#define CONFIG_MAX_STEPS 4
#define CONFIG_MAX_SCRIPTS 8
#define CONFIG_PATH_MAX 96
#define CONFIG_MAP_SLACK_DEFAULT 64 /* descriptors: Linux found 8, then 32, too few */
#define CONFIG_MAP_SLACK_MAX 4096

struct pg_config {
	uint8_t log_level;
	uint8_t serial;
	uint8_t console;
	uint8_t finish;
	uint8_t fork_mode;
	uint8_t run_given; /* run= appeared in the file */
	uint8_t gdb;
	uint8_t nsteps;
	uint8_t nscripts;
	uint8_t run[CONFIG_MAX_STEPS];
	uint8_t task_mode; /* enum task_mode: what "task <name>" starts */
	uint8_t report; /* 1: the report's records on serial (core/report.c) */
	uint8_t watch;  /* 1: the live strip from boot (core/view/watch.c) */
	uint8_t swap;   /* enum swap_mode */
	uint32_t suites;
	uint32_t bench_rounds; /* 0: the benchmark's default */
	uint32_t map_slack;    /* loader's first memory-map room; CONFIG_MAP_SLACK_DEFAULT */
	uint32_t problems;     /* lines reported as bad or unknown */
	char scripts[CONFIG_MAX_SCRIPTS][CONFIG_PATH_MAX];
};

#endif
