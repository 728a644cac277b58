/*
 * lxfile.c - the Linux peer's file figures: faults on a file's pages, in
 * the page cache and not, and exec plus exit of a 1 MiB static program.
 *
 * Called once by lxinit.c, in /init, after the FAT32 partition is mounted
 * read-only on /mnt. The files (linux_peer.py puts them there):
 *   /mnt/data.bin   FILE_PAGES pages of data, read through a PROT_READ
 *                   MAP_SHARED mapping;
 *   /mnt/prog1m     prog1m.c: a static program of 1 MiB, most of it one
 *                   read-only array; "all" touches every page of it, "few"
 *                   returns at once.
 *
 * Linux maps up to fault_around_bytes (64 KiB) of cached neighbours on a
 * read fault of a file page. A page-by-page figure sets it to one page
 * through debugfs; the exec figures keep Linux's default.
 *
 * The file-read fault waits for the disk: it is timed in on-CPU time
 * (cpu_ns(), schedstat), which has no device time in it, as lxswap.c does;
 * the TSC, which has, is printed beside it for reference.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lxbench.h"

#define DATA_PATH "/mnt/data.bin"
#define PROG_PATH "/mnt/prog1m"
#define FILE_PAGES 1024 /* 4 MiB */
#define FAULT_AROUND "/sys/kernel/debug/fault_around_bytes"
#define NO_FAULT_AROUND 4096 /* one page: one fault maps one page */

static char fault_around_default[32];

static void set_fault_around(const char *bytes)
{
	char now[32];

	if (write_file(FAULT_AROUND, bytes) < 0 || read_line(FAULT_AROUND, now, sizeof now) < 0 ||
	    strcmp(now, bytes) != 0)
		die("cannot set " FAULT_AROUND " to %s", bytes);
}

static int open_data(void)
{
	struct stat st;
	int fd = open(DATA_PATH, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		die("cannot open " DATA_PATH);
	if (st.st_size != (off_t)FILE_PAGES * PG)
		fail(DATA_PATH " has %lld bytes, not %u", (long long)st.st_size, FILE_PAGES * PG);
	return fd;
}

static volatile char *map_data(int fd)
{
	char *p = mmap(NULL, (size_t)FILE_PAGES * PG, PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap of " DATA_PATH);
	return p;
}

/* Every page of the file into the page cache, by read(2). */
static void read_all(int fd)
{
	static char buf[64 * 1024];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof buf, off)) > 0)
		off += n;
	if (off != (off_t)FILE_PAGES * PG)
		fail("read " DATA_PATH ": %lld bytes", (long long)off);
}

/* ----------------------------------------------------- file-hit faults --- */

/* Read faults on cached pages: per page, and faults (all minor) per page. */
static void hit_rounds(struct figure *f, int fd)
{
	for (int r = 0; r < bench_rounds; r++) {
		volatile char *p = map_data(fd);
		int64_t f0 = faults_all(), m0 = faults_major();
		uint64_t ticks = touch(p, FILE_PAGES, 0);

		fig_add(f, ticks / FILE_PAGES, per_milli(faults_all() - f0, FILE_PAGES),
			per_milli(faults_major() - m0, FILE_PAGES), EXTRA_NONE, EXTRA_NONE);
		munmap((void *)p, (size_t)FILE_PAGES * PG);
	}
	fig_report(f);
}

static void bench_file_hit(void)
{
	static struct figure hit, around;
	char one_page[16];
	int fd = open_data();

	fig_init(&hit, "file_hit_fault_cycles", "faults_per_page", "major_per_page", NULL, NULL);
	fig_init(&around, "file_hit_fault_around_cycles", "faults_per_page", "major_per_page",
		 NULL, NULL);
	read_all(fd);
	snprintf(one_page, sizeof one_page, "%d", NO_FAULT_AROUND);
	set_fault_around(one_page);
	hit_rounds(&hit, fd);
	set_fault_around(fault_around_default);
	hit_rounds(&around, fd);
	close(fd);
}

/* ---------------------------------------------------- file-read faults --- */

/*
 * After dropping the caches, read faults that each read one page from the
 * disk: no map-around (one page), no readahead (MADV_RANDOM). The figure
 * is on-CPU ns per major fault, less the same loop over the now-present
 * pages; the TSC per fault, device time and all, goes beside it. With
 * the spinner (lxbusy.c) the figure is CPU time in any context, the
 * disk's completion interrupt included, and the task's own beside it.
 */
/* Read requests the FAT partition has completed (/sys/block/.../stat). */
static int64_t disk_reads(void)
{
	char line[256];

	if (read_line("/sys/block/vda/vda2/stat", line, sizeof line) < 0)
		die("cannot read /sys/block/vda/vda2/stat");
	return strtoll(line, NULL, 10);
}

