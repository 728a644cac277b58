/* machine.h - what the architecture-neutral kernel asks of the machine. */
#ifndef ARCH_MACHINE_H
#define ARCH_MACHINE_H

#include <stdint.h>

/* isa-debug-exit values; QEMU exits with (value << 1) | 1. */
#define MACHINE_EXIT_PASS 0x10  /* QEMU status 33 */
#define MACHINE_EXIT_FAIL 0x11  /* QEMU status 35 */
#define MACHINE_EXIT_PANIC 0x12 /* QEMU status 37 */

/* Leave QEMU through isa-debug-exit when allowed and present, else halt
 * forever with interrupts off (a real machine keeps its last screen). */
void machine_finish(int code) __attribute__((noreturn));
/* Whether machine_finish() may exit QEMU (config finish=exit). */
void machine_set_exit_allowed(int allowed);
/* QEMU's isa-debug-exit device answers at port 0xf4. */
int machine_has_debug_exit(void);

void machine_irq_disable(void);
void machine_irq_enable(void);
/* Wait for the next interrupt with interrupts enabled, then disable them. */
void machine_idle(void);
/* Print the return addresses found by walking the frame-pointer chain. */
void machine_backtrace(void *frame);

/* 8259 PIC. */
void pic_init(void);
void pic_unmask(int irq);
void pic_mask(int irq);
void pic_eoi(int irq);
int pic_spurious(int irq);

/* 8254 PIT on IRQ 0, started by kmain at TICK_HZ; ticks counts them. */
#define TICK_HZ 100
void pit_init(unsigned hz);
extern volatile uint32_t ticks;

#endif
