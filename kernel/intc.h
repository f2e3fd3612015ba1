/* Interrupt controllers at boot: 8259 remapped and masked, IOAPICs masked, the boot CPU's
 * LAPIC on, and the vector map logged. */
#ifndef EXITLESS_KERNEL_INTC_H
#define EXITLESS_KERNEL_INTC_H

#include <stdbool.h>

/* `allow_x2apic` false keeps the LAPIC in xAPIC mode (command-line word `xapic`). */
void intc_init(bool allow_x2apic);

#endif