static void file_read_round(struct figure *f, int with_spinner)
{
	if (write_file("/proc/sys/vm/drop_caches", "3") < 0)
		die("cannot drop the caches");
	int fd = open_data();
	volatile char *p = map_data(fd);

	madvise((void *)p, (size_t)FILE_PAGES * PG, MADV_RANDOM);
	int64_t m0 = faults_major(), r0 = disk_reads();
	uint64_t b0 = with_spinner ? busy_now() : 0;
	uint64_t c0 = cpu_ns();
	uint64_t ticks = touch(p, FILE_PAGES, 0);
	uint64_t c1 = cpu_ns();
	uint64_t b1 = with_spinner ? busy_now() : 0;
	int64_t majors = faults_major() - m0, reads = disk_reads() - r0;
	uint64_t b2 = with_spinner ? busy_now() : 0;
	uint64_t c2 = cpu_ns();
	touch(p, FILE_PAGES, 0);
	uint64_t c3 = cpu_ns();
	uint64_t b3 = with_spinner ? busy_now() : 0;

	if (majors <= 0)
		fail("no major fault after dropping the caches");
	uint64_t task = ((c1 - c0) - (c3 - c2)) / (uint64_t)majors;
	if (!with_spinner)
		fig_add(f, task, per_milli(reads, (uint64_t)majors), per_milli(majors, FILE_PAGES),
			per_milli((int64_t)ticks, (uint64_t)majors), EXTRA_NONE);
	else
		fig_add(f, ((b1 - b0) - (b3 - b2)) / (uint64_t)majors,
			per_milli(reads, (uint64_t)majors), per_milli(majors, FILE_PAGES),
			per_milli((int64_t)ticks, (uint64_t)majors), (int64_t)task * 1000);
	munmap((void *)p, (size_t)FILE_PAGES * PG);
	close(fd);
}

static void bench_file_read(void)
{
	static struct figure rd, all;
	char one_page[16];

	fig_init(&rd, "file_read_fault_cycles", "reads_per_fault", "major_per_page",
		 "tsc_per_fault", NULL);
	fig_init(&all, "file_read_fault_allctx_cycles", "reads_per_fault", "major_per_page",
		 "tsc_per_fault", "task_per_unit");
	snprintf(one_page, sizeof one_page, "%d", NO_FAULT_AROUND);
	set_fault_around(one_page);
	for (int r = 0; r < bench_rounds; r++)
		file_read_round(&rd, 0);
	fig_report(&rd);
	busy_start();
	for (int r = 0; r < bench_rounds; r++)
		file_read_round(&all, 1);
	busy_stop();
	fig_report(&all);
	set_fault_around(fault_around_default);
}

/* ---------------------------------------------------------------- exec --- */

/* vfork, exec prog1m with `how` ("all", "few"; NULL: no exec, _exit at
 * once), wait: the ticks, with the child's faults added to *faults. */
static uint64_t spawn_wait(const char *how, int64_t *faults, int64_t *majors)
{
	char *argv[] = { "prog1m", (char *)how, NULL };
	char *envp[] = { NULL };
	struct rusage r0, r1;
	int status;

	getrusage(RUSAGE_CHILDREN, &r0);
	volatile uint64_t t0 = tsc(); /* in memory: the vfork child shares our stack */
	pid_t pid = vfork();

	if (pid == 0) {
		if (how)
			execve(PROG_PATH, argv, envp);
		_exit(how ? 127 : 0);
	}
	if (pid < 0)
		die("vfork");
	waitpid(pid, &status, 0);
	uint64_t t1 = tsc();

	getrusage(RUSAGE_CHILDREN, &r1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("%s %s: status 0x%x", PROG_PATH, how ? how : "(no exec)", status);
	*faults = (r1.ru_minflt - r0.ru_minflt) + (r1.ru_majflt - r0.ru_majflt);
	*majors = r1.ru_majflt - r0.ru_majflt;
	return t1 - t0;
}

static void exec_rounds(const char *name, const char *how)
{
	static struct figure f;
	int64_t faults, majors;

	fig_init(&f, name, "faults_per_exec", "major_per_exec", NULL, NULL);
	spawn_wait(how, &faults, &majors); /* the program's pages into the cache */
	for (int r = 0; r < bench_rounds; r++) {
		uint64_t ticks = spawn_wait(how, &faults, &majors);

		fig_add(&f, ticks, per_milli(faults, 1), per_milli(majors, 1), EXTRA_NONE, EXTRA_NONE);
	}
	fig_report(&f);
}

static void bench_exec(void)
{
	struct stat st;

	if (stat(PROG_PATH, &st) < 0)
		die("no " PROG_PATH);
	info("prog1m_bytes", "%lld", (long long)st.st_size);
	exec_rounds("vfork_exit_wait_cycles", NULL);
	exec_rounds("exec_exit_1m_few_cycles", "few");
	exec_rounds("exec_exit_1m_all_cycles", "all");
}

void bench_files(void)
{
	if (read_line(FAULT_AROUND, fault_around_default, sizeof fault_around_default) < 0)
		die("cannot read " FAULT_AROUND);
	info("fault_around_bytes", "%s", fault_around_default);
	bench_file_hit();
	bench_file_read();
	bench_exec();
}
