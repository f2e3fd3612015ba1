/* I/O APIC: identification and masking of every redirection entry (82093AA datasheet). */
#ifndef EXITLESS_DRIVERS_IRQ_IOAPIC_H
#define EXITLESS_DRIVERS_IRQ_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct acpi_ioapic;

/* Maps the IOAPIC, reads its version register to fill io->gsi_count, masks every
 * redirection entry. Returns the number of entries masked. */
unsigned ioapic_mask_all(struct acpi_ioapic *io, uint8_t *version);

/* Programs entry `pin`: fixed delivery of `vector` to the CPU with physical APIC id `apic`
 * (8-bit destinations only), trigger and polarity as given, left masked or not. */
void ioapic_route(const struct acpi_ioapic *io, unsigned pin, uint8_t vector, uint8_t apic,
                  bool level, bool active_low, bool masked);
void ioapic_set_masked(const struct acpi_ioapic *io, unsigned pin, bool masked);

#endif
