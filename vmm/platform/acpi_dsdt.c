/* The guest's DSDT: what Linux needs from the namespace of a hardware-reduced platform.
 *
 *   Name (_S5, Package () { PM_SLP_TYP_S5, 0, 0, 0 })   poweroff: SLP_TYP = 5 with SLP_EN
 *   Scope (\_SB) {
 *     Device (COM1) { _HID PNP0501, _UID 0, _CRS IO 0x3F8-0x3FF }
 *     Device (PCI0) { _HID PNP0A03, _UID 0, _BBN 0, _SEG 0,
 *                     _CRS bus 0, IO 0xCF8-0xCFF, memory [pci_mmio_base, pci_mmio_end),
 *                          IO 0x3F8-0x3FF when the UART is a PCI function }
 *   }
 *
 * A Linux guest's UART is a PCI function (vmm/vpci/vpci_uart.h) whose BAR0 is 0x3F8: then
 * there is no COM1 device (Linux would bind the port twice) and PCI0's window holds the
 * port, so Linux claims the BAR where it is.
 *
 * COM1 lists no interrupt: Linux's 8250 PNP driver then registers the port with irq 0, taking
 * over the legacy ttyS0 (0x3f8, irq 4) at the same address, and the 8250 core polls a port
 * without an irq on a timer. The guest has no interrupt controller that could route irq 4.
 *
 * PCI0 has no _PRT (assigned functions use MSI-X only) and no _OSC. Without _OSC Linux keeps
 * MSI and MSI-X (the FADT does not say "MSI not supported"), leaves ASPM off and does not
 * take native PCIe hotplug, AER or PME control: none of those exist here. It has no I/O
 * window beyond 0xCF8 and the UART's ports: assigned functions have memory BARs only. */
#include "vmm/platform/acpi_bytes.h"
#include "vmm/platform/acpi_dsdt.h"
#include "vmm/platform/aml.h"
#include "vmm/platform/pm.h"

#define COM1_PORT       0x3f8
#define COM1_PORTS      8
#define PCI_CFG_PORT    0xcf8
#define PCI_CFG_PORTS   8

static void name_eisaid(struct aml *a, const char *name, const char *id)
{
    uint32_t v = 0;
    if (!aml_eisaid(&v, id))
        a->overflow = true;     /* a bad literal here is a bug: refuse to emit */
    aml_name(a, name);
    aml_byte(a, AML_DWORD_PREFIX);
    for (int i = 0; i < 4; i++)
        aml_byte(a, (uint8_t)(v >> (8 * i)));
}

static void emit_s5(struct aml *a)
{
    aml_name(a, "_S5_");
    aml_package_open(a, 4);
    aml_integer(a, PM_SLP_TYP_S5);  /* SLP_TYPa */
    aml_integer(a, 0);              /* SLP_TYPb (no PM1b block) */
    aml_integer(a, 0);              /* reserved */
    aml_integer(a, 0);
    aml_close(a);
}

static void emit_com1(struct aml *a)
{
    aml_device_open(a, "COM1");
    name_eisaid(a, "_HID", "PNP0501");
    aml_name_integer(a, "_UID", 0);
    aml_name(a, "_CRS");
    aml_buffer_open(a);
    aml_res_io(a, COM1_PORT, COM1_PORT, 1, COM1_PORTS);
    aml_res_end(a);
    aml_close(a);
    aml_close(a);
}

static void emit_pci0(struct aml *a, const struct guest_acpi_cfg *cfg)
{
    aml_device_open(a, "PCI0");
    name_eisaid(a, "_HID", "PNP0A03");
    aml_name_integer(a, "_UID", 0);
    aml_name_integer(a, "_BBN", 0);
    aml_name_integer(a, "_SEG", 0);
    aml_name(a, "_CRS");
    aml_buffer_open(a);
    aml_res_word_bus(a, 0, 0);
    aml_res_io(a, PCI_CFG_PORT, PCI_CFG_PORT, 1, PCI_CFG_PORTS);
    aml_res_memory(a, cfg->pci_mmio_base, cfg->pci_mmio_end - 1);
    if (cfg->uart_on_pci)
        aml_res_io(a, COM1_PORT, COM1_PORT, 1, COM1_PORTS);
    aml_res_end(a);
    aml_close(a);
    aml_close(a);
}

size_t guest_dsdt_build(const struct guest_acpi_cfg *cfg, uint8_t *t, size_t cap)
{
    struct aml a;
    if (cap < ACPI_HDR_SIZE)
        return 0;
    aml_init(&a, t + ACPI_HDR_SIZE, cap - ACPI_HDR_SIZE);
    emit_s5(&a);
    if (cfg->com1 || cfg->pci) {
        aml_scope_open(&a, "_SB_");   /* the DSDT's top level is the root: \_SB */
        if (cfg->com1)
            emit_com1(&a);
        if (cfg->pci)
            emit_pci0(&a, cfg);
        aml_close(&a);
    }
    if (a.overflow || a.depth || ACPI_HDR_SIZE + a.len > UINT32_MAX)
        return 0;
    size_t len = ACPI_HDR_SIZE + a.len;
    acpi_finish_table(t, "DSDT", (uint32_t)len, ACPI_DSDT_REVISION);
    return len;
}
