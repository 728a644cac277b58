/* kernel_blob.S - embed the 32-bit kernel.elf in BOOTX64.EFI (one file on the ESP). */
	.section .rodata
	.balign 16
	.global kernel_elf_start, kernel_elf_end
kernel_elf_start:
	.incbin KERNEL_ELF
kernel_elf_end:

	.section .note.GNU-stack, "", @progbits
