/*
 * boot.S - the kernel's first instructions.
 *
 * The trampoline jumps here with paging on (the loader's boot directory:
 * direct map + the trampoline's identity page), interrupts off,
 * EAX = KERNEL_ENTRY_MAGIC and EBX = physical address of struct bootinfo.
 * We take our own stack and call kmain(magic, bootinfo).
 */
	.cfi_sections .debug_frame	/* unwind tables for gdb only */
	.section .text.entry, "ax"
	.global _start
_start:
	.cfi_startproc
	.cfi_undefined %eip	/* the first frame: gdb's backtraces end here */
	cli
	cld
	movl $boot_stack_top, %esp
	xorl %ebp, %ebp		/* ends backtraces */
	pushl %ebx
	pushl %eax
	call kmain
1:	cli
	hlt
	jmp 1b
	.cfi_endproc

	.section .bss
	.balign 16
	.global boot_stack, boot_stack_top
boot_stack:
	.space 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
