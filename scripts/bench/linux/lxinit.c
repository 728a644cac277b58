/*
 * lxinit.c - /init of the Linux peer: set the machine up, run the parts,
 * print the figures, power off.
 *
 * Booted by scripts/bench/linux_peer.py on Debian's i386 kernel, with an
 * initramfs holding this program, the virtio and vfat modules (in
 * /modules, loaded in the order /modules/order gives) and nothing else; one
 * virtio-blk disk, partition 1 swap (its header written by the runner),
 * partition 2 FAT32 with the files lxfile.c reads and runs.
 *
 * The environment (the kernel passes name=value arguments it does not know
 * to init) chooses: LXBENCH_ROUNDS (default 9), LXBENCH_PARTS (a comma list
 * of faults, files, swap; default all three).
 *
 * Output on the console (ttyS0), parsed by linux_peer.py:
 *     LINUX start rounds=<n>
 *     LINUX info <key>=<value>          the machine, once each
 *     LINUX <figure> median=...         lxbench.h
 *     LINUX done status=0               the last line of a complete run
 *     LINUX error <what>                a failed run (then no done line)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "lxbench.h"

#define ROUNDS_DEFAULT 9
#define SWAP_DEV "/dev/vda1"
#define FILES_DEV "/dev/vda2"
#define FILES_DIR "/mnt"
#define MODULE_DIR "/modules"
/* virtio_blk scans the partitions after its probe: wait for the nodes,
 * 10 ms at a time (virtual time: under sleep=off a sleep costs nothing). */
#define DEV_WAIT_TRIES 500
#define DEV_WAIT_NS 10000000L

int bench_rounds = ROUNDS_DEFAULT;

/* ------------------------------------------------------------- output --- */

void info(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("LINUX info %s=", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static __attribute__((noreturn)) void power_off(void)
{
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause(); /* init must not return: the kernel would panic */
}

static __attribute__((noreturn)) void give_up(int err, const char *fmt, va_list ap)
{
	printf("LINUX error ");
	vprintf(fmt, ap);
	if (err)
		printf(" (errno %d: %s)", err, strerror(err));
	printf("\n");
	power_off();
}

void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	give_up(err, fmt, ap);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	give_up(0, fmt, ap);
}

void fig_init(struct figure *f, const char *name, const char *e0, const char *e1,
	      const char *e2, const char *e3)
{
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	f->extra_names[0] = e0;
	f->extra_names[1] = e1;
	f->extra_names[2] = e2;
	f->extra_names[3] = e3;
}

int64_t per_milli(int64_t count, uint64_t units)
{
	return count == EXTRA_NONE ? EXTRA_NONE : count * 1000 / (int64_t)units;
}

void fig_add(struct figure *f, uint64_t value, int64_t e0, int64_t e1, int64_t e2, int64_t e3)
{
	struct round *r;

	if (f->n >= ROUNDS_MAX)
		fail("%s: more than %d rounds", f->name, ROUNDS_MAX);
	r = &f->r[f->n++];
	r->value = value;
	r->extra_milli[0] = e0;
	r->extra_milli[1] = e1;
	r->extra_milli[2] = e2;
	r->extra_milli[3] = e3;
}

void fig_value(struct figure *f, uint64_t value)
{
	fig_add(f, value, EXTRA_NONE, EXTRA_NONE, EXTRA_NONE, EXTRA_NONE);
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = ((const struct round *)a)->value, y = ((const struct round *)b)->value;

	return x < y ? -1 : x > y;
}

void fig_report(struct figure *f)
{
	struct round *mid;

	if (f->n == 0)
		fail("%s: no rounds", f->name);
	qsort(f->r, f->n, sizeof f->r[0], by_value);
	mid = &f->r[f->n / 2];
	printf("LINUX %s median=%llu min=%llu max=%llu n=%d", f->name,
	       (unsigned long long)mid->value, (unsigned long long)f->r[0].value,
	       (unsigned long long)f->r[f->n - 1].value, f->n);
	for (int i = 0; i < EXTRAS_MAX; i++) {
		int64_t m = mid->extra_milli[i];

		if (!f->extra_names[i] || m == EXTRA_NONE)
			continue;
		printf(" %s=%s%lld.%03lld", f->extra_names[i], m < 0 ? "-" : "",
		       (long long)llabs(m) / 1000, (long long)llabs(m) % 1000);
	}
	printf("\n");
}

/* ----------------------------------------------------------- counters --- */

int64_t faults_all(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

int64_t faults_major(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

uint64_t cpu_ns(void)
{
	char buf[128];
	ssize_t n;
	int fd = open("/proc/self/schedstat", O_RDONLY);

	if (fd < 0)
		die("cannot open /proc/self/schedstat");
	sched_yield();
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		die("cannot read /proc/self/schedstat");
	buf[n] = 0;
	return strtoull(buf, NULL, 10);
}

int64_t vmstat(const char *name)
{
	static char buf[16384];
	size_t len = strlen(name);
	ssize_t n;
	int fd = open("/proc/vmstat", O_RDONLY);

	if (fd < 0)
		die("cannot open /proc/vmstat");
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		die("cannot read /proc/vmstat");
	buf[n] = 0;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, len) && l[len] == ' ')
			return strtoll(l + len + 1, NULL, 10);
	fail("/proc/vmstat has no %s", name);
}

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
}

