/* Interrupt controllers at boot: 8259 remapped and masked, IOAPICs masked, the boot CPU's
 * LAPIC on, and the vector map logged. */
#ifndef EXITLESS_KERNEL_INTC_H
#define EXITLESS_KERNEL_INTC_H

#include <stdbool.h>
#include <stdint.h>

/* `allow_x2apic` false keeps the LAPIC in xAPIC mode (command-line word `xapic`). */
void intc_init(bool allow_x2apic);

/* A PCI function's INTx as the firmware routed it (its interrupt line register holds an
 * ISA IRQ): the GSI, after any MADT override; PCI interrupts are level, active low. */
uint32_t intc_pci_intx_gsi(uint8_t irq_line, bool *level, bool *active_low);
/* Routes GSI `gsi` to `vector` on APIC id `apic` (masked or not); -1 if no IOAPIC has it
 * or the destination does not fit the IOAPIC's 8-bit field. */
int intc_gsi_route(uint32_t gsi, uint8_t vector, uint32_t apic, bool level, bool active_low,
                   bool masked) __attribute__((warn_unused_result));
void intc_gsi_mask(uint32_t gsi, bool masked);

#endif
