/*
 * mmu.h - the x86 two-level (non-PAE) page-table format.
 *
 * A 32-bit linear address splits into three parts:
 *
 *   31        22 21        12 11          0
 *  +------------+------------+-------------+
 *  | PDX (10)   | PTX (10)   | offset (12) |
 *  +------------+------------+-------------+
 *
 * CR3 holds the physical address of the page directory (1024 PDEs); a PDE
 * points to a page table (1024 PTEs), a PTE to a 4 KiB page. A PDE with
 * PTE_PS maps a 4 MiB page directly (used only for the kernel's direct map).
 * Effective rights are the AND of the PDE and PTE bits: clearing PTE_W in
 * a PDE write-protects all 4 MiB at once, which is how page tables shared
 * by fork are protected (see core/mm/fork.c).
 *
 * This header is pure definitions, shared by the kernel and the host tests.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stdint.h>

typedef uint32_t pte_t;   /* a page-table entry */
typedef uint32_t pde_t;   /* a page-directory entry (same format) */
typedef uint32_t paddr_t; /* physical address below 4 GiB */
typedef uint32_t pfn_t;   /* physical page number: paddr >> 12 */
typedef uint32_t vaddr_t; /* 32-bit linear address */

#define PTE_P 0x001u   /* present */
#define PTE_W 0x002u   /* writable */
#define PTE_U 0x004u   /* user (ring 3) may access */
#define PTE_PWT 0x008u /* write-through */
#define PTE_PCD 0x010u /* cache disabled */
#define PTE_A 0x020u   /* accessed: set by the CPU */
#define PTE_D 0x040u   /* dirty: set by the CPU on write (PTE only) */
#define PTE_PS 0x080u  /* in a PDE: 4 MiB page */
#define PTE_G 0x100u   /* global: survives a CR3 reload (needs CR4.PGE) */
#define PTE_FLAGS_MASK 0xFFFu

#define PGSIZE 4096u
#define PGSHIFT 12
#define NPDENTRIES 1024u
#define NPTENTRIES 1024u
#define PTSPAN (PGSIZE * NPTENTRIES) /* bytes one page table maps: 4 MiB */

#define PDX(va) ((uint32_t)(va) >> 22)
#define PTX(va) (((uint32_t)(va) >> 12) & 0x3FFu)
#define PGOFF(va) ((uint32_t)(va)&0xFFFu)
#define PGADDR(pdx, ptx) ((vaddr_t)(((uint32_t)(pdx) << 22) | ((uint32_t)(ptx) << 12)))

#define PTE_ADDR(e) ((paddr_t)((e) & ~PTE_FLAGS_MASK))
#define PTE_PFN(e) ((pfn_t)((e) >> PGSHIFT))
#define PFN_TO_PADDR(pfn) ((paddr_t)(pfn) << PGSHIFT)
#define PADDR_TO_PFN(pa) ((pfn_t)((pa) >> PGSHIFT))

/* Page rounding in the argument's own type: a 64-bit physical address from
 * the firmware's memory map must not be cut to 32 bits (4 GiB would round
 * to 0). A 32-bit argument wraps at 4 GiB as before. */
#define PG_ROUND_DOWN(a) ((a) & ~(__typeof__(a))(PGSIZE - 1))
#define PG_ROUND_UP(a) (((a) + PGSIZE - 1) & ~(__typeof__(a))(PGSIZE - 1))

/* Page-fault error code bits (pushed by the CPU for vector 14). */
#define PF_P 0x01u    /* 1: protection violation; 0: page not present */
#define PF_W 0x02u    /* 1: write; 0: read */
#define PF_U 0x04u    /* 1: from ring 3 */
#define PF_RSVD 0x08u /* reserved bit set in an entry */
#define PF_I 0x10u    /* instruction fetch */

/* First PDE of the kernel half: PDX(0xC0000000). */
#define KERNEL_PDX 768u

#endif
