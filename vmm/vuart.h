/* Per-guest virtual 16550 UART: enough of the register set for Linux's 8250 driver. */
#ifndef EXITLESS_VMM_VUART_H
#define EXITLESS_VMM_VUART_H

#include <stdbool.h>
#include <stdint.h>

#define VUART_BASE 0x3f8
#define VUART_PORTS 8
#define VUART_LINE_MAX 160

struct vuart {
    const char *owner;          /* guest name for the "[name] " prefix */
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    char line[VUART_LINE_MAX];
    uint32_t len;
};

void vuart_init(struct vuart *u, const char *owner);
bool vuart_claims(uint16_t port);
uint32_t vuart_read(struct vuart *u, uint16_t port);
void vuart_write(struct vuart *u, uint16_t port, uint32_t value);
/* Appends text as if written to the transmit register (hypercall console). */
void vuart_puts(struct vuart *u, const char *s, uint32_t len);
/* Prints a partial line, if any (guest stopping). */
void vuart_flush(struct vuart *u);

#endif
