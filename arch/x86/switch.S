/*
 * switch.S - switch kernel stacks between two tasks.
 *
 * void switch_to(uint32_t *save_esp, uint32_t next_esp)
 *
 * Saves the callee-saved registers and FS/GS (the kernel never uses
 * them, so the trap path leaves them alone: they belong to the task) on
 * the current stack, stores ESP in *save_esp, loads next_esp and restores
 * the same from there. A new task's stack is built to look like one that
 * called switch_to (arch/x86/context.c), so the "ret" below starts it.
 */
	.section .text
	.global switch_to
switch_to:
	movl 4(%esp), %eax
	movl 8(%esp), %edx
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	pushl %fs
	pushl %gs
	movl %esp, (%eax)
	movl %edx, %esp
	popl %gs
	popl %fs
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/* First return of a kernel thread: EBX = function, ESI = argument. */
	.global kthread_trampoline
kthread_trampoline:
	pushl %esi
	call *%ebx
	pushl %eax
	call kthread_exit

	.section .note.GNU-stack, "", @progbits
