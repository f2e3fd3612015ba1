/* Guest port I/O: the virtual UART, and all-ones/ignored for ports nobody claims. */
#ifndef EXITLESS_VMM_IO_H
#define EXITLESS_VMM_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"

/* One access of `size` bytes (1, 2, 4). Reads fill *value. */
void port_access(struct guest *g, uint16_t port, unsigned size, bool write, uint32_t *value);
/* The port policy: every port exits (the UART and PCI configuration are emulated, the rest
 * unclaimed); each vendor's port permission map (vendor->iopm_build) says so. */

#endif
