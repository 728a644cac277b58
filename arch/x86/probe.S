/*
 * probe.S - read or write one word where a fault is expected (boot tests).
 * The faulting instruction has an exception-table entry: trap.c resumes at
 * the fixup, which returns -1.
 *
 * int probe_read(const volatile uint32_t *addr, uint32_t *out);
 * int probe_write(volatile uint32_t *addr, uint32_t value);
 * int probe_read_fs(uint32_t offset, uint32_t *out): the word at FS:offset
 *	(arch/x86/ldt.c's test of segment limits: FS has a tiny limit)
 *
 * None touches the stack: the unwind tables (for gdb) are the default.
 */
	.cfi_sections .debug_frame
	.section .text
	.global probe_read, probe_write, probe_read_fs
probe_read:
	.cfi_startproc
	movl 4(%esp), %ecx
1:	movl (%ecx), %eax
	movl 8(%esp), %ecx
	movl %eax, (%ecx)
	xorl %eax, %eax
	ret
	.cfi_endproc
probe_write:
	.cfi_startproc
	movl 4(%esp), %ecx
	movl 8(%esp), %eax
2:	movl %eax, (%ecx)
	xorl %eax, %eax
	ret
3:	movl $-1, %eax
	ret
	.cfi_endproc
probe_read_fs:
	.cfi_startproc
	movl 4(%esp), %ecx
4:	movl %fs:(%ecx), %eax
	movl 8(%esp), %ecx
	movl %eax, (%ecx)
	xorl %eax, %eax
	ret
	.cfi_endproc

	.section .extable, "a"
	.long 1b, 3b
	.long 2b, 3b
	.long 4b, 3b

	.section .note.GNU-stack, "", @progbits
