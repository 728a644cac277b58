/*
 * report.h - the records of a run, for the HTML report (core/report.c;
 * the format is in docs/pictures.md, "The records").
 *
 * Off unless asked (`report = on` in playground.cfg, make run REPORT=1):
 * then, beside the human log, lines starting with '@' go to every sink
 * but the screen, and scripts/report.py turns a serial log into one
 * HTML file. When off, nothing here runs: the fault path tests one byte
 * (log_trace, core/log.h) that it tested before for the verbose log.
 */
#ifndef CORE_REPORT_H
#define CORE_REPORT_H

#include <bootinfo.h>
#include <stdint.h>

#include "core/mm/mm.h"

struct task;

#define REPORT_VERSION 1

/* Is the report on? */
int report_active(void);
/* Turn it on: the header (version, machine, the styles of uses and
 * entries) and the tasks alive now. version is the kernel's. */
void report_start(const struct bootinfo *bi, const char *version);
/* The last record, at the end of the session: faults in all. */
void report_end(void);

/* A fault of task t at va (kind as vmm_fault() decided; err the CPU's
 * error code). Call only when log_trace says LOG_TRACE_REPORT, or from
 * the slow paths (it checks). */
void report_fault(struct task *t, enum fault_kind kind, vaddr_t va, uint32_t err);
/* Task events since the last call, found by comparing the task table
 * with what the report saw last: new tasks, exits, tasks reaped. Each is
 * stamped when found (at the next fault, command or snapshot), so fork,
 * exit and wait run as they do without the report. */
void report_tasks(void);
/* The playground named task pid. */
void report_name(int pid, const char *name);

/* A snapshot: begin (why: the command, or "end of <script>"), one
 * report_space() per address space, end (mem_map, counters). */
void report_snapshot_begin(const char *why);
void report_space(const char *name, int pid, struct aspace *as);
void report_snapshot_end(void);

#endif
