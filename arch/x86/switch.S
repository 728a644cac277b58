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
 * The unwind tables (for gdb) hold on both stacks for the same reason; the
 * pops leave the saved values in place, so only the CFA moves.
 */
	.cfi_sections .debug_frame
	.section .text
	.global switch_to
switch_to:
	.cfi_startproc
	movl 4(%esp), %eax
	movl 8(%esp), %edx
	pushl %ebp
	.cfi_adjust_cfa_offset 4
	.cfi_offset %ebp, -8
	pushl %ebx
	.cfi_adjust_cfa_offset 4
	.cfi_offset %ebx, -12
	pushl %esi
	.cfi_adjust_cfa_offset 4
	.cfi_offset %esi, -16
	pushl %edi
	.cfi_adjust_cfa_offset 4
	.cfi_offset %edi, -20
	pushl %fs
	.cfi_adjust_cfa_offset 4
	pushl %gs
	.cfi_adjust_cfa_offset 4
	movl %esp, (%eax)
	movl %edx, %esp
	popl %gs
	.cfi_adjust_cfa_offset -4
	popl %fs
	.cfi_adjust_cfa_offset -4
	popl %edi
	.cfi_adjust_cfa_offset -4
	popl %esi
	.cfi_adjust_cfa_offset -4
	popl %ebx
	.cfi_adjust_cfa_offset -4
	popl %ebp
	.cfi_adjust_cfa_offset -4
	ret
	.cfi_endproc

/* First return of a kernel thread: EBX = function, ESI = argument. */
	.global kthread_trampoline
kthread_trampoline:
	.cfi_startproc
	.cfi_undefined %eip	/* a kernel thread's first frame */
	pushl %esi
	call *%ebx
	pushl %eax
	call kthread_exit
	.cfi_endproc

	.section .note.GNU-stack, "", @progbits
