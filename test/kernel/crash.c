/*
 * crash.c - kernel bugs on purpose, for run = panic and run = double-fault
 * (docs/config.md): the only way to see, and to test, what a real kernel
 * bug prints. test/boot/panic.t asserts the dumps and the exit status.
 */
#include "test/kernel/ktests.h"

#include "core/log.h"

/* The top page of the address space is never mapped (boot_tests.c checks
 * it): a stack pointer there turns the next push into a fault. */
#define UNMAPPED_STACK 0xFFFFF100u

/* A write through a null pointer in kernel code, outside every user-copy
 * routine: page_fault() refuses it, kernel_exception() panics with a dump. */
void ktest_crash_page_fault(void)
{
	kprintf("crash: a kernel write to address 0 (run = panic)\n");
	__asm__ volatile("movl $0x2a, 0x0" : : : "memory");
}

/* The stack pointer in an unmapped page, then an exception: the CPU cannot
 * push the exception's frame (#PF), nor the #PF's (#DF). Only the #DF task
 * gate, with its own stack and TSS, can still run. */
void ktest_crash_double_fault(void)
{
	kprintf("crash: an exception on an unmapped kernel stack (run = double-fault)\n");
	__asm__ volatile("movl %0, %%esp\n\t"
			 "int3"
			 :
			 : "i"(UNMAPPED_STACK)
			 : "memory");
}
