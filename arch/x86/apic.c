/*
 * apic.c - silence the interrupt sources the firmware may leave behind.
 *
 * We drive interrupts through the 8259 only (the local APIC in "virtual
 * wire" mode passes them on through LINT0). Firmware may leave more live:
 * OVMF leaves the local APIC enabled with its spurious vector at 0x0F, an
 * exception slot; real firmware may leave the APIC timer or IO-APIC routes
 * armed, and newer machines hand over with the local APIC in x2APIC mode,
 * where its registers are MSRs and the MMIO page is not decoded at all.
 * So: mask every local LVT except LINT0 (ExtINT) and LINT1 (NMI), stop the
 * APIC timer, move the spurious vector to 0xFF, EOI anything in service,
 * mask every IO-APIC redirection entry (found in ACPI's MADT), and take
 * whatever the local APIC still held pending, as stray interrupts.
 * The MADT also lists the processors: the kernel counts the enabled ones
 * and says that it runs on the boot CPU alone (the others stay parked in
 * the firmware's wait loop, since no INIT/SIPI is ever sent).
 *
 * The MADT is found through acpi.c's root-table walk.
 *
 * References: the APIC chapter of the Intel SDM vol. 3A (its number moves
 * between editions; sections are named by title below), ACPI 6.5 5.2.12
 * (MADT).
 */
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/trap.h>

#include <errnum.h>
#include <layout.h>

#include "core/log.h"
#include "lib/fmt.h"
#include "lib/string.h"

/* ------------------------------------------------------------ local APIC */

/* Registers by their xAPIC MMIO offset ("Local APIC Register Address
 * Map"). In x2APIC mode the same register is MSR 0x800 + (offset >> 4)
 * ("x2APIC Register Address Space"). */
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ISR0 0x100 /* in-service: 8 words of 32 vectors each */
#define LAPIC_IRR0 0x200 /* requested (pending): the same layout */
#define LAPIC_LVT_CMCI 0x2F0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_VECTORS 256
#define LAPIC_VECTOR_WORDS (LAPIC_VECTORS / 32)
#define LAPIC_WORD_STRIDE 0x10    /* between two ISR (or IRR) words */
#define X2APIC_MSR_BASE 0x800u
#define X2APIC_MSR(reg) (X2APIC_MSR_BASE + ((reg) >> 4))

#define LVT_MASKED 0x10000u
#define LVT_EXTINT 0x700u
#define LVT_NMI 0x400u
#define SVR_ENABLE 0x100u
#define SVR_VECTOR 0xFFu /* the spurious vector's bits */
#define VERSION_MAX_LVT(v) (((v) >> 16) & 0xFFu) /* LVT entries - 1 */
#define FIRST_OPTIONAL_LVT 3 /* timer, LINT0, LINT1 are entries 0-2 */
/*
 * Task priority 0x20 (class 2): the local APIC delivers only vectors of a
 * higher class, FIRST_UNUSED_VECTOR (0x30) and up, each of which
 * trap_dispatch hands to apic_stray_interrupt or apic_spurious_interrupt,
 * and those EOI it. A lower vector it still held would land elsewhere:
 * 0x00-0x1F looks exactly like a CPU exception and panics the kernel, and
 * 0x20-0x2F goes to irq(), which EOIs the 8259 but not the local APIC,
 * leaving the vector in service there for good. Holding them off costs
 * nothing: the kernel takes no interrupt the local APIC delivers below
 * 0x30 (ExtINT, the 8259 on LINT0, and NMI bypass IRR, ISR and priorities:
 * "Interrupt Handling with the Pentium 4 and Intel Xeon Processors"), and
 * a software int $0x80 is not subject to the TPR.
 */
#define PRIORITY_CLASS 16 /* vectors per priority class: TPR bits 7:4 */
#define TPR_HOLD_BELOW_UNUSED (FIRST_UNUSED_VECTOR - PRIORITY_CLASS)
_Static_assert(FIRST_UNUSED_VECTOR % PRIORITY_CLASS == 0, "the TPR holds off whole classes");

#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_EXTD (1u << 10) /* x2APIC mode */
#define APIC_BASE_ADDR_MASK (~0xFFFull)

#define EOI_ROUNDS 256   /* one EOI per vector in service at most */
#define DRAIN_ROUNDS 256 /* interrupt windows: one vector each at least */
#define STRAY_LOG_MAX 4  /* stray interrupts logged; the rest only counted */

enum lapic_mode {
	LAPIC_NONE,   /* disabled, absent or out of reach: never touched */
	LAPIC_XAPIC,  /* registers in an MMIO page */
	LAPIC_X2APIC, /* registers are MSRs */
};

