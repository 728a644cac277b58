/* ulib.c - system-call wrappers and output for user programs. */
#include <stdarg.h>
#include <ulib.h>

#include "lib/fmt.h"

int32_t syscall6(int nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
	/* EBP carries the sixth argument (Linux i386), and every other
	 * register is taken: EAX points at {nr, f} until EBP is saved and
	 * loaded. (An "m" operand would be ESP-relative, off by the push.) */
	uint32_t nr_f[2] = { (uint32_t)nr, f };
	int32_t r;

	__asm__ volatile("pushl %%ebp\n\t"
			 "movl 4(%%eax), %%ebp\n\t"
			 "movl (%%eax), %%eax\n\t"
			 "int $0x80\n\t"
			 "popl %%ebp"
			 : "=a"(r)
			 : "a"(nr_f), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory");
	return r;
}

int32_t syscall3(int nr, uint32_t a, uint32_t b, uint32_t c)
{
	int32_t r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

int32_t syscall0(int nr)
{
	return syscall3(nr, 0, 0, 0);
}

int32_t syscall1(int nr, uint32_t a)
{
	return syscall3(nr, a, 0, 0);
}

int32_t syscall2(int nr, uint32_t a, uint32_t b)
{
	return syscall3(nr, a, b, 0);
}

void exit(int code)
{
	syscall1(SYS_exit, (uint32_t)code);
	for (;;)
		;
}

int fork(void)
{
	return syscall0(SYS_fork);
}

int write(int fd, const void *buf, uint32_t len)
{
	return syscall3(SYS_write, (uint32_t)fd, (uint32_t)buf, len);
}

int waitpid(int pid, int *status, int options)
{
	return syscall3(SYS_waitpid, (uint32_t)pid, (uint32_t)status, (uint32_t)options);
}

int getpid(void)
{
	return syscall0(SYS_getpid);
}

int getppid(void)
{
	return syscall0(SYS_getppid);
}

int kill(int pid)
{
	return syscall2(SYS_kill, (uint32_t)pid, 9);
}

void *brk(void *addr)
{
	return (void *)syscall1(SYS_brk, (uint32_t)addr);
}

void *sbrk(int32_t delta)
{
	char *old = brk(0);

	if (!delta)
		return old;
	char *now = brk(old + delta);
	return now == old + delta ? old : (void *)-1;
}

/* As libc's: MAP_FAILED for an error (the kernel returns -errno). */
void *mmap(void *addr, uint32_t len, int prot, int flags)
{
	int32_t r = syscall6(SYS_mmap2, (uint32_t)addr, len, (uint32_t)prot, (uint32_t)flags,
			     (uint32_t)-1, 0);

	return r < 0 && r >= -4095 ? MAP_FAILED : (void *)r;
}

int munmap(void *addr, uint32_t len)
{
	return syscall2(SYS_munmap, (uint32_t)addr, len);
}

int sched_yield(void)
{
	return syscall0(SYS_sched_yield);
}

int sleep_ticks(uint32_t ticks)
{
	return syscall1(SYS_sleep_ticks, ticks);
}

int mm_stat(struct pg_mm_stat *s)
{
	return syscall1(SYS_mm_stat, (uint32_t)s);
}

int page_info(const volatile void *addr, struct pg_page_info *info)
{
	return syscall2(SYS_page_info, (uint32_t)addr, (uint32_t)info);
}

int spawn(const char *program, uint32_t arg)
{
	return syscall2(SYS_spawn, (uint32_t)program, arg);
}

int task_stat(struct pg_task_stat *s)
{
	return syscall1(SYS_task_stat, (uint32_t)s);
}

int mm_check(void)
{
	return syscall0(SYS_mm_check);
}

static int vprint(int fd, const char *fmt, va_list ap)
{
	char buf[256];
	int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);

	return write(fd, buf, n < (int)sizeof buf ? (uint32_t)n : sizeof buf - 1);
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vprint(1, fmt, ap);
	va_end(ap);
	return n;
}

int tap(int ok, const char *fmt, ...)
{
	char desc[120];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	syscall2(SYS_tap, (uint32_t)ok, (uint32_t)desc);
	return ok;
}

int tap_eq(uint32_t got, uint32_t want, const char *fmt, ...)
{
	char desc[120], diag[80];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	fmt_snprintf(diag, sizeof diag, "got: %u (0x%x), expected: %u (0x%x)", got, got, want,
		     want);
	syscall3(SYS_tap, got == want, (uint32_t)desc, got == want ? 0 : (uint32_t)diag);
	return got == want;
}

uint32_t rand_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}
