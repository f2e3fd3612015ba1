/* Interrupt controllers at boot: 8259 remapped and masked, IOAPICs masked, the boot CPU's
 * LAPIC on, and the vector map logged. */
#ifndef EXITLESS_KERNEL_INTC_H
#define EXITLESS_KERNEL_INTC_H

void intc_init(void);

#endif
