/*
 * kmap.h - the kmap slots: fixed virtual pages in the kmap window, each
 * with one purpose so that nested users never collide. The kernel does not
 * preempt itself and interrupt handlers never kmap, so no lock is needed.
 */
#ifndef ARCH_KMAP_H
#define ARCH_KMAP_H

enum kmap_slot {
	KMAP_ZERO, /* zeroing a fresh high page */
	KMAP_SRC,  /* copy-on-write: the page copied from */
	KMAP_DST,  /* copy-on-write: the new page; loading programs */
	KMAP_PT0,  /* a page table in highmem */
	KMAP_PT1,  /* a second one (fork, un-sharing a table) */
	KMAP_PEEK, /* kernel reads of pages (show, checker, ACPI tables) */
	KMAP_TLB,  /* the global-page experiment (arch/x86/tlb.c), remapped by hand */
	KMAP_HIGHRAM, /* the page a high-RAM slot is copied to or from (highram.c) */
	KMAP_NSLOTS,
	/* Device mappings, uncached, made at boot (apic.c). */
	FIXMAP_LAPIC = 1000, /* the local APIC's registers (xAPIC mode) */
	FIXMAP_IOAPIC,       /* each IO-APIC in turn: mapped, masked, then left */
	FIXMAP_ECAM,         /* one PCI function's 4 KiB of config space (pci.c) */
};

#endif
