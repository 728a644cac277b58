/*
 * apic.c - silence the interrupt sources the firmware may leave behind.
 *
 * We drive interrupts through the 8259 only (the local APIC in "virtual
 * wire" mode passes them on through LINT0). Firmware may leave more live:
 * OVMF leaves the local APIC enabled with its spurious vector at 0x0F, an
 * exception slot; real firmware may leave the APIC timer or IO-APIC routes
 * armed. So: mask every local LVT except LINT0 (ExtINT) and LINT1 (NMI),
 * stop the APIC timer, move the spurious vector to 0xFF, EOI anything in
 * service, and mask every IO-APIC redirection entry (found in ACPI's MADT).
 * The MADT also lists the processors: the kernel counts the enabled ones
 * and says that it runs on the boot CPU alone (the others stay parked in
 * the firmware's wait loop, since no INIT/SIPI is ever sent).
 */
#include <arch/cpu.h>
#include <arch/machine.h>
#include <arch/paging.h>
#include <arch/trap.h>

#include "core/log.h"
#include "lib/string.h"

#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ISR0 0x100
#define LAPIC_LVT_CMCI 0x2F0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LVT_MASKED 0x10000u
#define LVT_EXTINT 0x700u
#define LVT_NMI 0x400u
#define SVR_ENABLE 0x100u
#define APIC_BASE_ENABLE (1u << 11)

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL 0x10
#define MAX_IOAPICS 4

static volatile uint32_t *lapic;

static uint32_t lapic_read(uint32_t reg)
{
	return lapic[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

static void lapic_quiesce(void)
{
	static const uint32_t masked[] = { LAPIC_LVT_TIMER, LAPIC_LVT_THERMAL, LAPIC_LVT_PERF,
					   LAPIC_LVT_ERROR, LAPIC_LVT_CMCI };
	uint32_t base = (uint32_t)rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE)) {
		log_normal("apic: local APIC disabled by firmware\n");
		return;
	}
	lapic = fixmap(FIXMAP_LAPIC, base & ~0xFFFu);
	uint32_t old_svr = lapic_read(LAPIC_SVR);
	for (unsigned i = 0; i < sizeof masked / sizeof masked[0]; i++)
		lapic_write(masked[i], LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT);
	lapic_write(LAPIC_LVT_LINT1, LVT_NMI);
	lapic_write(LAPIC_SVR, SVR_ENABLE | T_SPURIOUS);
	/* EOI whatever is still in service (bounded: 256 vectors at most). */
	for (int n = 0; n < 256; n++) {
		int busy = 0;
		for (int r = 0; r < 8; r++)
			busy |= lapic_read(LAPIC_ISR0 + r * 0x10) != 0;
		if (!busy)
			break;
		lapic_write(LAPIC_EOI, 0);
	}
	log_normal("apic: local APIC at 0x%08x: LVTs masked, timer stopped, "
		   "spurious vector 0x%02x -> 0x%02x, LINT0 ExtINT\n",
		   base & ~0xFFFu, old_svr & 0xFF, T_SPURIOUS);
}

/* ACPI tables are read through phys_read: they may lie above the direct map. */
struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static int find_table(uint64_t rsdp_pa, const char *sig, uint64_t *out)
{
	uint8_t rsdp[36];
	struct acpi_header h;

	phys_read(rsdp_pa, rsdp, sizeof rsdp);
	if (memcmp(rsdp, "RSD PTR ", 8))
		return 0;
	int xsdt = rsdp[15] >= 2;
	uint64_t root = 0;
	memcpy(&root, xsdt ? rsdp + 24 : rsdp + 16, xsdt ? 8 : 4);
	if (!root || root >= 0x100000000ull)
		return 0;
	phys_read(root, &h, sizeof h);
	unsigned entry = xsdt ? 8 : 4;
	for (uint32_t off = sizeof h; off + entry <= h.length && off < 4096; off += entry) {
		uint64_t table = 0;
		struct acpi_header t;
		phys_read(root + off, &table, entry);
		if (!table || table >= 0x100000000ull)
			continue;
		phys_read(table, &t, sizeof t);
		if (!memcmp(t.sig, sig, 4)) {
			*out = table;
			return 1;
		}
	}
	return 0;
}

static void ioapic_mask_all(int index, uint32_t pa)
{
	volatile uint32_t *io = fixmap(FIXMAP_IOAPIC0 + index, pa);

	io[IOAPIC_REGSEL / 4] = IOAPIC_VER;
	unsigned entries = ((io[IOAPIC_WIN / 4] >> 16) & 0xFF) + 1;
	for (unsigned i = 0; i < entries; i++) {
		io[IOAPIC_REGSEL / 4] = IOAPIC_REDTBL + 2 * i;
		io[IOAPIC_WIN / 4] = io[IOAPIC_WIN / 4] | LVT_MASKED;
	}
	log_normal("apic: IO-APIC %d at 0x%08x: %u redirection entries masked\n", index, pa,
		   entries);
}

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
	unsigned ioapics; /* IO-APICs masked */
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
	else if (e[0] == MADT_IO_APIC && len >= MADT_IO_APIC_ADDRESS + 4 &&
		 t->ioapics < MAX_IOAPICS)
		ioapic_mask_all(t->ioapics++, entry_u32(e, MADT_IO_APIC_ADDRESS));
}

/*
 * Walk the MADT at madt entry by entry (read one at a time: a machine
 * with many CPUs has a table of several KiB). A corrupt length ends the
 * walk; the table size is capped, so the loop always ends.
 */
static void madt_walk(uint64_t madt, struct madt_totals *t)
{
	struct acpi_header h;
	uint8_t e[MADT_ENTRY_MAX];

	phys_read(madt, &h, sizeof h);
	uint32_t end = h.length < MADT_MAX_BYTES ? h.length : MADT_MAX_BYTES;
	for (uint32_t off = sizeof h + MADT_ENTRIES_OFFSET; off + MADT_ENTRY_MIN <= end;) {
		phys_read(madt + off, e, MADT_ENTRY_MIN);
		unsigned len = e[1];
		if (len < MADT_ENTRY_MIN || off + len > end)
			break;
		phys_read(madt + off, e, len);
		madt_entry(e, len, t);
		off += len;
	}
}

/* Mask the IO-APICs and say how many processors there are: we use one. */
static void madt_quiesce(uint64_t rsdp)
{
	struct madt_totals t = { 0, 0 };
	uint64_t madt;

	if (!rsdp || !find_table(rsdp, "APIC", &madt)) {
		log_normal("apic: no ACPI MADT: IO-APICs left as they are\n");
		log_normal("cpu: no MADT; running on the boot CPU\n");
		return;
	}
	madt_walk(madt, &t);
	log_normal("cpu: %u processor%s in the MADT, running on the boot CPU only\n", t.cpus,
		   t.cpus == 1 ? "" : "s");
}

void apic_quiesce(uint64_t rsdp)
{
	if (cpu.edx1 & CPUID_EDX_APIC)
		lapic_quiesce();
	madt_quiesce(rsdp);
}
