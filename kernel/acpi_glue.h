/* ACPI at boot: finds the RSDP, runs the drivers/acpi parsers, logs what they found, and
 * keeps the result for later layers (APIC, PCIe, VT-d), plus ACPI power-off and reset. */
#ifndef EXITLESS_KERNEL_ACPI_GLUE_H
#define EXITLESS_KERNEL_ACPI_GLUE_H

#include <stdbool.h>

#include "kernel/mb2.h"

struct acpi_info;

/* Parses the tables from the multiboot2 RSDP copy (tag 15, then 14), or under BIOS without
 * a tag by scanning 0xE0000-0xFFFFF; logs the summaries. Returns false without ACPI. */
bool acpi_init(const struct boot_info *bi);
/* The parsed tables, or NULL before acpi_init() or when there are none. Writable only for
 * facts the kernel learns from hardware (IOAPIC GSI counts). */
struct acpi_info *acpi_get(void);

/* ACPI S5 through PM1a/PM1b control with the DSDT's \_S5 sleep types; returns only on
 * failure (no FADT, no _S5, or the machine did not turn off). */
void acpi_poweroff(void);
/* FADT reset register when present; returns only if the machine did not reset. */
void acpi_reset(void);

#endif
