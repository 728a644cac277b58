/* pit.c - the 8254 timer, channel 0, periodic on IRQ 0. */
#include <arch/io.h>
#include <arch/machine.h>
#include <arch/trap.h>

#include "core/kernel.h"

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_MODE2_LOHI 0x34 /* channel 0, lobyte/hibyte, rate generator */

volatile uint32_t ticks;

static int pit_irq(void *ctx)
{
	(void)ctx;
	ticks++;
	timer_tick();
	return IRQ_HANDLED;
}

void pit_init(unsigned hz)
{
	uint32_t divisor = PIT_HZ / hz;

	outb(PIT_CMD, PIT_MODE2_LOHI);
	outb(PIT_CH0, divisor & 0xFF);
	outb(PIT_CH0, divisor >> 8);
	irq_register(0, pit_irq, 0);
	pic_unmask(0);
}
