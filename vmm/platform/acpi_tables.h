/* The ACPI tables a guest finds (RSDP, XSDT, MADT, FADT, DSDT), generated from its part of
 * the manifest. Pure: the builder writes into a buffer and is host unit-tested. */
#ifndef EXITLESS_VMM_PLATFORM_ACPI_TABLES_H
#define EXITLESS_VMM_PLATFORM_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_GUEST_MAX_CPUS 8

struct guest_acpi_cfg {
    uint32_t ncpus;                         /* MADT: one x2APIC entry per core, nothing else */
    uint32_t apic_ids[ACPI_GUEST_MAX_CPUS];
    bool pci;                               /* DSDT: PCI root bridge, bus 0, ports 0xCF8-0xCFF */
    uint64_t pci_mmio_base, pci_mmio_end;   /* its memory window [base, end) */
    bool com1;                              /* DSDT: 16550 at 0x3F8 with no interrupt line */
    bool uart_on_pci;                       /* DSDT: 0x3F8-0x3FF in PCI0's I/O window (the
                                             * UART is a PCI function, vmm/vpci/vpci_uart.h) */
};

/* What is wrong with cfg (no cores or more than ACPI_GUEST_MAX_CPUS, an APIC id listed twice
 * or 0xffffffff, an empty or inverted PCI memory window, the UART both as COM1 and on a PCI
 * root that is not there), or NULL when it can be built. */
const char *guest_acpi_check(const struct guest_acpi_cfg *cfg);

/* Lays the tables out in buf, which the guest sees at guest-physical `base` (16-byte
 * aligned, and the tables must end below 2^64; 0 is returned otherwise). Returns the bytes
 * used, or 0 when `size` is too small or guest_acpi_check refuses cfg; *rsdp_gpa gets the
 * RSDP's address (base). */
size_t guest_acpi_build(const struct guest_acpi_cfg *cfg, void *buf, size_t size,
                        uint64_t base, uint64_t *rsdp_gpa);

#endif
