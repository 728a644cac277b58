/*
 * early.c - the core entry points before the memory manager and the task
 * system exist: no user task can run yet, so every one of these is either
 * a kernel fault or impossible.
 */
#include <arch/trap.h>

#include "core/kernel.h"
#include "core/log.h"
#include "lib/fmt.h"

int page_fault(struct trapframe *tf, uint32_t cr2)
{
	(void)tf;
	(void)cr2;
	return 0;
}

void syscall_dispatch(struct trapframe *tf)
{
	panic("system call %u with no user tasks", tf->eax);
}

void user_exception(struct trapframe *tf)
{
	panic("exception %u from ring 3 with no user tasks", tf->vector);
}

void return_to_user(struct trapframe *tf)
{
	(void)tf;
}

void timer_tick(void)
{
}

void page_fault_error_str(uint32_t err, char *buf, size_t size)
{
	fmt_snprintf(buf, size, "(%s,%s,%s%s%s)", err & 2 ? "write" : "read",
		     err & 4 ? "user" : "kernel", err & 1 ? "protection" : "not-present",
		     err & 8 ? ",reserved-bit" : "", err & 16 ? ",fetch" : "");
}
