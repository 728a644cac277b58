/* crt0.S - user entry: main(arg) with the argument the spawner passed in EAX. */
	.section .text.start, "ax"
	.global _start
_start:
	xorl %ebp, %ebp
	pushl %eax
	call main
	pushl %eax
	call exit
1:	jmp 1b

	.section .note.GNU-stack, "", @progbits
