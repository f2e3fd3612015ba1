/* The guest's DSDT (AML): \_S5 for power-off, COM1 without an interrupt (or the UART's
 * ports in the PCI root's window), the PCI root bridge. Private to the guest ACPI builder
 * (vmm/platform/acpi_tables.c). */
#ifndef EXITLESS_VMM_PLATFORM_ACPI_DSDT_H
#define EXITLESS_VMM_PLATFORM_ACPI_DSDT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/platform/acpi_tables.h"

#define ACPI_DSDT_REVISION 2    /* 64-bit AML integers */

/* Writes the whole table (header and checksum included) into t[0..cap); returns its length,
 * or 0 when it does not fit. cfg has passed guest_acpi_check. */
size_t guest_dsdt_build(const struct guest_acpi_cfg *cfg, uint8_t *t, size_t cap);

#endif
