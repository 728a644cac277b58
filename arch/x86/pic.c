/*
 * pic.c - the two 8259A interrupt controllers.
 *
 * The BIOS wiring puts IRQ 0-7 on vectors 8-15, on top of CPU exceptions,
 * so they are remapped to 32-47 and every line starts masked. A line is
 * unmasked only when a driver registers for it.
 */
#include <arch/io.h>
#include <arch/machine.h>
#include <arch/trap.h>

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086 0x01
#define OCW3_READ_ISR 0x0B
#define PIC_EOI 0x20
#define CASCADE_IRQ 2

static uint16_t mask = 0xFFFF;

static void write_mask(void)
{
	outb(PIC1_DATA, mask & 0xFF);
	outb(PIC2_DATA, mask >> 8);
}

void pic_init(void)
{
	static const struct {
		uint16_t port;
		uint8_t value;
	} init[] = {
		{ PIC1_CMD, ICW1_INIT_ICW4 }, { PIC2_CMD, ICW1_INIT_ICW4 },
		{ PIC1_DATA, T_IRQ0 },        { PIC2_DATA, T_IRQ0 + 8 },
		{ PIC1_DATA, 1 << CASCADE_IRQ }, { PIC2_DATA, CASCADE_IRQ },
		{ PIC1_DATA, ICW4_8086 },     { PIC2_DATA, ICW4_8086 },
	};

	for (unsigned i = 0; i < sizeof init / sizeof init[0]; i++) {
		outb(init[i].port, init[i].value);
		io_wait();
	}
	mask = 0xFFFF & ~(1u << CASCADE_IRQ);
	write_mask();
	/* Drop anything the firmware left in service. */
	for (int i = 0; i < 8; i++) {
		outb(PIC2_CMD, PIC_EOI);
		outb(PIC1_CMD, PIC_EOI);
	}
}

void pic_unmask(int irq)
{
	mask &= ~(1u << irq);
	write_mask();
}

void pic_mask(int irq)
{
	mask |= 1u << irq;
	write_mask();
}

void pic_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

static uint8_t in_service(uint16_t cmd)
{
	outb(cmd, OCW3_READ_ISR);
	return inb(cmd);
}

/* IRQ 7 and 15 also arrive when a request vanished before the CPU took
 * it; then the in-service bit is clear and no EOI may be sent (except to
 * the master for a spurious slave interrupt). */
int pic_spurious(int irq)
{
	if (irq == 7 && !(in_service(PIC1_CMD) & 0x80))
		return 1;
	if (irq == 15 && !(in_service(PIC2_CMD) & 0x80)) {
		outb(PIC1_CMD, PIC_EOI);
		return 1;
	}
	return 0;
}
