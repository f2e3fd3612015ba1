/* Configuration space of the virtual UART's PCI function (vmm/vpci/vpci_uart.h; PCI 3.0
 * chapter 6, MSI capability 6.8.1). Pure: host unit-tested. */
#include "drivers/pci/pci.h"
#include "vmm/vpci/vpci_uart.h"

#define REG_ID          0x00
#define REG_CMD_STATUS  0x04
#define REG_CLASS_REV   0x08
#define REG_HEADER      0x0c
#define REG_SUBSYSTEM   0x2c
#define REG_CAP_PTR     0x34
#define REG_INTERRUPT   0x3c
#define STATUS_CAP_LIST (1u << 4)
#define BAR_IO          1u
#define COMMAND_BITS    (PCI_COMMAND_IO | PCI_COMMAND_MASTER)
#define MSI_CTRL_ENABLE 1u
#define MSI_CTRL_64BIT  (1u << 7)
#define MSI_ADDR_LO     (VPCI_UART_MSI_CAP + 4)
#define MSI_ADDR_HI     (VPCI_UART_MSI_CAP + 8)
#define MSI_DATA        (VPCI_UART_MSI_CAP + 12)
#define CFG_SIZE        256u

static uint32_t read_dword(const struct vpci_uart *u, uint16_t off)
{
    switch (off) {
    case REG_ID: return VPCI_UART_VENDOR | (uint32_t)VPCI_UART_DEVICE << 16;
    case REG_CMD_STATUS: return u->command | STATUS_CAP_LIST << 16;
    case REG_CLASS_REV: return VPCI_UART_CLASS << 8;     /* revision 0 */
    case REG_HEADER: return 0;                           /* type 0, single function */
    case PCI_BAR0:
        return u->bar_sizing ? ~(uint32_t)(VPCI_UART_PORTS - 1) | BAR_IO : VPCI_UART_PORT | BAR_IO;
    case REG_SUBSYSTEM: return VPCI_UART_SUBVENDOR | (uint32_t)VPCI_UART_SUBDEVICE << 16;
    case REG_CAP_PTR: return VPCI_UART_MSI_CAP;
    case REG_INTERRUPT: return 0xff;                     /* no pin, no line */
    case VPCI_UART_MSI_CAP:
        return PCI_CAP_ID_MSI | (uint32_t)(u->msi_ctrl | MSI_CTRL_64BIT) << 16; /* last capability */
    case MSI_ADDR_LO: return u->msi_addr_lo;
    case MSI_ADDR_HI: return u->msi_addr_hi;
    case MSI_DATA: return u->msi_data;
    default: return 0;
    }
}

static bool in_space(uint16_t off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) && (off & (size - 1)) == 0 && off + size <= CFG_SIZE;
}

uint32_t vpci_uart_cfg_read(const struct vpci_uart *u, uint16_t off, unsigned size)
{
    if (!in_space(off, size))
        return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    uint32_t v = read_dword(u, (uint16_t)(off & ~3u)) >> (8 * (off & 3u));
    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

void vpci_uart_cfg_write(struct vpci_uart *u, uint16_t off, unsigned size, uint32_t val)
{
    if (!in_space(off, size))
        return;
    uint16_t reg = (uint16_t)(off & ~3u);
    unsigned shift = 8 * (off & 3u);
    uint32_t mask = (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1) << shift;
    uint32_t v = (read_dword(u, reg) & ~mask) | ((val << shift) & mask);
    switch (reg) {
    case REG_CMD_STATUS: u->command = (uint16_t)(v & COMMAND_BITS); break;
    case PCI_BAR0: /* all address bits written as ones: the size probe; else it stays put */
        u->bar_sizing = (v | (VPCI_UART_PORTS - 1)) == 0xffffffffu;
        break;
    case VPCI_UART_MSI_CAP: u->msi_ctrl = (uint16_t)((v >> 16) & MSI_CTRL_ENABLE); break;
    case MSI_ADDR_LO: u->msi_addr_lo = v & ~3u; break;
    case MSI_ADDR_HI: u->msi_addr_hi = v; break;
    case MSI_DATA: u->msi_data = (uint16_t)v; break;
    default: break;             /* read-only or reserved */
    }
}

void vpci_uart_reset(struct vpci_uart *u)
{
    bool shown = u->shown;
    *u = (struct vpci_uart){ .shown = shown };
}

bool vpci_uart_msi(const struct vpci_uart *u, uint32_t *addr_lo, uint32_t *addr_hi,
                   uint32_t *data)
{
    if (!u->shown || !(u->msi_ctrl & MSI_CTRL_ENABLE) || !(u->command & PCI_COMMAND_MASTER))
        return false;
    *addr_lo = u->msi_addr_lo;
    *addr_hi = u->msi_addr_hi;
    *data = u->msi_data;
    return true;
}
