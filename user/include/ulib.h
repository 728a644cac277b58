/*
 * ulib.h - the user library: system-call wrappers, printf to the kernel
 * log, and TAP results numbered by the kernel.
 */
#ifndef ULIB_H
#define ULIB_H

#include <stddef.h>
#include <stdint.h>
#include <syscalls.h>

#include "lib/string.h"

int32_t syscall0(int nr);
int32_t syscall1(int nr, uint32_t a);
int32_t syscall2(int nr, uint32_t a, uint32_t b);
int32_t syscall3(int nr, uint32_t a, uint32_t b, uint32_t c);
int32_t syscall6(int nr, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e,
		 uint32_t f);

void exit(int code) __attribute__((noreturn));
int fork(void);
int write(int fd, const void *buf, uint32_t len);
int waitpid(int pid, int *status, int options);
int getpid(void);
int getppid(void);
int kill(int pid);
void *brk(void *addr);
void *sbrk(int32_t delta);
void *mmap(void *addr, uint32_t len, int prot, int flags);
int munmap(void *addr, uint32_t len);
int sched_yield(void);
int sleep_ticks(uint32_t ticks);
int mm_stat(struct pg_mm_stat *s);
int page_info(const volatile void *addr, struct pg_page_info *info);
int spawn(const char *program, uint32_t arg);
int task_stat(struct pg_task_stat *s);
int mm_check(void);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One TAP result; the kernel numbers it and prefixes the program name. */
int tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* tap() comparing two numbers, printing both when they differ. */
int tap_eq(uint32_t got, uint32_t want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A fast deterministic generator for tests. */
uint32_t rand_next(uint32_t *state);

#endif
