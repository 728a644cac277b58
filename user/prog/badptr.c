/*
 * badptr.c - system calls given kernel, unmapped or read-only pointers
 * return -EFAULT; the kernel never faults on them or writes through them.
 * The benchmark's calls that hold pages refuse other programs (-EPERM).
 */
#include <ulib.h>

static const char message[] = "read-only text\n";

/* Every other call that takes a pointer refuses a kernel one. */
static void other_calls(void)
{
	struct pg_page_info info;

	tap_eq(page_info((void *)0xC0000000u, &info), -EFAULT, "page_info() of a kernel address");
	tap_eq(page_info(message, (void *)0xC0000000u), -EFAULT, "page_info() into the kernel");
	tap_eq(task_stat((void *)0xC0000000u), -EFAULT, "task_stat() into the kernel");
	tap_eq(syscall3(SYS_tap, 1, 0xC0000000u, 0), -EFAULT,
	       "tap() with a kernel description (and no TAP line for it)");
	tap_eq(waitpid(getppid(), 0, 0), -ECHILD, "waitpid() of a live task that is no child");
}

/*
 * Buffers that start in a good area and run on into a hole, or from a
 * writable area into a read-only one: refused as a whole, before any byte
 * is written.
 */
#define EDGE	   0x50000000u
#define ANON_FIXED (MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS)
static void edges(void)
{
	volatile uint8_t *w = (volatile uint8_t *)(EDGE - 4096);

	tap(mmap((void *)(EDGE - 4096), 4096, PROT_READ | PROT_WRITE, ANON_FIXED) != MAP_FAILED &&
		mmap((void *)(EDGE + 4096), 4096, PROT_READ | PROT_WRITE, ANON_FIXED) != MAP_FAILED,
	    "two writable pages with a hole between them");
	for (int i = 0; i < 8; i++)
		w[4088 + i] = 0x55;
	tap_eq(mm_stat((void *)(EDGE - 8)), -EFAULT, "mm_stat() running off an area into a hole");
	tap(w[4088] == 0x55 && w[4095] == 0x55, "... and nothing of it was written");
	tap(mmap((void *)EDGE, 4096, PROT_READ, ANON_FIXED) != MAP_FAILED,
	    "a read-only page in the hole");
	tap_eq(mm_stat((void *)(EDGE - 8)), -EFAULT,
	       "mm_stat() running from a writable area into a read-only one");
	tap(w[4088] == 0x55 && w[4095] == 0x55, "... and nothing of it was written either");
	tap_eq(write(1, (void *)(EDGE - 8), 8 + 4096 + 8), 8 + 4096 + 8,
	       "write() from three areas in a row, the middle one read-only, is fine");
	munmap((void *)(EDGE - 4096), 3 * 4096);
}

int main(void)
{
	struct pg_timespec ts = {0, 1};
	int status;

	tap_eq(write(1, (void *)0xC0100000u, 8), -EFAULT, "write() from a kernel address");
	tap_eq(write(1, (void *)0x30000000u, 8), -EFAULT, "write() from an unmapped address");
	tap_eq(write(1, (void *)0xFFFFFFF0u, 64), -EFAULT, "write() wrapping around 4 GiB");
	tap_eq(mm_stat((void *)0xC0000000u), -EFAULT, "mm_stat() into a kernel address");
	tap_eq(mm_stat((void *)message), -EFAULT, "mm_stat() into read-only text");
	tap_eq(mm_stat((void *)0x30000000u), -EFAULT, "mm_stat() into an unmapped address");
	tap_eq(syscall1(SYS_nanosleep, 0xC0000000u), -EFAULT, "nanosleep() with a kernel pointer");
	tap_eq(syscall1(SYS_nanosleep, (uint32_t)&ts), 0, "nanosleep() with a good pointer");
	tap_eq(spawn((const char *)0xC0000000u, 0), -EFAULT, "spawn() with a kernel name");
	tap_eq(spawn("no-such-program", 0), -ENOENT, "spawn() of an unknown program");
	int pid = fork();
	if (pid == 0)
		exit(3);
	tap_eq(waitpid(pid, (int *)0xC0000000u, 0), -EFAULT, "waitpid() status into the kernel");
	tap_eq(waitpid(pid, &status, 0), -ECHILD, "the child was reaped all the same");
	tap_eq(syscall0(999), -ENOSYS, "an unknown system call");
	/* The sixth argument travels in EBP: a page offset has no meaning
	 * for anonymous memory. */
	tap_eq(syscall6(SYS_mmap2, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			(uint32_t)-1, 1),
	       -EINVAL, "mmap2() with a page offset (sixth argument, EBP)");
	tap_eq(syscall1(SYS_bench_alloc, 1), -EPERM, "the benchmark's page grab, outside it");
	tap_eq(syscall1(SYS_bench_hold, 1), -EPERM, "the benchmark's ballast, outside it");
	tap(write(1, message, sizeof message - 1) == sizeof message - 1,
	    "write() from read-only text is fine");
	other_calls();
	edges();
	return 0;
}