int read_line(const char *path, char *buf, int size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* ------------------------------------------------------------ memory --- */

volatile char *map_anon(uint32_t pages)
{
	char *p = mmap(NULL, (size_t)pages * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap of %u pages", pages);
	/* 4 KiB pages only, so that each page takes its own fault (THP is off
	 * below 512 MiB of RAM anyway). */
	madvise(p, (size_t)pages * PG, MADV_NOHUGEPAGE);
	return p;
}

uint64_t touch(volatile char *p, uint32_t pages, int write)
{
	uint64_t t0 = tsc();

	if (write)
		for (uint32_t i = 0; i < pages; i++)
			p[(size_t)i * PG] = 1;
	else
		for (uint32_t i = 0; i < pages; i++)
			(void)p[(size_t)i * PG];
	return tsc() - t0;
}

/* ------------------------------------------------------------- set up --- */

static void mount_or_die(const char *src, const char *dir, const char *type,
			 unsigned long flags, const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, flags, opts) < 0)
		die("mount %s on %s (%s)", src, dir, type);
}

static void console(void)
{
	if (fcntl(1, F_GETFD) >= 0)
		return; /* the kernel opened /dev/console for us */
	mount_or_die("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	int fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		reboot(RB_POWER_OFF); /* nowhere to say anything */
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
}

/* finit_module for each name of /modules/order, in its order (the runner
 * sorted them by their depends= lines). */
static void load_modules(void)
{
	char order[1024], *save = NULL;
	int fd = open(MODULE_DIR "/order", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		die("no " MODULE_DIR "/order in the initramfs");
	n = read(fd, order, sizeof order - 1);
	close(fd);
	if (n <= 0)
		die("cannot read " MODULE_DIR "/order");
	order[n] = 0;
	for (char *name = strtok_r(order, " \n", &save); name; name = strtok_r(NULL, " \n", &save)) {
		char path[256];

		snprintf(path, sizeof path, MODULE_DIR "/%s.ko", name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			die("no module %s", path);
		if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
			die("finit_module %s", path);
		close(fd);
	}
}

static void wait_for(const char *path)
{
	struct timespec ts = { 0, DEV_WAIT_NS };
	struct stat st;

	for (int i = 0; i < DEV_WAIT_TRIES; i++) {
		if (stat(path, &st) == 0)
			return;
		nanosleep(&ts, NULL);
	}
	die("%s did not appear (is the disk attached as virtio-blk, with a GPT?)", path);
}

/* The TSC rate Linux measured: 1000 MHz under -icount shift=0, where its
 * nanoseconds (schedstat) are TSC ticks, which are instructions. */
static void cpu_mhz(void)
{
	char line[128];
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "cpu MHz", 7) && strchr(line, ':')) {
			line[strcspn(line, "\n")] = 0;
			info("cpu_mhz", "%s", strchr(line, ':') + 2);
			break;
		}
	fclose(f);
}

/* What the figures depend on, printed once: key and the file that says. */
static const struct {
	const char *key, *path;
} facts[] = {
	{ "cmdline", "/proc/cmdline" },
	{ "zswap", "/sys/module/zswap/parameters/enabled" },
	{ "lru_gen", "/sys/kernel/mm/lru_gen/enabled" },
	{ "thp", "/sys/kernel/mm/transparent_hugepage/enabled" },
	{ "swappiness", "/proc/sys/vm/swappiness" },
	{ "meminfo", "/proc/meminfo" },
	{ "clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource" },
};

static void describe(void)
{
	struct utsname u;
	char line[512];

	uname(&u);
	info("kernel", "%s %s", u.release, u.version);
	for (unsigned i = 0; i < sizeof facts / sizeof facts[0]; i++)
		if (read_line(facts[i].path, line, sizeof line) == 0)
			info(facts[i].key, "%s", line);
	cpu_mhz();
}

static void set_up(void)
{
	mount_or_die("proc", "/proc", "proc", 0, NULL);
	mount_or_die("sysfs", "/sys", "sysfs", 0, NULL);
	mount_or_die("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount_or_die("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	mount_or_die("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL);
	load_modules();
	wait_for(SWAP_DEV);
	wait_for(FILES_DEV);
	if (swapon(SWAP_DEV, 0) < 0)
		die("swapon " SWAP_DEV);
	mount_or_die(FILES_DEV, FILES_DIR, "vfat", MS_RDONLY, NULL);
	describe();
}

static int wanted(const char *parts, const char *part)
{
	size_t len = strlen(part);

	for (const char *p = parts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, part, len) && (p[len] == ',' || p[len] == 0))
			return 1;
	return 0;
}

int main(void)
{
	const char *rounds = getenv("LXBENCH_ROUNDS");
	const char *parts = getenv("LXBENCH_PARTS");

	console();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (rounds)
		bench_rounds = atoi(rounds);
	if (bench_rounds < 1 || bench_rounds > ROUNDS_MAX)
		fail("LXBENCH_ROUNDS=%s: 1 to %d", rounds, ROUNDS_MAX);
	if (!parts || !*parts)
		parts = "faults,files,swap";
	printf("LINUX start rounds=%d parts=%s\n", bench_rounds, parts);
	set_up();
	if (wanted(parts, "faults"))
		bench_faults();
	if (wanted(parts, "files"))
		bench_files();
	if (wanted(parts, "swap"))
		bench_swap();
	printf("LINUX done status=0\n");
	power_off();
}
