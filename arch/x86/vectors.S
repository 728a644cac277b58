/*
 * vectors.S - one entry stub per vector, and the common trap path.
 *
 * Each stub makes the stack uniform (a 0 where the CPU pushes no error
 * code), pushes its vector number and jumps to trap_common, which saves
 * the registers into a struct trapframe (arch/trap.h) and calls
 * trap_dispatch(tf). The data segments are reloaded because a user task
 * may have loaded anything (even the null selector) into DS or ES.
 * FS and GS are never used by the kernel: the context switch saves them.
 *
 * The unwind tables (.cfi_*, in .debug_frame: for gdb only, nothing at
 * run time) describe the trap frame, so that a backtrace goes on from
 * trap_common to the interrupted code: its EIP, registers and stack
 * pointer are read from the frame. Their CFA is always &tf->user_esp.
 * They are marked signal frames (.cfi_signal_frame): the saved EIP is
 * where the CPU stopped, not a return address, so gdb must look up that
 * instruction itself, not the one before it (which may be another line,
 * or another function). gdb's own name for such a frame is "<signal
 * handler called>"; scripts/gdb-trap-frames.py names it in backtraces.
 */
#include <arch/segment.h>
#include <arch/trap.h>

	.cfi_sections .debug_frame

/*
 * Unwind rules for code whose stack holds the CPU's part of a trap frame,
 * the CFA being ESP + cfa. The interrupted ESP is the CFA itself after a
 * trap from ring 0 (no stack switch), and tf->user_esp, at the CFA, after
 * one from ring 3: a DWARF expression (DW_CFA_val_expression) tests the
 * saved CS's privilege bits. With the CFA on its stack it runs:
 * dup; lit(CFA - &cs); minus; deref; lit3; and; bra user; skip end;
 * user: deref; end. (DW_OP_bra's and DW_OP_skip's 16-bit offsets count
 * from the end of the instruction.)
 */
	.macro TRAP_CFI cfa
	.cfi_startproc simple
	.cfi_signal_frame
	.cfi_def_cfa %esp, \cfa
	.cfi_offset %eip, TF_EIP - TF_USER_ESP
	.cfi_offset %cs, TF_CS - TF_USER_ESP
	.cfi_offset %eflags, TF_EFLAGS - TF_USER_ESP
	.cfi_escape 0x16, 4, 13, 0x12, 0x30 + TF_USER_ESP - TF_CS, 0x1c, 0x06, 0x33, 0x1a, \
		0x28, 3, 0, 0x2f, 1, 0, 0x06
	.endm

/* ... and the registers trap_common saved below them. */
	.macro TRAP_CFI_SAVED
	.cfi_offset %ds, TF_DS - TF_USER_ESP
	.cfi_offset %es, TF_ES - TF_USER_ESP
	.cfi_offset %eax, TF_EAX - TF_USER_ESP
	.cfi_offset %ecx, TF_ECX - TF_USER_ESP
	.cfi_offset %edx, TF_EDX - TF_USER_ESP
	.cfi_offset %ebx, TF_EBX - TF_USER_ESP
	.cfi_offset %ebp, TF_EBP - TF_USER_ESP
	.cfi_offset %esi, TF_ESI - TF_USER_ESP
	.cfi_offset %edi, TF_EDI - TF_USER_ESP
	.endm

	.altmacro
	.macro STUB n
	.balign 8
vector\n:
	.if !(\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	TRAP_CFI (TF_USER_ESP - TF_EIP)
	pushl $0
	.cfi_adjust_cfa_offset 4
	.else
	TRAP_CFI (TF_USER_ESP - TF_EIP + 4)	/* the CPU pushed an error code */
	.endif
	pushl $\n
	.cfi_adjust_cfa_offset 4
	jmp trap_common
	.cfi_endproc
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
	TRAP_CFI (TF_USER_ESP - TF_DS - 4)	/* ESP at the vector number */
	pushl %ds
	.cfi_adjust_cfa_offset 4
	pushl %es
	.cfi_adjust_cfa_offset 4
	pushal
	.cfi_def_cfa_offset TF_USER_ESP
	TRAP_CFI_SAVED
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	pushl %esp		/* struct trapframe * */
	.cfi_adjust_cfa_offset 4
	call trap_dispatch
	addl $4, %esp
	.cfi_adjust_cfa_offset -4
trap_return:			/* the saved values stay where the rules say */
	popal
	.cfi_adjust_cfa_offset -32
	popl %es
	.cfi_adjust_cfa_offset -4
	popl %ds
	.cfi_adjust_cfa_offset -4
	addl $8, %esp		/* vector and error code */
	.cfi_adjust_cfa_offset -8
	iret
	.cfi_endproc

/* A new user task (spawned or forked) starts here, its trap frame at the
 * stack pointer: killed before it ever ran, it dies now, not in ring 3. */
user_start:
	TRAP_CFI TF_USER_ESP
	TRAP_CFI_SAVED
	pushl %esp
	.cfi_adjust_cfa_offset 4
	call return_to_user
	addl $4, %esp
	.cfi_adjust_cfa_offset -4
	jmp trap_return
	.cfi_endproc

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
