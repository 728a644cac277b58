/*
 * badptr.c - system calls given kernel, unmapped or read-only pointers
 * return -EFAULT; the kernel never faults on them or writes through them.
 * The benchmark's calls that hold pages refuse other programs (-EPERM).
 */
#include <ulib.h>

static const char message[] = "read-only text\n";

int main(void)
{
	struct pg_timespec ts = { 0, 1 };
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
			(uint32_t)-1, 1), -EINVAL, "mmap2() with a page offset (sixth argument, EBP)");
	tap_eq(syscall1(SYS_bench_alloc, 1), -EPERM, "the benchmark's page grab, outside it");
	tap_eq(syscall1(SYS_bench_hold, 1), -EPERM, "the benchmark's ballast, outside it");
	tap(write(1, message, sizeof message - 1) == sizeof message - 1,
	    "write() from read-only text is fine");
	return 0;
}
