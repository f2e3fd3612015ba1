/* Legacy dual 8259 PIC: remapped away from the exception vectors and fully masked. */
#ifndef EXITLESS_DRIVERS_IRQ_PIC8259_H
#define EXITLESS_DRIVERS_IRQ_PIC8259_H

#include <stdint.h>

/* Reinitializes both PICs with IRQ 0-7 at `master_base`, 8-15 at `slave_base`, all masked. */
void pic_remap_and_mask(uint8_t master_base, uint8_t slave_base);

#endif
