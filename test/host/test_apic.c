/*
 * test_apic.c - arch/x86/apic.c on a simulated machine: the local APIC in
 * xAPIC and x2APIC mode, the drain of pending interrupts, stray and
 * spurious vectors, the NMI gate and the interrupt chains and device
 * vectors (arch/x86/trap.c), MSI messages, and the ACPI walk
 * (arch/x86/acpi.c) to the MADT with tables above 4 GiB, broken roots and any number of
 * IO-APICs.
 *
 * QEMU's TCG has no x2APIC before QEMU 8, so this is where x2APIC mode is
 * exercised at all. apic.c and trap.c are included whole (trap.c so that
 * every vector the simulated CPU takes goes through the kernel's own
 * trap_dispatch), with their CPU instructions (rdmsr, wrmsr, sti, cli,
 * control registers) and port I/O replaced by the simulation below:
 * an x2APIC whose MSRs exist only as far as its Version register says (a
 * WRMSR to any other is a #GP on real hardware, a test failure here), and
 * physical memory that refuses a range reaching 4 GiB as paging.c's
 * phys_read does, and fails the test when read where the test put nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/paging.h>

static uint64_t sim_rdmsr(uint32_t msr);
static void sim_wrmsr(uint32_t msr, uint64_t v);
static void sim_sti(void);
static void sim_cli(void);
static void sim_outb(uint16_t port, uint8_t v);
static uint8_t sim_inb(uint16_t port);
static uint32_t sim_read_cr(void);
static uint32_t sim_mmio_read32(const volatile uint32_t *reg);
static void sim_mmio_write32(volatile uint32_t *reg, uint32_t v);
#define rdmsr sim_rdmsr
#define wrmsr sim_wrmsr
#define sti sim_sti
#define cli sim_cli
#define outb sim_outb
#define inb sim_inb
#define mmio_read32 sim_mmio_read32
#define mmio_write32 sim_mmio_write32
#define read_cr0 sim_read_cr
#define read_cr2 sim_read_cr
#define read_cr3 sim_read_cr
#define read_cr4 sim_read_cr
#define __extable_start sim_extable /* no kernel instruction has a fixup */
#define __extable_end sim_extable
#include "arch/x86/acpi.c"
#include "arch/x86/apic.c"
#include "arch/x86/trap.c"
#undef rdmsr
#undef wrmsr
#undef sti
#undef cli
#undef outb
#undef inb
#undef mmio_read32
#undef mmio_write32
#undef read_cr0
#undef read_cr2
#undef read_cr3
#undef read_cr4
#undef __extable_start
#undef __extable_end

#define LAPIC_PA 0xFEE00000u
#define BASE_BSP (1u << 8)
#define OVMF_SVR 0x10Fu /* enabled, spurious vector 0x0F */

/* ------------------------------------------------------------- the log */

static char log_buf[16384];
static size_t log_len;
int log_level = LOG_NORMAL;

static void log_add(const char *fmt, va_list ap)
{
	int n = vsnprintf(log_buf + log_len, sizeof log_buf - log_len, fmt, ap);
	assert_true(n >= 0 && (size_t)n < sizeof log_buf - log_len);
	log_len += (size_t)n;
}

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	log_add(fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_add(fmt, ap);
	va_end(ap);
}

