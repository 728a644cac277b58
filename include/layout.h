/*
 * layout.h - the 32-bit virtual address space, shared by loader and kernel.
 *
 *   0x00000000 +---------------------------+
 *              | user space (3 GiB)        |  per task: text at 0x08048000,
 *              |                           |  heap after bss, stack below
 *              |                           |  USER_STACK_TOP
 *   0xC0000000 +---------------------------+  KERNEL_VIRT_BASE
 *              | direct map of physical    |  virt = phys + 0xC0000000,
 *              | 0 .. at most 896 MiB      |  4 MiB (PSE) global pages;
 *              | (kernel image lives here) |  the kernel is here too
 *   0xF8000000 +---------------------------+  FB_WINDOW_BASE
 *              | framebuffer window 64 MiB |
 *   0xFC000000 +---------------------------+  HIGHRAM_WINDOW_BASE
 *              | 2 high-RAM windows, 8 MiB |  4 MiB PSE-36 pages above 4 GiB
 *   0xFC800000 +---------------------------+
 *              | unused                    |
 *   0xFF400000 +---------------------------+  MMIO_BASE
 *              | device BARs, uncached     |  one shared page table
 *   0xFF800000 +---------------------------+  KMAP_BASE
 *              | kmap slots + MMIO fixmaps |  one shared page table
 *   0xFFC00000 +---------------------------+
 *              | guard (never mapped)      |
 *   0xFFFFFFFF +---------------------------+
 *
 * Physical RAM above DIRECT_MAP_MAX (and below 4 GiB) is "highmem": it is
 * used for user pages and page tables through short-lived kmap slots.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12

#define KERNEL_VIRT_BASE 0xC0000000u
#define DIRECT_MAP_MAX 0x38000000u /* 896 MiB, as Linux's lowmem */
#define KERNEL_LINK_ADDR 0xC0100000u /* kernel.elf link address; relocated */

#define FB_WINDOW_BASE 0xF8000000u
#define FB_WINDOW_SIZE 0x04000000u

/* RAM above 4 GiB used as swap (arch/x86/highram.c): each window is one
 * PDE of the kernel half, a 4 MiB PSE-36 page. They are scratch entries:
 * each directory's copy is rewritten (with an invlpg) before the window is
 * used, never global, so a CR3 load forgets them. */
#define HIGHRAM_WINDOW_BASE 0xFC000000u
#define HIGHRAM_WINDOWS 2u

/* Devices' register BARs (mmio_map, arch/mmio.h): 4 MiB, one page table
 * made at boot, so every task's directory shares it. A disk controller
 * needs a few pages (AHCI 1-2, NVMe 4, virtio's MSI-X table 1). */
#define MMIO_BASE 0xFF400000u
#define MMIO_WINDOW_SIZE 0x00400000u
#define KMAP_BASE 0xFF800000u /* 1024 slots of one page each */

/* Where 32-bit paging without PAE ends: physical memory at or above it
 * cannot be mapped (RAM, firmware tables, MMIO alike). */
#define FOUR_GIB 0x100000000ull

#define USER_BASE 0x00001000u /* page 0 is never mapped: catches NULL */
#define USER_TEXT_BASE 0x08048000u
#define USER_STACK_TOP 0xBFFFF000u /* one guard page below the kernel */
#define USER_TOP 0xC0000000u

#endif
