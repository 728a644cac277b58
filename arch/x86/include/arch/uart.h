/* uart.h - COM1 16550 driver. */
#ifndef ARCH_UART_H
#define ARCH_UART_H

#include <stddef.h>
#include <stdint.h>

#define UART_IRQ 4

/* Probe COM1 and set it to 115200 8N1; 0 when there is no UART. */
int uart_init(void);
int uart_present(void);
/* The TSC's rate, from the loader: waits are then bounded in time. */
void uart_set_tsc_khz(uint32_t khz);
void uart_write(const char *s, size_t n);
/* A received byte, or -1 when none is waiting. */
int uart_getc(void);
void uart_enable_rx_irq(void);

#endif
