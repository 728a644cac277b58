/*
 * trampoline.S - from the firmware's 64-bit long mode to our 32-bit paged
 * kernel. Assembled into the 64-bit loader; the loader copies the bytes from
 * tramp_start to tramp_end into one EfiLoaderCode page below 896 MiB (so it
 * is executable and identity mapped by the firmware), fills the parameter
 * block, leaves boot services and calls tramp_enter(page).
 *
 * The order follows the SDM ("Switching out of IA-32e mode"):
 *   long mode:    cli, NMI off, CR4.PCIDE/CET off, our GDT, null IDT
 *   compat mode:  far return to a 32-bit code segment, flat data segments
 *                 CR0.PG off (long mode deactivates), EFER.LME off,
 *                 CR4 = PSE only (PAE, LA57, PGE off), CR3 = our directory
 *   protected:    CR0 = PE|MP|ET|NE|WP|PG, branch, jump to the kernel
 *
 * The code is position independent: 64-bit parts use RIP-relative
 * addresses, 32-bit parts use EDI = base of the copy. No stack is used,
 * since the firmware's RSP may lie above 4 GiB.
 * On entry to the kernel: EAX = KERNEL_ENTRY_MAGIC, EBX = bootinfo
 * (physical), interrupts off, paging on.
 */
#define KERNEL_ENTRY_MAGIC 0x2BADB0B5
#define CODE32 0x08
#define DATA32 0x10
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define CR4_PSE (1 << 4)
#define CR4_MCE (1 << 6)
#define CR4_PCIDE 17
#define CR4_CET 23
#define CR0_PG 0x80000000
#define CR0_BOOT 0x80010037 /* PG | WP | NE | ET | EM | MP | PE: no x87 */

	.section .text
	.code64
	.balign 16
	.global tramp_start, tramp_enter, tramp_end
tramp_start:
params:			/* filled by the loader in the copy */
	.long 0		/* +0  page directory, physical */
	.long 0		/* +4  kernel entry, virtual */
	.long 0		/* +8  bootinfo, physical */
	.long 0
gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF	/* CODE32: base 0, 4 GiB, 32-bit, ring 0 */
	.quad 0x00CF92000000FFFF	/* DATA32 */
gdt_end:
	.balign 8
	.word 0, 0, 0
gdtr:
	.word gdt_end - gdt - 1
	.quad 0		/* base: patched below, the copy's address */
	.word 0, 0, 0
idtr:			/* limit 0: any exception now is a clean triple fault */
	.word 0
	.quad 0

	.balign 16
tramp_enter:		/* void tramp_enter(uint64_t page) (SysV: RDI) */
	cli
	movb $0x80, %al	/* bit 7 of the CMOS index port masks NMI */
	outb %al, $0x70
	mov %cr4, %rax
	btr $CR4_PCIDE, %rax	/* PG cannot be cleared while PCIDE is set */
	btr $CR4_CET, %rax	/* CET forbids clearing CR0.WP later */
	mov %rax, %cr4
	lea gdt(%rip), %rax
	mov %rax, gdtr+2(%rip)
	lgdt gdtr(%rip)
	lidt idtr(%rip)
	lea pm32(%rip), %rax
	pushq $CODE32		/* there is no direct far jump in 64-bit mode */
	pushq %rax
	lretq

	.code32
pm32:			/* compatibility mode; EDI = page base */
	mov $DATA32, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %fs
	mov %eax, %gs
	mov %eax, %ss
	mov %cr0, %eax
	and $~CR0_PG, %eax
	mov %eax, %cr0		/* paging off: EFER.LMA drops to 0 */
	jmp 1f
1:	mov $MSR_EFER, %ecx
	rdmsr
	and $~EFER_LME, %eax
	wrmsr
	mov $(CR4_PSE | CR4_MCE), %eax
	mov %eax, %cr4		/* non-PAE paging, 4 MiB pages allowed, #MC on */
	mov 0(%edi), %eax
	mov %eax, %cr3
	mov $CR0_BOOT, %eax
	mov %eax, %cr0		/* two-level paging on, WP on, caches on */
	jmp 2f			/* a branch must follow (SDM) */
2:	mov 4(%edi), %ecx
	mov 8(%edi), %ebx
	mov $KERNEL_ENTRY_MAGIC, %eax
	jmp *%ecx
tramp_end:

	.section .note.GNU-stack, "", @progbits
