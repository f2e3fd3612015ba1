/* The virtual UART (vmm/vuart.c) as a PCI serial function of a Linux guest: at 00:1f.0, with
 * the identity of a one-port MosChip MCS9900 serial function (9710:9900, subsystem
 * a000:1000, class 07 00 02: a 16550), which Linux's 8250_pci driver binds and drives
 * with MSI; its I/O BAR0 is fixed at the legacy COM1 ports 0x3f8-0x3ff, so the port the
 * guest already uses as ttyS0 gains an interrupt. An MSI capability (64-bit address, one
 * vector, no masking) is its only capability; it has no INTx pin. docs/devices.md has the
 * guest's view. */
#ifndef EXITLESS_VMM_VPCI_UART_H
#define EXITLESS_VMM_VPCI_UART_H

#include <stdbool.h>
#include <stdint.h>

#define VPCI_UART_SLOT      0x1f
#define VPCI_UART_VENDOR    0x9710
#define VPCI_UART_DEVICE    0x9900
#define VPCI_UART_SUBVENDOR 0xa000
#define VPCI_UART_SUBDEVICE 0x1000
#define VPCI_UART_CLASS     0x070202u  /* multiport serial controller, 16550 interface */
#define VPCI_UART_PORT      0x3f8
#define VPCI_UART_PORTS     8
#define VPCI_UART_MSI_CAP   0x50

/* The function's guest-visible state. Owner: guest->ept_lock (with the rest of the virtual
 * PCI, vmm/vpci/vpci.c). */
struct vpci_uart {
    bool shown;                 /* the guest has the function (fixed at creation) */
    uint16_t command;           /* I/O space and bus master bits */
    bool bar_sizing;            /* the guest wrote all-ones to BAR0 */
    uint16_t msi_ctrl;          /* enable bit only */
    uint32_t msi_addr_lo, msi_addr_hi;
    uint16_t msi_data;
};

/* Configuration space (pure). Reads of any size at any offset; writes change only the
 * command register's I/O and bus-master bits, BAR0 sizing, and the MSI capability's enable
 * bit, address and data. */
uint32_t vpci_uart_cfg_read(const struct vpci_uart *u, uint16_t off, unsigned size);
void vpci_uart_cfg_write(struct vpci_uart *u, uint16_t off, unsigned size, uint32_t val);
/* As after a reset: decoding, bus mastering and MSI off (the guest's next start). */
void vpci_uart_reset(struct vpci_uart *u);
/* The message the function would send now: true with it when MSI and bus mastering are on. */
bool vpci_uart_msi(const struct vpci_uart *u, uint32_t *addr_lo, uint32_t *addr_hi,
                   uint32_t *data);

#endif
