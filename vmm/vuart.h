/* Per-guest virtual 16550 UART: enough of the register set for Linux's 8250 driver. */
#ifndef EXITLESS_VMM_VUART_H
#define EXITLESS_VMM_VUART_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/spinlock.h"
#include "vmm/console_budget.h"

#define VUART_BASE 0x3f8
#define VUART_PORTS 8
#define VUART_LINE_MAX 160

/* Every vCPU of the guest reaches it (port I/O, HC_CONSOLE_WRITE, HC_TEST_RESULT), and so
 * does whichever CPU stops the guest (vuart_flush from guest_fault/guest_finish). */
struct vuart {
    const char *owner;          /* guest name for the "[name] " prefix; fixed at init */
    struct spinlock lock;       /* protects: the registers, line, len and budget below.
                                 * Never held while taking the console lock: lines are
                                 * copied out under it and printed after it is dropped. */
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    /* The transmitter-empty interrupt is pending (16550: set when the THR empties, which
     * here is at once after each write, and when ETBEI is enabled; cleared by the IIR read
     * that reports it). A driver without an interrupt line polls IIR for it. */
    bool thre_pending;
    /* Also shown as a PCI serial function with MSI (vmm/vpci/vpci_uart.h): fixed by the
     * loader at creation (Linux guests). */
    bool on_pci;
    char line[VUART_LINE_MAX];
    uint32_t len;               /* < VUART_LINE_MAX whenever the lock is free */
    struct console_budget budget; /* this guest's share of the console */
};

void vuart_init(struct vuart *u, const char *owner);
bool vuart_claims(uint16_t port);
/* The scratch register, which guests may write as an exit-count mark. */
bool vuart_is_scratch(uint16_t port);
uint32_t vuart_read(struct vuart *u, uint16_t port);
/* True when the write raised the UART's interrupt (16550: IER's transmitter-empty enable on
 * with the THR empty, or the THR emptying with it on, while no THRE interrupt was pending
 * already): the caller sends it (vpci_uart_raise; nothing happens without the PCI view). */
bool vuart_write(struct vuart *u, uint16_t port, uint32_t value);
/* Appends text as if written to the transmit register (hypercall console). */
void vuart_puts(struct vuart *u, const char *s, uint32_t len);
/* Prints a partial line, if any, and how much the rate limit dropped, if anything (guest
 * stopping). */
void vuart_flush(struct vuart *u);
/* TSC cycles until this guest's console is out of debt (0: a forced line prints at once). */
uint64_t vuart_debt_cycles(struct vuart *u);
/* Prints a partial line if any, then `text` (a whole line of hypervisor-made text, no
 * prefix added): never dropped, always charged to the guest's budget (test results). */
void vuart_print_forced(struct vuart *u, const char *text, uint32_t len);

#endif
