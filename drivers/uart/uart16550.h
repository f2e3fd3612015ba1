/* 16550 UART on an I/O port: the hypervisor console. */
#ifndef EXITLESS_DRIVERS_UART16550_H
#define EXITLESS_DRIVERS_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define COM1_PORT 0x3f8

/* Programs 115200 8N1, FIFOs on; returns false when no UART answers at that port. */
bool uart_init(uint16_t port);
void uart_putc(char c);
/* Waits until the transmitter is empty (LSR.TEMT), so a following power-off loses nothing. */
void uart_flush(void);

#endif
