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

#define FOUR_GIB 0x100000000ull /* the end of what 32-bit paging reaches */

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

/* ---------------------------------------------------------------- ACPI */

/* ACPI tables are read through phys_read: they may lie above the direct map. */
struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision; /* 2 and up: the fields after rsdt exist */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum, reserved[3];
} __attribute__((packed));

#define RSDP_V1_SIZE 20     /* ACPI 1.0's RSDP ends after rsdt */
#define RSDP_XSDT_REVISION 2
#define ACPI_ROOT_MAX_BYTES 4096 /* ~500 tables: a bound on a corrupt length */

enum root_result { ROOT_FOUND, ROOT_NOT_LISTED, ROOT_FAR, ROOT_BAD_SIGNATURE };

/*
 * Read len bytes of a firmware table at pa into buf. Returns 0, or -1
 * when any of them lies at or above 4 GiB: 32-bit paging without PAE
 * cannot map them, and cutting the address to 32 bits would read the
 * wrong page.
 */
static int acpi_read(uint64_t pa, void *buf, uint32_t len)
{
	if (pa >= FOUR_GIB || len > FOUR_GIB - pa)
		return -1;
	phys_read(pa, buf, len);
	return 0;
}

/* Read the RSDP at pa into *p (xsdt left 0 before ACPI 2.0); 0 with a log
 * line when it is out of reach or not an RSDP. */
static int read_rsdp(uint64_t pa, struct acpi_rsdp *p)
{
	memset(p, 0, sizeof *p);
	if (acpi_read(pa, p, RSDP_V1_SIZE) < 0) {
		log_normal("apic: ACPI RSDP at 0x%llx is above 4 GiB, out of reach of 32-bit "
			   "paging\n",
			   (unsigned long long)pa);
		return 0;
	}
	if (memcmp(p->sig, "RSD PTR ", sizeof p->sig)) {
		log_normal("apic: no ACPI RSDP signature at 0x%llx\n", (unsigned long long)pa);
		return 0;
	}
	if (p->revision >= RSDP_XSDT_REVISION && acpi_read(pa, p, sizeof *p) < 0)
		p->xsdt = 0; /* the RSDP straddles 4 GiB: the RSDT is all we can use */
	return 1;
}

/*
 * Look for the table with signature sig among the entries of the root
 * table (XSDT or RSDT, named root_sig, entry bytes apart) at root.
 * Entries above 4 GiB are skipped: another root may list a copy below.
 */
static enum root_result root_find(uint64_t root, const char *root_sig, unsigned entry,
				  const char *sig, uint64_t *out)
{
	struct acpi_header h;

	if (acpi_read(root, &h, sizeof h) < 0)
		return ROOT_FAR;
	if (memcmp(h.sig, root_sig, sizeof h.sig))
		return ROOT_BAD_SIGNATURE;
	uint32_t end = h.length < ACPI_ROOT_MAX_BYTES ? h.length : ACPI_ROOT_MAX_BYTES;
	for (uint32_t off = sizeof h; off + entry <= end; off += entry) {
		uint64_t table = 0;
		struct acpi_header t;
		if (acpi_read(root + off, &table, entry) < 0)
			return ROOT_FAR;
		if (table && acpi_read(table, &t, sizeof t) == 0 && !memcmp(t.sig, sig, 4)) {
			*out = table;
			return ROOT_FOUND;
		}
	}
	return ROOT_NOT_LISTED;
}

/* Why a root table was of no use, for the log line. */
static const char *root_problem(enum root_result r)
{
	if (r == ROOT_FAR)
		return "is above 4 GiB, out of reach of 32-bit paging";
	if (r == ROOT_BAD_SIGNATURE)
		return "has a bad signature";
	return "lists no such table below 4 GiB";
}

/*
 * Find the ACPI table with signature sig through the RSDP at rsdp_pa: in
 * the XSDT (ACPI 2.0+, 64-bit entries), or, when that is out of reach,
 * broken or lacks the table, in the RSDT (32-bit entries), which firmware
 * keeps for 32-bit systems like this one. Each fallback is logged.
 */
static int find_table(uint64_t rsdp_pa, const char *sig, uint64_t *out)
{
	struct acpi_rsdp p;
	enum root_result r;

	if (!read_rsdp(rsdp_pa, &p))
		return 0;
	if (p.xsdt) {
		r = root_find(p.xsdt, "XSDT", sizeof(uint64_t), sig, out);
		if (r == ROOT_FOUND)
			return 1;
		log_normal("apic: ACPI XSDT at 0x%llx %s: %s\n", (unsigned long long)p.xsdt,
			   root_problem(r), p.rsdt ? "trying the RSDT" : "and there is no RSDT");
	}
	if (!p.rsdt)
		return 0;
	r = root_find(p.rsdt, "RSDT", sizeof(uint32_t), sig, out);
	if (r == ROOT_FOUND)
		return 1;
	log_normal("apic: ACPI RSDT at 0x%08x %s\n", p.rsdt, root_problem(r));
	return 0;
}

/* -------------------------------------------------------------- IO-APIC */

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL 0x10
#define IOAPIC_NO_ANSWER 0xFFFFFFFFu /* what a read of an empty bus returns */
#define IOAPIC_MAX_ENTRY(ver) (((ver) >> 16) & 0xFFu) /* entries - 1 */

/*
 * Mask every redirection entry of the IO-APIC at pa (the index-th in the
 * MADT). One fixmap slot serves every IO-APIC in turn: each is masked
 * once, here, and never touched again, so any number of them is handled.
 */
static void ioapic_mask_all(unsigned index, uint32_t pa)
{
	volatile uint32_t *io = fixmap(FIXMAP_IOAPIC0, pa);

	io[IOAPIC_REGSEL / 4] = IOAPIC_VER;
	uint32_t ver = io[IOAPIC_WIN / 4];
	if (ver == IOAPIC_NO_ANSWER) {
		log_normal("apic: IO-APIC %u at 0x%08x does not answer (version 0x%08x): skipped\n",
			   index, pa, ver);
		return;
	}
	unsigned entries = IOAPIC_MAX_ENTRY(ver) + 1;
	for (unsigned i = 0; i < entries; i++) {
		io[IOAPIC_REGSEL / 4] = IOAPIC_REDTBL + 2 * i;
		io[IOAPIC_WIN / 4] = io[IOAPIC_WIN / 4] | LVT_MASKED;
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
 * Walk the MADT at madt entry by entry (read one at a time: a machine
 * with many CPUs has a table of several KiB). A corrupt length ends the
 * walk with a log line; the table size is capped, so the loop always ends.
 */
static void madt_walk(uint64_t madt, struct madt_totals *t)
{
	struct acpi_header h;
	uint8_t e[MADT_ENTRY_MAX];

	if (acpi_read(madt, &h, sizeof h) < 0)
		return; /* find_table read this header already */
	uint32_t end = h.length < MADT_MAX_BYTES ? h.length : MADT_MAX_BYTES;
	for (uint32_t off = sizeof h + MADT_ENTRIES_OFFSET; off + MADT_ENTRY_MIN <= end;) {
		unsigned len = 0;
		if (acpi_read(madt + off, e, MADT_ENTRY_MIN) == 0)
			len = e[1];
		if (len < MADT_ENTRY_MIN || off + len > end || acpi_read(madt + off, e, len) < 0) {
			log_normal("apic: MADT entry at offset %u: bad length %u (%u bytes left): "
				   "rest of the table ignored\n",
				   off, len, end - off);
			return;
		}
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
