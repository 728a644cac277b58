/*
 * usercopy.S - copies between kernel and user memory that may fault.
 *
 * int arch_copy_user(void *dst, const void *src, uint32_t n)
 *
 * The caller (core/task/uaccess.c) has checked that the user range lies in
 * the task's areas. The copy may still fault: a page not yet touched
 * (demand-zero), or, for a write, a page shared copy-on-write (CR0.WP
 * makes ring 0 fault on read-only pages too). page_fault() serves those
 * like a user fault and "rep movsb" resumes where it stopped. If the page
 * cannot be served, the exception table sends us to 3: with -EFAULT.
 *
 * The unwind tables (for gdb) follow the pushes; a backtrace from a fault
 * in the copy goes through trap_common to here, then to the system call.
 */
	.cfi_sections .debug_frame
	.section .text
	.global arch_copy_user, arch_strnlen_user
arch_copy_user:
	.cfi_startproc
	pushl %esi
	.cfi_adjust_cfa_offset 4
	.cfi_offset %esi, -8
	pushl %edi
	.cfi_adjust_cfa_offset 4
	.cfi_offset %edi, -12
	movl 12(%esp), %edi
	movl 16(%esp), %esi
	movl 20(%esp), %ecx
1:	rep movsb
	xorl %eax, %eax
	.cfi_remember_state
2:	popl %edi
	.cfi_adjust_cfa_offset -4
	.cfi_restore %edi
	popl %esi
	.cfi_adjust_cfa_offset -4
	.cfi_restore %esi
	ret
	.cfi_restore_state
3:	movl $-14, %eax		/* -EFAULT */
	jmp 2b
	.cfi_endproc

/* int arch_strnlen_user(const char *s, uint32_t max): length, max if no
 * NUL within max bytes, -EFAULT on a fault. */
arch_strnlen_user:
	.cfi_startproc
	pushl %edi
	.cfi_adjust_cfa_offset 4
	.cfi_offset %edi, -8
	movl 8(%esp), %edi
	movl 12(%esp), %ecx
	movl %ecx, %edx
	xorl %eax, %eax
4:	repne scasb
	jne 5f
	subl %ecx, %edx
	leal -1(%edx), %eax
	.cfi_remember_state
	popl %edi
	.cfi_adjust_cfa_offset -4
	.cfi_restore %edi
	ret
	.cfi_restore_state
5:	movl %edx, %eax
	.cfi_remember_state
	popl %edi
	.cfi_adjust_cfa_offset -4
	.cfi_restore %edi
	ret
	.cfi_restore_state
6:	movl $-14, %eax
	popl %edi
	.cfi_adjust_cfa_offset -4
	.cfi_restore %edi
	ret
	.cfi_endproc

	.section .extable, "a"
	.long 1b, 3b
	.long 4b, 6b

	.section .note.GNU-stack, "", @progbits
