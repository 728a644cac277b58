/*
 * vectors.S - one entry stub per vector, and the common trap path.
 *
 * Each stub makes the stack uniform (a 0 where the CPU pushes no error
 * code), pushes its vector number and jumps to trap_common, which saves
 * the registers into a struct trapframe (arch/trap.h) and calls
 * trap_dispatch(tf). The data segments are reloaded because a user task
 * may have loaded anything (even the null selector) into DS or ES.
 * FS and GS are never used by the kernel: the context switch saves them.
 */
#include <arch/segment.h>

	.altmacro
	.macro STUB n
	.balign 8
vector\n:
	.if !(\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	pushl $0
	.endif
	pushl $\n
	jmp trap_common
	.endm

	.macro ENTRY n
	.long vector\n
	.endm

	.section .text
	.set i, 0
	.rept 256
	STUB %i
	.set i, i + 1
	.endr

	.global trap_common, trap_return, user_start
trap_common:
	pushl %ds
	pushl %es
	pushal
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	pushl %esp		/* struct trapframe * */
	call trap_dispatch
	addl $4, %esp
trap_return:
	popal
	popl %es
	popl %ds
	addl $8, %esp		/* vector and error code */
	iret

/* A new user task (spawned or forked) starts here, its trap frame at the
 * stack pointer: killed before it ever ran, it dies now, not in ring 3. */
user_start:
	pushl %esp
	call return_to_user
	addl $4, %esp
	jmp trap_return

	.section .rodata
	.balign 4
	.global trap_vectors
trap_vectors:
	.set i, 0
	.rept 256
	ENTRY %i
	.set i, i + 1
	.endr

	.section .note.GNU-stack, "", @progbits
