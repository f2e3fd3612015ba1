/* Host tests of the virtual UART's PCI configuration space (vmm/vpci/vpci_uart.c): what
 * Linux's 8250_pci needs to bind it (identity, class, BAR0 at 0x3f8 that sizes to 8 ports
 * and cannot move) and the MSI capability it programs. */
#include "check.h"
#include "drivers/pci/pci.h"
#include "vmm/vpci/vpci_uart.h"

static void test_identity(void)
{
    struct vpci_uart u = { .shown = true };
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x00, 4), 0x99009710u, "vendor:device");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x02, 2), 0x9900, "device alone");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x08, 4) >> 8, 0x070202u, "class: multiport serial, 16550 interface");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x2c, 4), 0x1000a000u, "subsystem a000:1000");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x0e, 1), 0, "header type 0");
    CHECK(vpci_uart_cfg_read(&u, 0x06, 2) & 0x10, "status: capability list");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x34, 1), VPCI_UART_MSI_CAP, "capability pointer");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x3d, 1), 0, "no INTx pin");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, VPCI_UART_MSI_CAP, 2), 0x0005, "MSI, last capability");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, VPCI_UART_MSI_CAP + 2, 2), 0x0080,
                 "64-bit address, one vector, disabled");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x14, 4), 0, "no BAR1");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0xfe, 4), 0xffffffffu, "past the space");
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x01, 2), 0xffff, "misaligned");
}

static void test_bar(void)
{
    struct vpci_uart u = { .shown = true };
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x10, 4), 0x3f9u, "BAR0: I/O at 0x3f8");
    vpci_uart_cfg_write(&u, 0x10, 4, 0xffffffffu);
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x10, 4), 0xfffffff9u, "sizes to 8 ports");
    vpci_uart_cfg_write(&u, 0x10, 4, 0x3f9u);
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x10, 4), 0x3f9u, "restored");
    vpci_uart_cfg_write(&u, 0x10, 4, 0x2f8u);
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x10, 4), 0x3f9u, "cannot be moved");
    vpci_uart_cfg_write(&u, 0x00, 4, 0);
    vpci_uart_cfg_write(&u, 0x08, 4, 0);
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, 0x00, 4), 0x99009710u, "identity read-only");
}

static void test_msi(void)
{
    struct vpci_uart u = { .shown = true };
    uint32_t lo = 1, hi = 1, data = 1;
    vpci_uart_cfg_write(&u, VPCI_UART_MSI_CAP + 4, 4, 0xfee01003u);
    vpci_uart_cfg_write(&u, VPCI_UART_MSI_CAP + 8, 4, 0);
    vpci_uart_cfg_write(&u, VPCI_UART_MSI_CAP + 12, 2, 0x0041);
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, VPCI_UART_MSI_CAP + 4, 4), 0xfee01000u,
                 "address: the two low bits are reserved");
    CHECK(!vpci_uart_msi(&u, &lo, &hi, &data), "MSI off: nothing sent");
    vpci_uart_cfg_write(&u, VPCI_UART_MSI_CAP + 2, 2, 0x0071);  /* enable, MME 7: ignored */
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, VPCI_UART_MSI_CAP + 2, 2), 0x0081, "enabled, one vector");
    CHECK(!vpci_uart_msi(&u, &lo, &hi, &data), "bus mastering off: nothing sent");
    vpci_uart_cfg_write(&u, PCI_COMMAND, 2, 0xffff);
    CHECK_EQ_U64(vpci_uart_cfg_read(&u, PCI_COMMAND, 2), PCI_COMMAND_IO | PCI_COMMAND_MASTER,
                 "command: I/O and bus master only");
    CHECK(vpci_uart_msi(&u, &lo, &hi, &data) && lo == 0xfee01000u && hi == 0 && data == 0x41,
          "the message as programmed: %#x:%#x data %#x", hi, lo, data);
    vpci_uart_reset(&u);
    CHECK(u.shown && !vpci_uart_msi(&u, &lo, &hi, &data) &&
              vpci_uart_cfg_read(&u, PCI_COMMAND, 2) == 0, "reset: shown, MSI and decoding off");
    u.shown = false;
    u.command = PCI_COMMAND_MASTER;
    u.msi_ctrl = 1;
    CHECK(!vpci_uart_msi(&u, &lo, &hi, &data), "not shown: nothing sent");
}

int main(void)
{
    test_identity();
    test_bar();
    test_msi();
    return check_summary("vpci_uart");
}
