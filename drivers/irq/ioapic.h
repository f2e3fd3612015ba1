/* I/O APIC: identification and masking of every redirection entry (82093AA datasheet). */
#ifndef EXITLESS_DRIVERS_IRQ_IOAPIC_H
#define EXITLESS_DRIVERS_IRQ_IOAPIC_H

#include <stdint.h>

struct acpi_ioapic;

/* Maps the IOAPIC, reads its version register to fill io->gsi_count, masks every
 * redirection entry. Returns the number of entries masked. */
unsigned ioapic_mask_all(struct acpi_ioapic *io, uint8_t *version);

#endif