/* Whether the log holds this exact line. */
static int logged(const char *line)
{
	size_t n = strlen(line);

	for (const char *p = log_buf; (p = strstr(p, line)) != NULL; p++)
		if ((p == log_buf || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

#define assert_logged(line)                                                    \
	do {                                                                   \
		if (!logged(line))                                             \
			fail_msg("line not logged: %s\n---- log ----\n%s", line, log_buf); \
	} while (0)

static unsigned log_lines_with(const char *part)
{
	unsigned n = 0;

	for (const char *p = log_buf; (p = strstr(p, part)) != NULL; p++)
		n++;
	return n;
}

/* ------------------------------------------------- the local APIC, MSRs */

struct cpu_features cpu;
static uint64_t apic_base;
static uint32_t x2[256];      /* MSR 0x800 + i, indexed by xAPIC offset >> 4 */
static uint8_t x2_has[256];   /* which of them this APIC implements */
static unsigned eoi_writes;
static int irq_on;
static unsigned delivered[256];

#define X2(reg) x2[(reg) >> 4]

/* The registers every x2APIC has, and the LVTs its Version register names. */
static void x2apic_build(unsigned max_lvt)
{
	static const uint32_t always[] = { LAPIC_ID, LAPIC_VERSION, LAPIC_TPR, LAPIC_EOI, LAPIC_SVR,
					   LAPIC_LVT_TIMER, LAPIC_LVT_LINT0, LAPIC_LVT_LINT1,
					   LAPIC_TIMER_INIT };
	static const uint32_t optional[] = { LAPIC_LVT_ERROR, LAPIC_LVT_PERF, LAPIC_LVT_THERMAL,
					     LAPIC_LVT_CMCI };

	memset(x2, 0, sizeof x2);
	memset(x2_has, 0, sizeof x2_has);
	for (unsigned i = 0; i < sizeof always / sizeof always[0]; i++)
		x2_has[always[i] >> 4] = 1;
	for (unsigned i = 0; i < 4; i++)
		if (3 + i <= max_lvt)
			x2_has[optional[i] >> 4] = 1;
	for (unsigned w = 0; w < LAPIC_VECTOR_WORDS; w++)
		x2_has[(LAPIC_ISR0 >> 4) + w] = x2_has[(LAPIC_IRR0 >> 4) + w] = 1;
	X2(LAPIC_VERSION) = max_lvt << 16 | 0x15;
	X2(LAPIC_SVR) = OVMF_SVR;
	/* what firmware might leave: a periodic timer on 0x30, live LVTs */
	X2(LAPIC_LVT_TIMER) = 0x20030;
	X2(LAPIC_TIMER_INIT) = 123456;
	X2(LAPIC_LVT_LINT0) = LVT_MASKED | LVT_EXTINT;
	X2(LAPIC_LVT_LINT1) = LVT_NMI;
	for (unsigned i = 0; i < 4; i++)
		X2(optional[i]) = 0x40 + i; /* unmasked, only read if present */
	apic_base = LAPIC_PA | APIC_BASE_ENABLE | APIC_BASE_EXTD | BASE_BSP;
}

static void set_vector(uint32_t bank, unsigned v)
{
	X2(bank + v / 32 * LAPIC_WORD_STRIDE) |= 1u << (v % 32);
}

static int has_vector(uint32_t bank, unsigned v)
{
	return (X2(bank + v / 32 * LAPIC_WORD_STRIDE) >> (v % 32)) & 1;
}

static int highest_vector(uint32_t bank)
{
	for (int v = 255; v >= 0; v--)
		if (has_vector(bank, (unsigned)v))
			return v;
	return -1;
}

static void clear_vector(uint32_t bank, unsigned v)
{
	X2(bank + v / 32 * LAPIC_WORD_STRIDE) &= ~(1u << (v % 32));
}

static int is_lvt(uint32_t i)
{
	uint32_t reg = i << 4;

	return reg == LAPIC_LVT_CMCI || (reg >= LAPIC_LVT_TIMER && reg <= LAPIC_LVT_ERROR);
}

static uint64_t sim_rdmsr(uint32_t msr)
{
	if (msr == MSR_APIC_BASE)
		return apic_base;
	if (msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_BASE + 0xFF)
		fail_msg("rdmsr 0x%x: not simulated", msr);
	if (!(apic_base & APIC_BASE_EXTD))
		fail_msg("rdmsr 0x%x outside x2APIC mode: #GP", msr);
	if (!x2_has[msr - X2APIC_MSR_BASE])
		fail_msg("rdmsr 0x%x: this APIC has no such register: #GP", msr);
	return x2[msr - X2APIC_MSR_BASE];
}

static void sim_wrmsr(uint32_t msr, uint64_t v)
{
	uint32_t i = msr - X2APIC_MSR_BASE;

	if (msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_BASE + 0xFF)
		fail_msg("wrmsr 0x%x: not simulated", msr);
	if (!(apic_base & APIC_BASE_EXTD))
		fail_msg("wrmsr 0x%x outside x2APIC mode: #GP", msr);
	if (!x2_has[i])
		fail_msg("wrmsr 0x%x: this APIC has no such register: #GP", msr);
	if (i == (LAPIC_VERSION >> 4) || (i >= (LAPIC_ISR0 >> 4) && i < (LAPIC_ISR0 >> 4) + 8) ||
	    (i >= (LAPIC_IRR0 >> 4) && i < (LAPIC_IRR0 >> 4) + 8))
		fail_msg("wrmsr 0x%x: read-only register: #GP", msr);
	if (i == (LAPIC_EOI >> 4)) {
		if (v)
			fail_msg("x2APIC EOI written with 0x%llx, not 0: #GP", (unsigned long long)v);
		eoi_writes++;
		int top = highest_vector(LAPIC_ISR0);
		if (top >= 0)
			clear_vector(LAPIC_ISR0, (unsigned)top);
		return;
	}
	/* Software-disabled (SVR bit 8 clear), an APIC keeps every LVT masked
	 * and ignores writes that unmask one (SDM 11.4.7.2). */
	if (!(X2(LAPIC_SVR) & SVR_ENABLE) && is_lvt(i))
		v |= LVT_MASKED;
	x2[i] = (uint32_t)v;
}

/* The CPU's side of an interrupt window: take each pending vector the
 * priorities let through, highest first, and hand it to trap.c's
 * trap_dispatch as the CPU would, in ring 0. */
static void sim_sti(void)
{
	irq_on = 1;
	for (;;) {
		int v = highest_vector(LAPIC_IRR0), busy = highest_vector(LAPIC_ISR0);
		unsigned ppr = X2(LAPIC_TPR) >> 4;
		if (busy >= 0 && (unsigned)busy >> 4 > ppr)
			ppr = (unsigned)busy >> 4;
		if (v < 0 || (unsigned)v >> 4 <= ppr)
			return;
		clear_vector(LAPIC_IRR0, (unsigned)v);
		set_vector(LAPIC_ISR0, (unsigned)v);
		delivered[v]++;
		struct trapframe tf = { .vector = (uint32_t)v, .cs = KERNEL_CS };
		trap_dispatch(&tf);
	}
}

static void sim_cli(void)
{
	irq_on = 0;
}

/* ------------------------------------------------------- ports, fixmap */

static uint16_t port_log[16];
static int port_is_write[16];
static uint8_t port_value[16];
static unsigned port_ops;

static void sim_outb(uint16_t port, uint8_t v)
{
	assert_true(port_ops < 16);
	port_log[port_ops] = port;
	port_value[port_ops] = v;
	port_is_write[port_ops++] = 1;
}

static uint8_t sim_inb(uint16_t port)
{
	assert_true(port_ops < 16);
	port_log[port_ops] = port;
	port_is_write[port_ops++] = 0;
	return 0;
}

static uint32_t mmio_page[1024];
static uint32_t fixmap_lapic_pa;
static unsigned fixmap_lapic_calls;

/*
 * IO-APICs as the 82093AA has them: of its MMIO, only IOREGSEL (offset 0)
 * and IOWIN (0x10) answer; IOREGSEL names a register, IOWIN reaches it.
 * Each entry starts as firmware might leave it: unmasked, level-triggered,
 * active low, on vector 0x30 + i, for CPU i.
 */
#define MAX_SIM_IOAPICS 16
#define SIM_IOAPIC_ENTRIES_MAX 64
#define SIM_IOAPIC_WORDS (IOAPIC_WIN / 4 + 1) /* IOREGSEL .. IOWIN */
#define SIM_IOREGSEL_ADDRESS 0xFFu            /* IOREGSEL bits 7:0 */
#define SIM_RTE_LOW(i) (0xA000u | (0x30u + (i)))
#define SIM_RTE_HIGH(i) ((uint32_t)(i) << 24)
static struct sim_ioapic {
	uint32_t pa;
	unsigned entries;
	uint32_t mmio[SIM_IOAPIC_WORDS]; /* what fixmap hands out */
	uint32_t regsel;                 /* the register IOWIN reaches */
	uint32_t regs[IOAPIC_REDTBL + 2 * SIM_IOAPIC_ENTRIES_MAX];
} ioapics[MAX_SIM_IOAPICS];
static unsigned n_ioapics;
static uint32_t empty_bus[SIM_IOAPIC_WORDS]; /* no device: reads are all ones */

static void add_ioapic(uint32_t pa, unsigned entries)
{
	assert_true(n_ioapics < MAX_SIM_IOAPICS && entries <= SIM_IOAPIC_ENTRIES_MAX);
	struct sim_ioapic *io = &ioapics[n_ioapics++];
	memset(io, 0, sizeof *io);
	io->pa = pa;
	io->entries = entries;
	io->regs[IOAPIC_VER] = (entries - 1) << 16 | 0x20;
	for (unsigned i = 0; i < entries; i++) {
		io->regs[IOAPIC_REDTBL + 2 * i] = SIM_RTE_LOW(i);
		io->regs[IOAPIC_REDTBL + 2 * i + 1] = SIM_RTE_HIGH(i);
	}
}

/* The simulated IO-APIC whose MMIO words reg lies in, or NULL. */
static struct sim_ioapic *ioapic_at(const volatile uint32_t *reg)
{
	for (unsigned i = 0; i < n_ioapics; i++)
		if (reg >= ioapics[i].mmio && reg < ioapics[i].mmio + SIM_IOAPIC_WORDS)
			return &ioapics[i];
	return NULL;
}

/* The register IOWIN reaches now; a test failure if there is none. */
static uint32_t *ioapic_selected(struct sim_ioapic *io)
{
	uint32_t r = io->regsel;

	if (r != IOAPIC_VER && (r < IOAPIC_REDTBL || r >= IOAPIC_REDTBL + 2 * io->entries))
		fail_msg("IO-APIC at 0x%x: IOWIN used with IOREGSEL 0x%x: no such register", io->pa,
			 r);
	return &io->regs[r];
}

static int on_empty_bus(const volatile uint32_t *reg)
{
	return reg >= empty_bus && reg < empty_bus + SIM_IOAPIC_WORDS;
}

static uint32_t sim_mmio_read32(const volatile uint32_t *reg)
{
	struct sim_ioapic *io = ioapic_at(reg);

	if (on_empty_bus(reg))
		return IOAPIC_NO_ANSWER;
	if (!io)
		return *reg; /* the local APIC's page: plain registers */
	if (reg == &io->mmio[IOAPIC_WIN / 4])
		return *ioapic_selected(io);
	if (reg == &io->mmio[IOAPIC_REGSEL / 4])
		return io->regsel;
	fail_msg("IO-APIC at 0x%x: read at offset 0x%x, neither IOREGSEL nor IOWIN", io->pa,
		 (unsigned)(reg - io->mmio) * 4);
	return 0;
}

static void sim_mmio_write32(volatile uint32_t *reg, uint32_t v)
{
	struct sim_ioapic *io = ioapic_at(reg);

	if (on_empty_bus(reg))
		return;
	if (!io) {
		*reg = v;
	} else if (reg == &io->mmio[IOAPIC_REGSEL / 4]) {
		io->regsel = v & SIM_IOREGSEL_ADDRESS;
	} else if (reg == &io->mmio[IOAPIC_WIN / 4]) {
		if (io->regsel == IOAPIC_VER)
			fail_msg("IO-APIC at 0x%x: write to the read-only version register",
				 io->pa);
		*ioapic_selected(io) = v;
	} else {
		fail_msg("IO-APIC at 0x%x: write at offset 0x%x, neither IOREGSEL nor IOWIN",
			 io->pa, (unsigned)(reg - io->mmio) * 4);
	}
}

/* Every redirection entry of io masked, and nothing else in it changed. */
static void assert_ioapic_masked(const struct sim_ioapic *io)
{
	for (unsigned i = 0; i < io->entries; i++) {
		assert_int_equal(io->regs[IOAPIC_REDTBL + 2 * i],
				 SIM_RTE_LOW(i) | IOAPIC_RTE_MASKED);
		assert_int_equal(io->regs[IOAPIC_REDTBL + 2 * i + 1], SIM_RTE_HIGH(i));
	}
}

void *fixmap(enum kmap_slot slot, paddr_t pa)
{
	if (slot == FIXMAP_LAPIC) {
		fixmap_lapic_pa = pa;
		fixmap_lapic_calls++;
		return mmio_page;
	}
	if (slot != FIXMAP_IOAPIC)
		fail_msg("fixmap slot %d: apic.c uses FIXMAP_LAPIC and FIXMAP_IOAPIC only", slot);
	for (unsigned i = 0; i < n_ioapics; i++)
		if (ioapics[i].pa == pa)
			return ioapics[i].mmio;
	return empty_bus;
}

/* ------------------------------------- the rest of the kernel, for trap.c */

struct tss tss;
const struct extable_entry sim_extable[1];
static unsigned pic_eois[16];

static uint32_t sim_read_cr(void)
{
	return 0;
}

int pic_spurious(int irq)
{
	(void)irq;
	return 0;
}

void pic_eoi(int irq)
{
	pic_eois[irq]++;
}

void machine_irq_disable(void)
{
	irq_on = 0;
}

void machine_backtrace(void *frame)
{
	(void)frame;
}

/* A panic ends here: the test fails with what the kernel printed. */
void machine_finish(int code)
{
	fail_msg("machine_finish(0x%x): the kernel stopped\n---- log ----\n%s", code, log_buf);
	abort();
}

int page_fault(struct trapframe *tf, uint32_t cr2)
{
	fail_msg("page fault at eip=0x%x cr2=0x%x: not simulated", tf->eip, cr2);
	return 0;
}

/* At boot there is no current task: the real one would fault on NULL. */
void syscall_dispatch(struct trapframe *tf)
{
	fail_msg("vector 0x%x went to syscall_dispatch from cs=0x%x", tf->vector, tf->cs);
}

void user_exception(struct trapframe *tf)
{
	fail_msg("vector 0x%x went to user_exception from cs=0x%x", tf->vector, tf->cs);
}

void return_to_user(struct trapframe *tf)
{
	fail_msg("return_to_user from cs=0x%x: the simulation runs in ring 0", tf->cs);
}

void page_fault_error_str(uint32_t err, char *buf, size_t size)
{
	snprintf(buf, size, "(error 0x%x)", err);
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ------------------------------------------------------ physical memory */

#define MAX_REGIONS 16
static struct region {
	uint64_t pa;
	uint32_t len;
	uint8_t *data;
} regions[MAX_REGIONS];
static unsigned n_regions;

/* A zeroed stretch of simulated physical memory at pa. */
static uint8_t *ram_at(uint64_t pa, uint32_t len)
{
	assert_true(n_regions < MAX_REGIONS);
	regions[n_regions] = (struct region){ pa, len, calloc(1, len) };
	assert_non_null(regions[n_regions].data);
	return regions[n_regions++].data;
}

/* The simulated memory a test put at exactly pa, to break it afterwards. */
static uint8_t *ram(uint64_t pa)
{
	for (unsigned i = 0; i < n_regions; i++)
		if (regions[i].pa == pa)
			return regions[i].data;
	fail_msg("no simulated memory put at 0x%llx", (unsigned long long)pa);
	return NULL;
}

/* As paging.c's: -1, buf untouched, for a range reaching 4 GiB. Anywhere
 * below, the bytes must have been put there by the test. */
int phys_read(uint64_t pa, void *buf, uint32_t len)
{
	if (pa >= FOUR_GIB || len > FOUR_GIB - pa)
		return -1;
	for (unsigned i = 0; i < n_regions; i++) {
		struct region *r = &regions[i];
		if (pa >= r->pa && pa + len <= r->pa + r->len) {
			memcpy(buf, r->data + (pa - r->pa), len);
			return 0;
		}
	}
	fail_msg("phys_read(0x%llx, %u): no simulated memory there", (unsigned long long)pa, len);
	return -1;
}

/* ------------------------------------------------------------ ACPI tables */

#define RSDP_PA 0x000E0000ull
#define XSDT_PA 0x07FE0000ull
#define RSDT_PA 0x07FE1000ull
#define MADT_PA 0x07FE2000ull
#define FACP_PA 0x07FE3000ull
#define TABLE_ROOM 4096u

static void put_header(uint8_t *t, const char *sig, uint32_t length)
{
	memcpy(t, sig, 4);
	memcpy(t + 4, &length, 4);
	t[8] = 1;
}

static void put_rsdp(uint64_t pa, uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
	struct acpi_rsdp p = { .revision = revision, .rsdt = rsdt, .xsdt = xsdt,
			       .length = sizeof p };

	memcpy(p.sig, "RSD PTR ", 8);
	memcpy(ram_at(pa, sizeof p), &p, sizeof p);
}

/* A root table (XSDT: 8-byte entries, RSDT: 4) listing n tables. */
static void put_root(uint64_t pa, const char *sig, unsigned entry, const uint64_t *tables,
		     unsigned n)
{
	uint8_t *t = ram_at(pa, TABLE_ROOM);

	put_header(t, sig, (uint32_t)(sizeof(struct acpi_header) + n * entry));
	for (unsigned i = 0; i < n; i++)
		memcpy(t + sizeof(struct acpi_header) + i * entry, &tables[i], entry);
}

static void put_table(uint64_t pa, const char *sig)
{
	put_header(ram_at(pa, sizeof(struct acpi_header)), sig, sizeof(struct acpi_header));
}

/* A MADT being filled in: entries appended one by one. */
static uint8_t *madt;
static uint32_t madt_len;

static void madt_begin(uint64_t pa)
{
	madt = ram_at(pa, TABLE_ROOM);
	madt_len = sizeof(struct acpi_header) + MADT_ENTRIES_OFFSET;
	put_header(madt, "APIC", madt_len);
}

static void madt_add(const uint8_t *e, unsigned len)
{
	assert_true(madt_len + len <= TABLE_ROOM);
	memcpy(madt + madt_len, e, len);
	madt_len += len;
	memcpy(madt + 4, &madt_len, 4);
}

static void madt_cpu(uint8_t apic_id, int enabled)
{
	uint8_t e[8] = { MADT_LOCAL_APIC, 8, apic_id, apic_id, enabled ? 1 : 0 };
	madt_add(e, sizeof e);
}

static void madt_x2apic_cpu(uint32_t id, int enabled)
{
	uint8_t e[16] = { MADT_LOCAL_X2APIC, 16 };
	memcpy(e + 4, &id, 4);
	e[8] = enabled ? 1 : 0;
	madt_add(e, sizeof e);
}

static void madt_ioapic(uint8_t id, uint32_t pa)
{
	uint8_t e[12] = { MADT_IO_APIC, 12, id };
	memcpy(e + MADT_IO_APIC_ADDRESS, &pa, 4);
	madt_add(e, sizeof e);
}

/*
 * The tables most ACPI tests start from: an ACPI 2.0 RSDP at RSDP_PA naming
 * an XSDT at xsdt and an RSDT at rsdt (0: none), each listing a FACP and
 * then the MADT at MADT_PA, which begins with the boot CPU, enabled. A test
 * adds MADT entries, or breaks one piece.
 */
static void acpi_xsdt_madt(uint32_t rsdt, uint64_t xsdt)
{
	uint64_t tables[] = { FACP_PA, MADT_PA };

	put_rsdp(RSDP_PA, 2, rsdt, xsdt);
	put_root(xsdt, "XSDT", 8, tables, 2);
	if (rsdt)
		put_root(rsdt, "RSDT", 4, tables, 2);
	put_table(FACP_PA, "FACP");
	madt_begin(MADT_PA);
	madt_cpu(0, 1);
}

/* ------------------------------------------------------------- set-up */

static int setup(void **state)
{
	(void)state;
	memset(log_buf, 0, sizeof log_buf);
	log_len = 0;
	log_level = LOG_NORMAL;
	for (unsigned i = 0; i < n_regions; i++)
		free(regions[i].data);
	n_regions = 0;
	n_ioapics = 0;
	memset(mmio_page, 0, sizeof mmio_page);
	fixmap_lapic_calls = 0;
	fixmap_lapic_pa = 0;
	memset(delivered, 0, sizeof delivered);
	memset(pic_eois, 0, sizeof pic_eois);
	eoi_writes = 0;
	port_ops = 0;
	irq_on = 0;
	/* trap.c's interrupt owners, as at boot */
	memset(irq_chain, 0, sizeof irq_chain);
	memset(vector_owner, 0, sizeof vector_owner);
	memset(line_taken, 0, sizeof line_taken);
	memset(line_unclaimed, 0, sizeof line_unclaimed);
	/* apic.c's own state, as at boot */
	lapic_mode = LAPIC_NONE;
	lapic_mmio = NULL;
	strays = 0;
	/* by default no local APIC (the ACPI tests need none), its x2APIC
	 * registers reset */
	cpu.edx1 = 0;
	x2apic_build(6);
	apic_base = 0;
	return 0;
}

/* setup, then a CPU with an APIC that firmware left in x2APIC mode, with
 * every LVT up to CMCI (max LVT 6). */
static int setup_x2apic(void **state)
{
	setup(state);
	cpu.edx1 = CPUID_EDX_APIC;
	x2apic_build(6);
	return 0;
}

/* ------------------------------------------------------ local APIC tests */

#define MMIO(reg) mmio_page[(reg) / 4]

#define OUT_OF_REACH "out of reach of 32-bit paging"
#define LINE_X2APIC_QUIESCED                                                                 \
	"apic: local APIC (x2APIC mode): LVTs masked, timer stopped, spurious vector 0x0f -> " \
	"0xff, LINT0 ExtINT"
#define LINE_STRAY_EOI(v)                                                                      \
	"apic: stray interrupt on vector " v " (EOI sent to the local APIC): ignored"
#define LINE_STRAY_NO_EOI(v)                                                                   \
	"apic: stray interrupt on vector " v " (not in service at the local APIC): ignored"
#define LINE_NO_MADT "apic: no ACPI MADT: IO-APICs left as they are"
#define LINE_ONE_CPU "cpu: 1 processor in the MADT, running on the boot CPU only"

static uint32_t mmio_reg(uint32_t reg)
{
	return MMIO(reg);
}

static uint32_t x2_reg(uint32_t reg)
{
	return X2(reg);
}

/* What lapic_quiesce leaves in every local APIC, in either mode (the CMCI
 * LVT depends on the APIC: each test checks it). */
static const struct reg_want {
	uint32_t reg, want;
} quiesced[] = {
	{ LAPIC_SVR, SVR_ENABLE | 0xFF },  { LAPIC_LVT_TIMER, LVT_MASKED },
	{ LAPIC_TIMER_INIT, 0 },           { LAPIC_LVT_ERROR, LVT_MASKED },
	{ LAPIC_LVT_PERF, LVT_MASKED },    { LAPIC_LVT_THERMAL, LVT_MASKED },
	{ LAPIC_LVT_LINT0, LVT_EXTINT },   { LAPIC_LVT_LINT1, LVT_NMI },
	{ LAPIC_TPR, 0x20 },
};

/* Every register of quiesced[] holds its value, read through read. */
static void assert_quiesced(uint32_t (*read)(uint32_t reg))
{
	for (unsigned i = 0; i < sizeof quiesced / sizeof quiesced[0]; i++) {
		uint32_t got = read(quiesced[i].reg);
		if (got != quiesced[i].want)
			fail_msg("local APIC register 0x%03x is 0x%x, want 0x%x", quiesced[i].reg,
				 got, quiesced[i].want);
	}
}

static void test_xapic_quiesce(void **state)
{
	(void)state;
	cpu.edx1 = CPUID_EDX_APIC;
	apic_base = LAPIC_PA | APIC_BASE_ENABLE | BASE_BSP;
	MMIO(LAPIC_VERSION) = 5u << 16 | 0x14; /* max LVT 5: no CMCI */
	MMIO(LAPIC_SVR) = OVMF_SVR;
	MMIO(LAPIC_LVT_TIMER) = 0x20030;
	MMIO(LAPIC_TIMER_INIT) = 99999;
	MMIO(LAPIC_LVT_CMCI) = 0xC0FFEE; /* absent on this APIC: must stay untouched */
	apic_quiesce(0);

	assert_int_equal(fixmap_lapic_calls, 1);
	assert_int_equal(fixmap_lapic_pa, LAPIC_PA);
	assert_quiesced(mmio_reg);
	assert_int_equal(MMIO(LAPIC_LVT_CMCI), 0xC0FFEE);
	assert_logged("apic: local APIC at 0xfee00000: LVTs masked, timer stopped, "
		      "spurious vector 0x0f -> 0xff, LINT0 ExtINT");
	assert_logged(LINE_NO_MADT);
}

static void test_xapic_above_4g_left_alone(void **state)
{
	(void)state;
	cpu.edx1 = CPUID_EDX_APIC;
	apic_base = 0x1FEE00000ull | APIC_BASE_ENABLE;
	apic_quiesce(0);
	assert_int_equal(fixmap_lapic_calls, 0);
	assert_logged("apic: local APIC at 0x1fee00000 is above 4 GiB, " OUT_OF_REACH
		      ": left as the firmware set it");
	apic_stray_interrupt(0x40); /* no APIC to EOI: still no crash, no access */
	assert_logged(LINE_STRAY_NO_EOI("0x40"));
}

static void test_disabled_lapic_untouched(void **state)
{
	(void)state;
	cpu.edx1 = CPUID_EDX_APIC;
	apic_base = LAPIC_PA; /* EN clear */
	apic_quiesce(0);
	assert_int_equal(fixmap_lapic_calls, 0);
	assert_logged("apic: local APIC disabled by firmware");
}

static void test_x2apic_quiesce(void **state)
{
	(void)state;
	set_vector(LAPIC_ISR0, 0x41); /* the firmware was inside two handlers */
	set_vector(LAPIC_ISR0, 0x30);
	apic_quiesce(0);

	assert_int_equal(fixmap_lapic_calls, 0); /* no MMIO in x2APIC mode */
	assert_quiesced(x2_reg);
	assert_int_equal(X2(LAPIC_LVT_CMCI), LVT_MASKED);
	assert_int_equal(highest_vector(LAPIC_ISR0), -1);
	assert_int_equal(eoi_writes, 2);
	assert_logged(LINE_X2APIC_QUIESCED);
}

/* A Pentium-class LVT set (max LVT 3): no perf, thermal or CMCI MSR may be
 * touched; the simulation fails the test on any access to them. */
static void test_x2apic_only_its_lvts(void **state)
{
	(void)state;
	cpu.edx1 = CPUID_EDX_APIC;
	x2apic_build(3);
	apic_quiesce(0);
	assert_int_equal(X2(LAPIC_LVT_ERROR), LVT_MASKED);
	assert_int_equal(X2(LAPIC_LVT_LINT0), LVT_EXTINT);
	assert_logged(LINE_X2APIC_QUIESCED);
}

/* A software-disabled APIC ignores LVT unmasking: the SVR must go first. */
static void test_svr_enabled_before_lvts(void **state)
{
	(void)state;
	X2(LAPIC_SVR) = 0x0FF; /* software-disabled */
	apic_quiesce(0);
	assert_int_equal(X2(LAPIC_SVR), SVR_ENABLE | 0xFF);
	assert_int_equal(X2(LAPIC_LVT_LINT0), LVT_EXTINT); /* not left masked */
	assert_int_equal(X2(LAPIC_LVT_LINT1), LVT_NMI);
	assert_logged("apic: local APIC (x2APIC mode): LVTs masked, timer stopped, "
		      "spurious vector 0xff -> 0xff, LINT0 ExtINT");
}

static void test_pending_drained(void **state)
{
	(void)state;
	set_vector(LAPIC_IRR0, 0x68);
	set_vector(LAPIC_IRR0, 0x31);
	set_vector(LAPIC_IRR0, FIRST_UNUSED_VECTOR); /* the lowest one taken */
	set_vector(LAPIC_IRR0, FIRST_UNUSED_VECTOR - 1); /* irq() would not EOI it: held off */
	set_vector(LAPIC_IRR0, 0x22);
	set_vector(LAPIC_IRR0, 0x15); /* would look like an exception: held off */
	apic_quiesce(0);

	assert_int_equal(irq_on, 0);
	assert_int_equal(delivered[0x68], 1);
	assert_int_equal(delivered[0x31], 1);
	assert_int_equal(delivered[FIRST_UNUSED_VECTOR], 1);
	assert_int_equal(delivered[FIRST_UNUSED_VECTOR - 1], 0);
	assert_int_equal(delivered[0x22], 0);
	assert_int_equal(delivered[0x15], 0);
	for (unsigned line = 0; line < 16; line++)
		assert_int_equal(pic_eois[line], 0); /* nothing went to irq() */
	assert_int_equal(highest_vector(LAPIC_ISR0), -1);
	assert_int_equal(highest_vector(LAPIC_IRR0), FIRST_UNUSED_VECTOR - 1);
	assert_int_equal(apic_stray_count(), 3);
	assert_logged("apic: 3 interrupts pending at the local APIC, highest vector 0x68: "
		      "taken as stray");
	assert_logged(LINE_STRAY_EOI("0x68"));
	assert_logged(LINE_STRAY_EOI("0x31"));
	assert_logged(LINE_STRAY_EOI("0x30"));
	assert_logged("apic: 3 vectors below 0x30 pending, held off by task priority 0x20");
}

/* A device left on the system-call vector: at boot, in ring 0, there is no
 * task to serve, so trap_dispatch takes it as stray. */
static void test_pending_syscall_vector_is_stray(void **state)
{
	(void)state;
	set_vector(LAPIC_IRR0, T_SYSCALL);
	apic_quiesce(0);

	assert_int_equal(delivered[T_SYSCALL], 1);
	assert_int_equal(highest_vector(LAPIC_ISR0), -1);
	assert_int_equal(highest_vector(LAPIC_IRR0), -1);
	assert_int_equal(apic_stray_count(), 1);
	assert_logged("apic: 1 interrupt pending at the local APIC, highest vector 0x80: "
		      "taken as stray");
	assert_logged(LINE_STRAY_EOI("0x80"));
}

static void test_nothing_pending_nothing_said(void **state)
{
	(void)state;
	apic_quiesce(0);
	assert_int_equal(log_lines_with("pending"), 0);
	assert_int_equal(log_lines_with("stray"), 0);
}

static void test_stray_log_is_limited(void **state)
{
	(void)state;
	apic_quiesce(0);
	eoi_writes = 0;
	log_level = LOG_QUIET; /* stray lines are printed at any level */
	for (int i = 0; i < 10; i++) {
		set_vector(LAPIC_ISR0, 0x50);
		apic_stray_interrupt(0x50);
		assert_false(has_vector(LAPIC_ISR0, 0x50));
	}
	assert_int_equal(eoi_writes, 10);
	assert_int_equal(apic_stray_count(), 10);
	assert_int_equal(log_lines_with("apic: stray interrupt"), STRAY_LOG_MAX);
	assert_logged(LINE_STRAY_EOI("0x50") "; further ones are counted, not logged");
}

static void test_stray_not_in_service_gets_no_eoi(void **state)
{
	(void)state;
	apic_quiesce(0);
	set_vector(LAPIC_ISR0, 0x20); /* something else in service: must stay */
	eoi_writes = 0;
	apic_stray_interrupt(0x99);
	assert_int_equal(eoi_writes, 0);
	assert_true(has_vector(LAPIC_ISR0, 0x20));
	assert_logged(LINE_STRAY_NO_EOI("0x99"));
}

static void test_spurious_vector(void **state)
{
	(void)state;
	apic_quiesce(0);
	eoi_writes = 0;
	apic_spurious_interrupt(); /* a true spurious interrupt: no EOI */
	assert_int_equal(eoi_writes, 0);
	set_vector(LAPIC_ISR0, 0xFF); /* a device sending on 0xFF */
	apic_spurious_interrupt();
	assert_int_equal(eoi_writes, 1);
	assert_false(has_vector(LAPIC_ISR0, 0xFF));
	assert_int_equal(log_lines_with("stray"), 0);
}

static void test_nmi_enable(void **state)
{
	(void)state;
	nmi_enable();
	assert_int_equal(port_ops, 2);
	assert_true(port_is_write[0]);
	assert_int_equal(port_log[0], 0x70);
	assert_int_equal(port_value[0] & 0x80, 0); /* bit 7 clear: NMI unmasked */
	assert_false(port_is_write[1]);
	assert_int_equal(port_log[1], 0x71); /* the RTC gets its data access */
}

/* ------------------------------------------------ device interrupts */

struct fake_device {
	int raised; /* what its handler answers: IRQ_HANDLED or IRQ_NONE */
	unsigned calls;
};

static int fake_handler(void *ctx)
{
	struct fake_device *d = ctx;

	d->calls++;
	return d->raised;
}

/* A vector given to a driver: its handler runs with its context, the
 * local APIC gets its EOI, nothing is called stray; once freed, the same
 * vector is stray again. */
static void test_device_vector(void **state)
{
	struct fake_device dev = { IRQ_HANDLED, 0 };

	(void)state;
	apic_quiesce(0);
	int v = irq_alloc_vector(fake_handler, &dev);
	assert_int_equal(v, FIRST_UNUSED_VECTOR);
	eoi_writes = 0;
	set_vector(LAPIC_IRR0, (unsigned)v);
	sim_sti();
	assert_int_equal(dev.calls, 1);
	assert_int_equal(eoi_writes, 1);
	assert_int_equal(highest_vector(LAPIC_ISR0), -1);
	assert_int_equal(irq_vector_count(v), 1);
	assert_int_equal(apic_stray_count(), 0);

	irq_free_vector(v);
	set_vector(LAPIC_IRR0, (unsigned)v);
	sim_sti();
	assert_int_equal(dev.calls, 1);
	assert_int_equal(apic_stray_count(), 1);
	assert_logged(LINE_STRAY_EOI("0x30"));
}

/* Every vector from 0x30 to 0xfe but the system call's can be given, each
 * once; then none is left. */
static void test_vectors_run_out(void **state)
{
	struct fake_device dev = { IRQ_HANDLED, 0 };
	unsigned given = 0;
	int v;

	(void)state;
	while ((v = irq_alloc_vector(fake_handler, &dev)) >= 0) {
		assert_true(v >= FIRST_UNUSED_VECTOR && v < T_SPURIOUS && v != T_SYSCALL);
		given++;
	}
	assert_int_equal(v, -ENOSPC);
	assert_int_equal(given, T_SPURIOUS - FIRST_UNUSED_VECTOR - 1);
	irq_free_vector(0x45);
	assert_int_equal(irq_alloc_vector(fake_handler, &dev), 0x45);
	assert_int_equal(irq_alloc_vector(NULL, &dev), -EINVAL);
}

/* A shared 8259 line: every handler is asked, one EOI to the 8259, and an
 * interrupt nobody claims is counted. */
static void test_shared_line(void **state)
{
	struct fake_device a = { IRQ_NONE, 0 }, b = { IRQ_HANDLED, 0 }, c = { IRQ_NONE, 0 };
	struct trapframe tf = { .vector = T_IRQ0 + 11, .cs = KERNEL_CS };
	uint32_t taken, unclaimed;

	(void)state;
	assert_int_equal(irq_register(11, fake_handler, &a), 0);
	assert_int_equal(irq_register(11, fake_handler, &b), 0);
	assert_int_equal(irq_register(11, fake_handler, &b), 0); /* again: no second entry */
	trap_dispatch(&tf);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	assert_int_equal(pic_eois[11], 1);
	irq_line_stats(11, &taken, &unclaimed);
	assert_int_equal(taken, 1);
	assert_int_equal(unclaimed, 0);

	irq_unregister(11, fake_handler, &b);
	trap_dispatch(&tf);
	assert_int_equal(a.calls, 2);
	assert_int_equal(b.calls, 1);
	irq_line_stats(11, &taken, &unclaimed);
	assert_int_equal(taken, 2);
	assert_int_equal(unclaimed, 1);

	assert_int_equal(irq_register(11, fake_handler, &b), 0);
	assert_int_equal(irq_register(11, fake_handler, &c), 0);
	struct fake_device d = { IRQ_NONE, 0 }, e = { IRQ_NONE, 0 };
	assert_int_equal(irq_register(11, fake_handler, &d), 0);
	assert_int_equal(irq_register(11, fake_handler, &e), -ENOSPC);
	assert_int_equal(irq_register(16, fake_handler, &e), -EINVAL);
	assert_int_equal(irq_register(-1, fake_handler, &e), -EINVAL);
}

/* The MSI message names this CPU's local APIC by its ID (x2APIC: the
 * whole ID register; xAPIC: bits 31:24) and carries the vector. */
static void test_msi_message(void **state)
{
	uint32_t address = 0, data = 0;

	(void)state;
	assert_int_equal(apic_msi_message(0x31, &address, &data), -ENODEV); /* no APIC yet */
	cpu.edx1 = CPUID_EDX_APIC;
	x2apic_build(6);
	X2(LAPIC_ID) = 3;
	apic_quiesce(0);
	assert_int_equal(apic_msi_message(0x31, &address, &data), 0);
	assert_int_equal(address, 0xFEE03000u);
	assert_int_equal(data, 0x31);
	X2(LAPIC_ID) = 0x100; /* needs interrupt remapping: no MSI */
	assert_int_equal(apic_msi_message(0x31, &address, &data), -ENODEV);

	lapic_mode = LAPIC_NONE;
	apic_base = LAPIC_PA | APIC_BASE_ENABLE | BASE_BSP;
	MMIO(LAPIC_VERSION) = 5u << 16 | 0x14;
	MMIO(LAPIC_ID) = 5u << 24;
	apic_quiesce(0);
	assert_int_equal(apic_msi_message(0x42, &address, &data), 0);
	assert_int_equal(address, 0xFEE05000u);
	assert_int_equal(data, 0x42);
}

/* ------------------------------------------------------------ ACPI tests */

static void test_madt_through_xsdt(void **state)
{
	(void)state;
	acpi_xsdt_madt(0, XSDT_PA);
	madt_cpu(1, 1);
	madt_cpu(2, 0);
	madt_x2apic_cpu(300, 1);
	madt_ioapic(0, 0xFEC00000);
	add_ioapic(0xFEC00000, 24);
	apic_quiesce(RSDP_PA);
	assert_logged("apic: IO-APIC 0 at 0xfec00000: 24 redirection entries masked");
	assert_logged("cpu: 3 processors in the MADT, running on the boot CPU only");
	assert_int_equal(ioapics[0].regsel, IOAPIC_REDTBL + 2 * 23); /* up to the last entry */
	assert_ioapic_masked(&ioapics[0]);
}

static void test_xsdt_above_4g_uses_rsdt(void **state)
{
	(void)state;
	acpi_xsdt_madt(RSDT_PA, 0x120000000ull); /* the XSDT there, but never to be read */
	apic_quiesce(RSDP_PA);
	assert_logged("acpi: XSDT at 0x120000000 is above 4 GiB, " OUT_OF_REACH
		      ": trying the RSDT");
	assert_logged(LINE_ONE_CPU);
}

/* An XSDT whose header runs into 4 GiB is as far out of reach. */
static void test_xsdt_reaching_4g_uses_rsdt(void **state)
{
	(void)state;
	acpi_xsdt_madt(RSDT_PA, FOUR_GIB - 16);
	apic_quiesce(RSDP_PA);
	assert_logged("acpi: XSDT at 0xfffffff0 reaches 4 GiB, " OUT_OF_REACH
		      ": trying the RSDT");
	assert_logged(LINE_ONE_CPU);
}

static void test_xsdt_above_4g_without_rsdt(void **state)
{
	(void)state;
	acpi_xsdt_madt(0, 0x120000000ull);
	apic_quiesce(RSDP_PA);
	assert_logged("acpi: XSDT at 0x120000000 is above 4 GiB, " OUT_OF_REACH
		      ": and there is no RSDT");
	assert_logged(LINE_NO_MADT);
	assert_logged("cpu: no MADT; running on the boot CPU");
}

/* The XSDT points at a MADT above 4 GiB; the RSDT lists a copy below. */
static void test_madt_above_4g_copy_in_rsdt(void **state)
{
	(void)state;
	uint64_t far_madt = 0x100001000ull, xtables[] = { FACP_PA, far_madt },
		 rtables[] = { FACP_PA, MADT_PA };

	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	put_root(XSDT_PA, "XSDT", 8, xtables, 2);
	put_root(RSDT_PA, "RSDT", 4, rtables, 2);
	put_table(FACP_PA, "FACP");
	madt_begin(MADT_PA);
	madt_cpu(0, 1);
	madt_cpu(1, 1);
	apic_quiesce(RSDP_PA);
	assert_logged("acpi: XSDT at 0x07fe0000 lists no APIC below 4 GiB: "
		      "trying the RSDT");
	assert_logged("cpu: 2 processors in the MADT, running on the boot CPU only");
}

static void test_xsdt_bad_signature_uses_rsdt(void **state)
{
	(void)state;
	acpi_xsdt_madt(RSDT_PA, XSDT_PA);
	memcpy(ram(XSDT_PA), "JUNK", 4);
	apic_quiesce(RSDP_PA);
	assert_logged("acpi: XSDT at 0x07fe0000 has a bad signature: trying the RSDT");
	assert_logged(LINE_ONE_CPU);
}

/* ACPI 1.0: the bytes after the RSDT address are not an XSDT address. */
static void test_rsdp_v1_ignores_xsdt_field(void **state)
{
	(void)state;
	acpi_xsdt_madt(RSDT_PA, 0x120000000ull);
	ram(RSDP_PA)[offsetof(struct acpi_rsdp, revision)] = 0;
	apic_quiesce(RSDP_PA);
	assert_int_equal(log_lines_with("XSDT"), 0);
	assert_logged(LINE_ONE_CPU);
}

static void test_rsdp_above_4g(void **state)
{
	(void)state;
	apic_quiesce(0x100000000ull);
	assert_logged("acpi: RSDP at 0x100000000 is above 4 GiB, " OUT_OF_REACH);
	assert_logged(LINE_NO_MADT);
}

static void test_rsdp_straddling_4g(void **state)
{
	(void)state;
	apic_quiesce(0xFFFFFFF0ull); /* 20 bytes from there reach past 4 GiB */
	assert_logged("acpi: RSDP at 0xfffffff0 reaches 4 GiB, " OUT_OF_REACH);
}

/* An ACPI 2.0 RSDP whose XSDT address lies past 4 GiB: the RSDT serves. */
static void test_rsdp_xsdt_field_past_4g(void **state)
{
	(void)state;
	uint64_t rsdp = FOUR_GIB - 24, tables[] = { MADT_PA }; /* 20 bytes fit, 36 do not */

	put_rsdp(rsdp, 2, RSDT_PA, XSDT_PA);
	put_root(RSDT_PA, "RSDT", 4, tables, 1);
	madt_begin(MADT_PA);
	madt_cpu(0, 1);
	apic_quiesce(rsdp);
	assert_int_equal(log_lines_with("XSDT"), 0);
	assert_logged(LINE_ONE_CPU);
}

static void test_rsdp_bad_signature(void **state)
{
	(void)state;
	acpi_xsdt_madt(RSDT_PA, XSDT_PA);
	memcpy(ram(RSDP_PA), "RSD PTX ", 8);
	apic_quiesce(RSDP_PA);
	assert_logged("acpi: no RSDP signature at 0x000e0000");
	assert_logged(LINE_NO_MADT);
}

static void test_no_madt_listed(void **state)
{
	(void)state;
	uint64_t tables[] = { FACP_PA };

	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	put_root(RSDT_PA, "RSDT", 4, tables, 1);
	put_table(FACP_PA, "FACP");
	apic_quiesce(RSDP_PA);
	assert_logged("acpi: RSDT at 0x07fe1000 lists no APIC below 4 GiB");
	assert_logged(LINE_NO_MADT);
}

static void test_many_ioapics(void **state)
{
	(void)state;
	char line[128];

	acpi_xsdt_madt(0, XSDT_PA);
	for (unsigned i = 0; i < 9; i++) {
		madt_ioapic((uint8_t)i, 0xFEC00000u + i * 0x1000u);
		if (i != 6)
			add_ioapic(0xFEC00000u + i * 0x1000u, 24 + i);
	}
	apic_quiesce(RSDP_PA);
	for (unsigned i = 0; i < 9; i++) {
		if (i == 6)
			continue;
		snprintf(line, sizeof line,
			 "apic: IO-APIC %u at 0x%08x: %u redirection entries masked", i,
			 0xFEC00000u + i * 0x1000u, 24 + i);
		assert_logged(line);
		assert_ioapic_masked(&ioapics[i < 6 ? i : i - 1]);
	}
	assert_logged("apic: IO-APIC 6 at 0xfec06000 does not answer (version register reads "
		      "0xffffffff): skipped");
	assert_logged(LINE_ONE_CPU);
}

static void test_madt_bad_entry_length(void **state)
{
	(void)state;
	uint8_t bad[4] = { MADT_LOCAL_APIC, 0 };

	acpi_xsdt_madt(0, XSDT_PA);
	madt_add(bad, sizeof bad);
	madt_cpu(1, 1);
	apic_quiesce(RSDP_PA);
	assert_logged("apic: MADT entry at offset 52: bad length 0 (12 bytes left): "
		      "rest of the table ignored");
	assert_logged(LINE_ONE_CPU);
}

/* A MADT whose length runs past 4 GiB: the walk stops at the edge. */
static void test_madt_running_past_4g(void **state)
{
	(void)state;
	uint64_t edge = 0xFFFFF000ull, tables[] = { edge };
	uint8_t *t = ram_at(edge, 4096);

	put_rsdp(RSDP_PA, 2, 0, XSDT_PA);
	put_root(XSDT_PA, "XSDT", 8, tables, 1);
	put_header(t, "APIC", 0x2000); /* claims 8 KiB: 4 KiB past the edge */
	uint32_t off = sizeof(struct acpi_header) + MADT_ENTRIES_OFFSET;
	for (; off + 8 <= 4096; off += 8) {
		uint8_t e[8] = { MADT_LOCAL_APIC, 8, 0, 0, 1 };
		memcpy(t + off, e, 8);
	}
	/* the entry straddling the edge claims 8 bytes; 4096 - off remain */
	t[off] = MADT_LOCAL_APIC;
	t[off + 1] = 8;
	apic_quiesce(RSDP_PA);
	assert_int_equal(log_lines_with("rest of the table ignored"), 1);
	char line[128];
	snprintf(line, sizeof line,
		 "apic: MADT entry at offset %u runs past 4 GiB: rest of the table ignored", off);
	assert_logged(line);
	snprintf(line, sizeof line, "cpu: %u processors in the MADT, running on the boot CPU only",
		 (off - (uint32_t)(sizeof(struct acpi_header) + MADT_ENTRIES_OFFSET)) / 8);
	assert_logged(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_xapic_quiesce, setup),
		cmocka_unit_test_setup(test_xapic_above_4g_left_alone, setup),
		cmocka_unit_test_setup(test_disabled_lapic_untouched, setup),
		cmocka_unit_test_setup(test_x2apic_quiesce, setup_x2apic),
		cmocka_unit_test_setup(test_x2apic_only_its_lvts, setup),
		cmocka_unit_test_setup(test_svr_enabled_before_lvts, setup_x2apic),
		cmocka_unit_test_setup(test_pending_drained, setup_x2apic),
		cmocka_unit_test_setup(test_pending_syscall_vector_is_stray, setup_x2apic),
		cmocka_unit_test_setup(test_nothing_pending_nothing_said, setup_x2apic),
		cmocka_unit_test_setup(test_stray_log_is_limited, setup_x2apic),
		cmocka_unit_test_setup(test_stray_not_in_service_gets_no_eoi, setup_x2apic),
		cmocka_unit_test_setup(test_spurious_vector, setup_x2apic),
		cmocka_unit_test_setup(test_nmi_enable, setup),
		cmocka_unit_test_setup(test_device_vector, setup_x2apic),
		cmocka_unit_test_setup(test_vectors_run_out, setup),
		cmocka_unit_test_setup(test_shared_line, setup),
		cmocka_unit_test_setup(test_msi_message, setup),
		cmocka_unit_test_setup(test_madt_through_xsdt, setup),
		cmocka_unit_test_setup(test_xsdt_above_4g_uses_rsdt, setup),
		cmocka_unit_test_setup(test_xsdt_reaching_4g_uses_rsdt, setup),
		cmocka_unit_test_setup(test_xsdt_above_4g_without_rsdt, setup),
		cmocka_unit_test_setup(test_madt_above_4g_copy_in_rsdt, setup),
		cmocka_unit_test_setup(test_xsdt_bad_signature_uses_rsdt, setup),
		cmocka_unit_test_setup(test_rsdp_v1_ignores_xsdt_field, setup),
		cmocka_unit_test_setup(test_rsdp_above_4g, setup),
		cmocka_unit_test_setup(test_rsdp_straddling_4g, setup),
		cmocka_unit_test_setup(test_rsdp_xsdt_field_past_4g, setup),
		cmocka_unit_test_setup(test_rsdp_bad_signature, setup),
		cmocka_unit_test_setup(test_no_madt_listed, setup),
		cmocka_unit_test_setup(test_many_ioapics, setup),
		cmocka_unit_test_setup(test_madt_bad_entry_length, setup),
		cmocka_unit_test_setup(test_madt_running_past_4g, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
