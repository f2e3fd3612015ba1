/* Guest port I/O: the virtual UART, and all-ones/ignored for ports nobody claims. */
#ifndef EXITLESS_VMM_IO_H
#define EXITLESS_VMM_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"

/* One access of `size` bytes (1, 2, 4). Reads fill *value. */
void port_access(struct guest *g, uint16_t port, unsigned size, bool write, uint32_t *value);
/* Fills the two 4 KiB VMX I/O bitmaps: every port exits (the UART is emulated, the rest
 * unclaimed). */
void io_bitmap_build(uint8_t *bitmaps);

#endif