static enum lapic_mode lapic_mode;
static volatile uint32_t *lapic_mmio;
static unsigned strays;

/* Read a register by its xAPIC offset; only once lapic_attach succeeded. */
static uint32_t lapic_read(uint32_t reg)
{
	if (lapic_mode == LAPIC_X2APIC)
		return (uint32_t)rdmsr(X2APIC_MSR(reg));
	return mmio_read32(&lapic_mmio[reg / 4]);
}

/* Write a register by its xAPIC offset; only once lapic_attach succeeded. */
static void lapic_write(uint32_t reg, uint32_t v)
{
	if (lapic_mode == LAPIC_X2APIC)
		wrmsr(X2APIC_MSR(reg), v);
	else
		mmio_write32(&lapic_mmio[reg / 4], v);
}

/* The highest vector set in the ISR or IRR at bank, or -1 if none. */
static int lapic_highest(uint32_t bank)
{
	for (int w = LAPIC_VECTOR_WORDS - 1; w >= 0; w--) {
		uint32_t bits = lapic_read(bank + (uint32_t)w * LAPIC_WORD_STRIDE);
		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

/* How many vectors v, lo <= v < hi <= LAPIC_VECTORS, are set in the ISR
 * or IRR at bank. */
static unsigned lapic_count(uint32_t bank, uint32_t lo, uint32_t hi)
{
	unsigned n = 0;

	for (uint32_t w = lo / 32; w * 32 < hi; w++) {
		uint32_t bits = lapic_read(bank + w * LAPIC_WORD_STRIDE), first = w * 32;
		if (lo > first)
			bits &= ~0u << (lo - first);
		if (hi < first + 32)
			bits &= ~(~0u << (hi - first));
		n += (unsigned)__builtin_popcount(bits);
	}
	return n;
}

/*
 * Decide how to reach the local APIC from IA32_APIC_BASE: its MSRs in
 * x2APIC mode (EXTD set), else its MMIO page, which must lie below 4 GiB
 * for 32-bit paging to map it. Returns 0, with a log line, when the APIC
 * is disabled or out of reach; then it is never touched.
 */
static int lapic_attach(uint64_t base)
{
	uint64_t pa = base & APIC_BASE_ADDR_MASK;

	if (!(base & APIC_BASE_ENABLE)) {
		log_normal("apic: local APIC disabled by firmware\n");
		return 0;
	}
	if (base & APIC_BASE_EXTD) {
		lapic_mode = LAPIC_X2APIC;
		return 1;
	}
	if (pa >= FOUR_GIB) {
		log_normal("apic: local APIC at 0x%llx is above 4 GiB, out of reach of 32-bit "
			   "paging: left as the firmware set it\n",
			   (unsigned long long)pa);
		return 0;
	}
	lapic_mmio = fixmap(FIXMAP_LAPIC, (paddr_t)pa);
	lapic_mode = LAPIC_XAPIC;
	return 1;
}

/*
 * Mask every LVT this APIC has, stop its timer, and set the virtual wire:
 * LINT0 ExtINT (the 8259), LINT1 NMI. Beyond the three LVTs every local
 * APIC has, the Version register's Max LVT Entry says which exist ("Local
 * APIC Version Register"; Linux's clear_local_APIC reads it the same way):
 * the error LVT from 3, performance counters from 4, thermal from 5, CMCI
 * from 6. In x2APIC mode a WRMSR to one the APIC lacks is a #GP.
 */
static void lapic_mask_lvts(void)
{
	static const uint32_t optional[] = { LAPIC_LVT_ERROR, LAPIC_LVT_PERF,
					     LAPIC_LVT_THERMAL, LAPIC_LVT_CMCI };
	unsigned max_lvt = VERSION_MAX_LVT(lapic_read(LAPIC_VERSION));

	/* Masked and one-shot with count 0: stopped. A TSC-deadline timer is
	 * disarmed as well: "a write to the LVT Timer Register that changes
	 * the timer mode disarms the local APIC timer" ("TSC-Deadline Mode"). */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
	for (unsigned i = 0; i < sizeof optional / sizeof optional[0]; i++)
		if (FIRST_OPTIONAL_LVT + i <= max_lvt)
			lapic_write(optional[i], LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT);
	lapic_write(LAPIC_LVT_LINT1, LVT_NMI);
}

/* EOI whatever is in service; each EOI ends the highest vector in the ISR. */
static void lapic_eoi_in_service(void)
{
	for (int n = 0; n < EOI_ROUNDS && lapic_highest(LAPIC_ISR0) >= 0; n++)
		lapic_write(LAPIC_EOI, 0); /* x2APIC: a non-zero EOI write is a #GP */
}

/* Say what lapic_quiesce did, in the format docs/serial-log.md gives. */
static void lapic_log(uint64_t base, uint32_t old_svr)
{
	char at[sizeof "at 0x12345678"];
	const char *where = "(x2APIC mode)";

	if (lapic_mode == LAPIC_XAPIC) {
		fmt_snprintf(at, sizeof at, "at 0x%08x", (uint32_t)(base & APIC_BASE_ADDR_MASK));
		where = at;
	}
	log_normal("apic: local APIC %s: LVTs masked, timer stopped, spurious vector 0x%02x -> "
		   "0x%02x, LINT0 ExtINT\n",
		   where, old_svr & SVR_VECTOR, T_SPURIOUS);
}

/*
 * Silence the local APIC, keeping it as the 8259's virtual wire. The SVR
 * goes first: a software-disabled APIC holds every LVT masked and ignores
 * writes that unmask one ("Local APIC State After It Has Been Software
 * Disabled"), which would leave LINT0 masked and the 8259 cut off when the
 * firmware hands the APIC over disabled (SVR 0xFF is its reset state).
 */
static void lapic_quiesce(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!lapic_attach(base))
		return;
	uint32_t old_svr = lapic_read(LAPIC_SVR);
	lapic_write(LAPIC_SVR, SVR_ENABLE | T_SPURIOUS);
	lapic_mask_lvts();
	lapic_write(LAPIC_TPR, TPR_HOLD_BELOW_UNUSED);
	lapic_eoi_in_service();
	lapic_log(base, old_svr);
}

/* One instruction with interrupts on: the CPU takes what is pending. */
static void interrupt_window(void)
{
	sti();
	__asm__ volatile("nop");
	cli();
}

/*
 * A vector the local APIC accepted before its source was masked stays
 * requested (IRR) until the CPU takes it; EOIs do not clear it. Take them
 * now, with every source masked (the 8259 lines, the LVTs, the IO-APICs)
 * so that nothing new arrives: each lands in trap_dispatch as a stray
 * interrupt (or the spurious vector), which EOIs it. Bounded; vectors
 * below FIRST_UNUSED_VECTOR stay held off by the TPR and are only reported.
 */
static void lapic_drain_pending(void)
{
	unsigned pending = lapic_count(LAPIC_IRR0, FIRST_UNUSED_VECTOR, LAPIC_VECTORS);
	unsigned held = lapic_count(LAPIC_IRR0, 0, FIRST_UNUSED_VECTOR);

	if (pending) {
		log_normal("apic: %u interrupt%s pending at the local APIC, highest vector 0x%02x: "
			   "taken as stray\n",
			   pending, pending == 1 ? "" : "s", lapic_highest(LAPIC_IRR0));
		for (int n = 0; n < DRAIN_ROUNDS && pending; n++) {
			interrupt_window();
			pending = lapic_count(LAPIC_IRR0, FIRST_UNUSED_VECTOR, LAPIC_VECTORS);
		}
		if (pending)
			log_normal("apic: %u interrupt%s still pending after %u windows\n", pending,
				   pending == 1 ? "" : "s", DRAIN_ROUNDS);
	}
	if (held)
		log_normal("apic: %u vector%s below 0x%02x pending, held off by task priority "
			   "0x%02x\n",
			   held, held == 1 ? "" : "s", FIRST_UNUSED_VECTOR, TPR_HOLD_BELOW_UNUSED);
}

/* End vector v (< LAPIC_VECTORS) at the local APIC if it is in service
 * there; 1 if it was. */
static int lapic_end_if_in_service(uint32_t v)
{
	if (lapic_mode == LAPIC_NONE ||
	    !((lapic_read(LAPIC_ISR0 + v / 32 * LAPIC_WORD_STRIDE) >> (v % 32)) & 1))
		return 0;
	lapic_write(LAPIC_EOI, 0);
	return 1;
}

void apic_stray_interrupt(uint32_t vector)
{
	int ended = lapic_end_if_in_service(vector);

	if (++strays > STRAY_LOG_MAX)
		return;
	/* At any level, as nmi: and segv: are: something is misbehaving. */
	kprintf("apic: stray interrupt on vector 0x%02x (%s): ignored%s\n", vector,
		ended ? "EOI sent to the local APIC" : "not in service at the local APIC",
		strays == STRAY_LOG_MAX ? "; further ones are counted, not logged" : "");
}

void apic_end_vector(uint32_t vector)
{
	lapic_end_if_in_service(vector);
}

/* The MSI address register (Intel SDM, "Message Signalled Interrupts"):
 * the local APIC's range, the destination ID in bits 19:12, physical
 * destination mode (bit 2 clear), no redirection hint (bit 3 clear). The
 * data: the vector, fixed delivery (bits 10:8 zero), edge (bit 15 clear). */
#define MSI_ADDRESS_BASE 0xFEE00000u
#define MSI_DEST_SHIFT 12
#define MSI_DEST_MAX 0xFFu /* 8 bits: a wider x2APIC ID needs interrupt remapping */
#define LAPIC_ID 0x020
#define XAPIC_ID_SHIFT 24 /* xAPIC: the ID in bits 31:24; x2APIC: the whole register */

int apic_msi_message(uint8_t vector, uint32_t *address, uint32_t *data)
{
	if (lapic_mode == LAPIC_NONE)
		return -ENODEV;
	uint32_t id = lapic_read(LAPIC_ID);
	if (lapic_mode == LAPIC_XAPIC)
		id >>= XAPIC_ID_SHIFT;
	if (id > MSI_DEST_MAX)
		return -ENODEV;
	*address = MSI_ADDRESS_BASE | id << MSI_DEST_SHIFT;
	*data = vector;
	return 0;
}

void apic_spurious_interrupt(void)
{
	/* Linux's spurious_interrupt() checks the ISR the same way. */
	lapic_end_if_in_service(T_SPURIOUS);
}

unsigned apic_stray_count(void)
{
	return strays;
}

/* -------------------------------------------------------------- IO-APIC */

/* An IO-APIC shows two words of MMIO: IOREGSEL names one of its registers,
 * IOWIN reads or writes the register named (Intel 82093AA datasheet,
 * "Register Description"). */
#define IOAPIC_REGSEL 0x00 /* byte offsets in the MMIO page */
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01    /* register numbers, through IOREGSEL */
#define IOAPIC_REDTBL 0x10 /* entry i: low word 0x10 + 2i, high word after it */
#define IOAPIC_RTE_MASKED 0x10000u /* bit 16 of an entry's low word */
#define IOAPIC_NO_ANSWER 0xFFFFFFFFu /* what a read of an empty bus returns */
#define IOAPIC_MAX_ENTRY(ver) (((ver) >> 16) & 0xFFu) /* entries - 1 */

/* Read register reg of the IO-APIC mapped at io. */
static uint32_t ioapic_read(volatile uint32_t *io, uint32_t reg)
{
	mmio_write32(&io[IOAPIC_REGSEL / 4], reg);
	return mmio_read32(&io[IOAPIC_WIN / 4]);
}

/* Write v to register reg of the IO-APIC mapped at io. */
static void ioapic_write(volatile uint32_t *io, uint32_t reg, uint32_t v)
{
	mmio_write32(&io[IOAPIC_REGSEL / 4], reg);
	mmio_write32(&io[IOAPIC_WIN / 4], v);
}

/*
 * Mask every redirection entry of the IO-APIC at pa (the index-th in the
 * MADT), leaving the rest of each entry as it was. One fixmap slot serves
 * every IO-APIC in turn: each is masked once, here, and never touched
 * again, so any number of them is handled.
 */
static void ioapic_mask_all(unsigned index, uint32_t pa)
{
	volatile uint32_t *io = fixmap(FIXMAP_IOAPIC, pa);
	uint32_t ver = ioapic_read(io, IOAPIC_VER);

	if (ver == IOAPIC_NO_ANSWER) {
		log_normal("apic: IO-APIC %u at 0x%08x does not answer (version register reads "
			   "0xffffffff): skipped\n",
			   index, pa);
		return;
	}
	unsigned entries = IOAPIC_MAX_ENTRY(ver) + 1;
	for (unsigned i = 0; i < entries; i++) {
		uint32_t low = IOAPIC_REDTBL + 2 * i;
		ioapic_write(io, low, ioapic_read(io, low) | IOAPIC_RTE_MASKED);
	}
	log_normal("apic: IO-APIC %u at 0x%08x: %u redirection entries masked\n", index, pa,
		   entries);
}

/* ----------------------------------------------------------------- MADT */

/* MADT entry types and fields (ACPI 6.5, 5.2.12). */
#define MADT_ENTRIES_OFFSET 8 /* after the header: local APIC address, flags */
#define MADT_LOCAL_APIC 0
#define MADT_IO_APIC 1
#define MADT_LOCAL_X2APIC 9
#define MADT_LOCAL_APIC_FLAGS 4  /* offset of the flags in a type 0 entry */
#define MADT_X2APIC_FLAGS 8      /* ... in a type 9 entry */
#define MADT_IO_APIC_ADDRESS 4   /* offset of the address in a type 1 entry */
#define MADT_CPU_ENABLED 0x1u
#define MADT_ENTRY_MIN 2         /* type and length: a shorter entry would loop */
#define MADT_ENTRY_MAX 255
#define MADT_MAX_BYTES 0x10000u  /* far beyond any real table: a bound on a bad length */

struct madt_totals {
	unsigned cpus;    /* enabled local APIC and x2APIC entries */
	unsigned ioapics; /* IO-APICs listed (and masked, when they answer) */
};

/* A 32-bit field at off inside an entry (entries are not aligned). */
static uint32_t entry_u32(const uint8_t *entry, unsigned off)
{
	uint32_t v;

	memcpy(&v, entry + off, sizeof v);
	return v;
}

/* Count one MADT entry: enabled processors, and IO-APICs, which are masked. */
static void madt_entry(const uint8_t *e, unsigned len, struct madt_totals *t)
{
	if (e[0] == MADT_LOCAL_APIC && len >= MADT_LOCAL_APIC_FLAGS + 4)
		t->cpus += (entry_u32(e, MADT_LOCAL_APIC_FLAGS) & MADT_CPU_ENABLED) != 0;
	else if (e[0] == MADT_LOCAL_X2APIC && len >= MADT_X2APIC_FLAGS + 4)
		t->cpus += (entry_u32(e, MADT_X2APIC_FLAGS) & MADT_CPU_ENABLED) != 0;
	else if (e[0] == MADT_IO_APIC && len >= MADT_IO_APIC_ADDRESS + 4)
		ioapic_mask_all(t->ioapics++, entry_u32(e, MADT_IO_APIC_ADDRESS));
}

/*
 * Read the MADT entry at offset off into e (MADT_ENTRY_MAX bytes); end is
 * where the table ends, capped. Returns the entry's length, or 0 with a
 * log line when the entry is broken or runs past 4 GiB: the walk stops.
 */
static unsigned madt_entry_read(const struct acpi_table *madt, uint32_t off, uint32_t end,
				uint8_t *e)
{
	if (phys_read(madt->pa + off, e, MADT_ENTRY_MIN) == 0) {
		unsigned len = e[1];
		if (len < MADT_ENTRY_MIN || off + len > end) {
			log_normal("apic: MADT entry at offset %u: bad length %u (%u bytes left): "
				   "rest of the table ignored\n",
				   off, len, end - off);
			return 0;
		}
		if (phys_read(madt->pa + off, e, len) == 0)
			return len;
	}
	log_normal("apic: MADT entry at offset %u runs past 4 GiB: rest of the table ignored\n",
		   off);
	return 0;
}

/*
 * Walk the MADT entry by entry (read one at a time: a machine with many
 * CPUs has a table of several KiB). A broken entry ends the walk; the
 * table size is capped, so the loop always ends.
 */
static void madt_walk(const struct acpi_table *madt, struct madt_totals *t)
{
	uint8_t e[MADT_ENTRY_MAX];
	uint32_t end = madt->h.length < MADT_MAX_BYTES ? madt->h.length : MADT_MAX_BYTES;
	unsigned len;

	for (uint32_t off = sizeof madt->h + MADT_ENTRIES_OFFSET; off + MADT_ENTRY_MIN <= end;
	     off += len) {
		len = madt_entry_read(madt, off, end, e);
		if (!len)
			return;
		madt_entry(e, len, t);
	}
}

/* Mask the IO-APICs and say how many processors there are: we use one. */
static void madt_quiesce(uint64_t rsdp)
{
	struct madt_totals t = { 0, 0 };
	struct acpi_table madt;

	if (acpi_find_table(rsdp, "APIC", &madt)) {
		log_normal("apic: no ACPI MADT: IO-APICs left as they are\n");
		log_normal("cpu: no MADT; running on the boot CPU\n");
		return;
	}
	madt_walk(&madt, &t);
	log_normal("cpu: %u processor%s in the MADT, running on the boot CPU only\n", t.cpus,
		   t.cpus == 1 ? "" : "s");
}

void apic_quiesce(uint64_t rsdp)
{
	if (cpu.edx1 & CPUID_EDX_APIC)
		lapic_quiesce();
	madt_quiesce(rsdp);
	/* Last: with the IO-APICs masked too, only what was pending arrives. */
	if (lapic_mode != LAPIC_NONE)
		lapic_drain_pending();
}
