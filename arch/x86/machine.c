/*
 * machine.c - stopping the machine, idling, and backtraces.
 */
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/machine.h>

#include <layout.h>

#include "core/log.h"

#define DEBUG_EXIT_PORT 0xF4

static int exit_allowed = 1;

void machine_set_exit_allowed(int allowed)
{
	exit_allowed = allowed;
}

/*
 * Writing to a port nobody decodes is harmless on PCs, but we only write
 * when running under a hypervisor (CPUID) and the port reads back as the
 * device answers (0), not as an empty bus (0xFF).
 */
int machine_has_debug_exit(void)
{
	return cpu.hypervisor && inb(DEBUG_EXIT_PORT) != 0xFF;
}

void machine_finish(int code)
{
	cli();
	if (exit_allowed && machine_has_debug_exit())
		outb(DEBUG_EXIT_PORT, (uint8_t)code);
	for (;;)
		halt();
}

void machine_irq_disable(void)
{
	cli();
}

void machine_irq_enable(void)
{
	sti();
}

void machine_idle(void)
{
	sti_halt();
	cli();
}

void machine_backtrace(void *frame)
{
	uint32_t *fp = frame;

	kprintf(" backtrace:");
	for (int depth = 0; depth < 16; depth++) {
		/* Only follow frames inside the kernel's direct map. */
		if ((uint32_t)fp < KERNEL_VIRT_BASE || (uint32_t)fp >= KERNEL_VIRT_BASE + DIRECT_MAP_MAX ||
		    ((uint32_t)fp & 3))
			break;
		kprintf(" 0x%08x", fp[1]);
		fp = (uint32_t *)fp[0];
	}
	kprintf("\n");
}
